"""Staff analyses on hand-made geometries whose answers are known."""

import datetime

import pytest
from django.utils import timezone

from maps.models import PlanningZone
from maps.services.analysis import (
    area_by_crop_and_commune,
    certified_area_by_district,
    planning_conformity,
    plots_against_plan,
)
from tests import factories
from tests.maps.conftest import box, multi, plot

TODAY = datetime.date(2026, 11, 24)


def zone(polygon, crops, valid_to=None, **fields):
    made = PlanningZone.objects.create(
        name=fields.pop("name", "Vùng lúa"),
        purpose=fields.pop("purpose", "rice"),
        geometry=multi(polygon),
        valid_from=datetime.date(2025, 1, 1),
        valid_to=valid_to,
    )
    made.crops.set(crops)
    return made


def test_plots_inside_and_outside_the_zone_planned_for_their_crop(land, rice, greens):
    farm = factories.ProducerFactory(kind="household")
    inside = plot(farm, box(105.81, 21.11, 105.811, 21.111), rice)
    quarter = plot(farm, box(105.82, 21.11, 105.821, 21.111), rice)
    wrong_crop = plot(farm, box(105.83, 21.11, 105.831, 21.111), greens)
    zone(box(105.805, 21.105, 105.82025, 21.115), [rice])  # all of one, a quarter of another
    zone(box(105.829, 21.109, 105.832, 21.112), [rice])  # covers the greens plot: not theirs
    expired = datetime.date(2025, 12, 31)
    zone(
        box(105.829, 21.109, 105.832, 21.112), [greens], valid_to=expired, purpose="safe_vegetables"
    )

    rows = {row["crop_code"]: row for row in planning_conformity(TODAY).as_dicts()}
    rice_area = (inside.area_m2 + quarter.area_m2) / 10_000
    assert (rows["lua"]["plots_inside"], rows["lua"]["plots_outside"]) == (1, 1)
    assert float(rows["lua"]["area_inside_ha"]) == pytest.approx(
        (inside.area_m2 + quarter.area_m2 / 4) / 10_000, rel=2e-3
    )
    assert float(rows["lua"]["area_inside_ha"] + rows["lua"]["area_outside_ha"]) == pytest.approx(
        rice_area, rel=2e-3
    )
    assert (rows["rau-muong"]["plots_inside"], rows["rau-muong"]["plots_outside"]) == (0, 1)
    assert float(rows["rau-muong"]["area_inside_ha"]) == 0
    by_plot = {row["location_code"]: row["inside"] for row in plots_against_plan(TODAY).as_dicts()}
    assert by_plot == {
        inside.location_code: True,
        quarter.location_code: False,
        wrong_crop.location_code: False,
    }


def test_area_per_crop_per_commune_counts_each_plot_once(land, rice, greens):
    farm, other = (
        factories.ProducerFactory(kind="household"),
        factories.ProducerFactory(kind="household"),
    )
    a = plot(farm, box(105.81, 21.11, 105.812, 21.112), rice)
    b = plot(other, box(105.82, 21.11, 105.822, 21.112), rice)
    c = plot(farm, box(105.86, 21.11, 105.862, 21.112), greens)
    # Straddles the border, mostly east: it belongs to one commune only.
    d = plot(other, box(105.8499, 21.13, 105.853, 21.132), greens)
    report = area_by_crop_and_commune()
    rows = {(row["commune"], row["crop_code"]): row for row in report.as_dicts()}
    assert set(rows) == {("Vân Nội", "lua"), ("Nguyên Khê", "rau-muong")}
    west_rice = rows[("Vân Nội", "lua")]
    assert (west_rice["plots"], west_rice["producers"]) == (2, 2)
    assert float(west_rice["area_ha"]) == pytest.approx((a.area_m2 + b.area_m2) / 10_000, rel=2e-3)
    east = rows[("Nguyên Khê", "rau-muong")]
    assert east["plots"] == 2 and float(east["area_ha"]) == pytest.approx(
        (c.area_m2 + d.area_m2) / 10_000, rel=2e-3
    )
    geojson = report.to_geojson()
    assert {f["properties"]["district"] for f in geojson["features"]} == {"Đông Anh"}
    assert report.to_csv().splitlines()[0].startswith("district,commune_code,commune,crop_code")


def test_certified_area_counts_only_valid_certificates(land, rice):
    farm = factories.ProducerFactory(kind="household")
    certified = plot(farm, box(105.81, 21.11, 105.812, 21.112), rice)
    lapsed = plot(farm, box(105.82, 21.11, 105.822, 21.112), rice)
    factories.CertificationFactory(producer=farm).plots.set([certified])
    old = factories.CertificationFactory(
        producer=farm,
        valid_from=timezone.localdate() - datetime.timedelta(days=800),
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
    )
    old.plots.set([lapsed])
    (row,) = certified_area_by_district(timezone.localdate()).as_dicts()
    assert (row["district"], row["scheme"], row["plots"]) == ("Đông Anh", "vietgap", 1)
    assert float(row["area_ha"]) == pytest.approx(certified.area_m2 / 10_000, rel=2e-3)
