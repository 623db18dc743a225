import json
import math

import pytest
from django.contrib.gis.geos import Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, FloatField, Func
from graphql_relay import to_global_id

from farms.models import Membership, Plot
from farms.services import save_plot
from tests.factories import DONG_ANH, ProducerFactory, UserFactory, member, square

WEST, SOUTH = DONG_ANH


def test_area_is_computed_in_square_metres(coop, owner):
    plot = save_plot(owner, coop, name="Ruộng 1", geometry=square(WEST, SOUTH, 100))
    geodesic = (
        Plot.objects.annotate(
            true_area=Func(
                F("geometry"),
                template="ST_Area(%(expressions)s::geography)",
                output_field=FloatField(),
            )
        )
        .get(pk=plot.pk)
        .true_area
    )
    assert plot.area_m2 == pytest.approx(geodesic, rel=0.002)
    assert plot.area_m2 == pytest.approx(10_000, rel=0.002)


def test_overlapping_plots_of_one_producer_are_refused(coop, owner):
    save_plot(owner, coop, name="Ruộng 1", geometry=square(WEST, SOUTH, 100))
    inside = square(WEST + 0.0003, SOUTH + 0.0003, 50)
    with pytest.raises(ValidationError) as refused:
        save_plot(owner, coop, name="Ruộng 2", geometry=inside)
    assert refused.value.error_dict["geometry"][0].code == "overlap"
    assert "Ruộng 1" in refused.value.messages[0]
    assert Plot.objects.count() == 1


def test_touching_plots_may_share_edges(coop, owner):
    first = save_plot(owner, coop, name="A", geometry=square(WEST, SOUTH, 100))
    east_edge = first.geometry.extent[2]
    save_plot(
        owner,
        coop,
        name="B",
        geometry=Polygon.from_bbox((east_edge, SOUTH, east_edge + 0.0005, SOUTH + 0.0005)),
    )
    neighbour = ProducerFactory()
    neighbour_owner = member(UserFactory(), neighbour)
    east = Polygon.from_bbox((east_edge, SOUTH + 0.001, east_edge + 0.0005, SOUTH + 0.0015))
    save_plot(neighbour_owner, neighbour, name="C", geometry=east)
    assert Plot.objects.count() == 3


def test_editing_a_plot_does_not_clash_with_itself(coop, owner):
    plot = save_plot(owner, coop, name="A", geometry=square(WEST, SOUTH, 100))
    bigger = square(WEST, SOUTH, 120)
    updated = save_plot(owner, coop, name="A", geometry=bigger, plot=plot)
    assert updated.area_m2 == pytest.approx(14_400, rel=0.005)


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        (
            Polygon(
                (
                    (105.85, 21.14),
                    (105.851, 21.141),
                    (105.851, 21.14),
                    (105.85, 21.141),
                    (105.85, 21.14),
                )
            ),
            "invalid_geometry",
        ),
        (square(21.14, 105.85, 50), "outside_vietnam"),
        (square(WEST, SOUTH, 0.5), "implausible_area"),
    ],
    ids=["bow-tie", "swapped-coordinates", "too-small"],
)
def test_implausible_boundaries_are_refused(coop, owner, geometry, code):
    geometry.srid = 4326
    with pytest.raises(ValidationError) as refused:
        save_plot(owner, coop, name="X", geometry=geometry)
    assert refused.value.error_dict["geometry"][0].code == code


def test_only_managers_may_draw_plots(coop):
    plain_member = member(UserFactory(), coop, Membership.Role.MEMBER)
    with pytest.raises(PermissionDenied):
        save_plot(plain_member, coop, name="A", geometry=square(WEST, SOUTH, 100))
    assert not Plot.objects.exists()


def ring(corners: int, radius: float = 0.0005) -> Polygon:
    """A regular polygon of ``corners`` corners, about 55 m across each way, in Đông Anh."""
    points = [
        (
            WEST + radius * math.cos(2 * math.pi * k / corners),
            SOUTH + radius * math.sin(2 * math.pi * k / corners),
        )
        for k in range(corners)
    ]
    return Polygon([*points, points[0]], srid=4326)


def test_a_boundary_with_more_corners_than_the_setting_is_refused(coop, owner, settings):
    settings.PLOT_MAX_VERTICES = 50
    with pytest.raises(ValidationError) as refused:
        save_plot(owner, coop, name="Vết GPS", geometry=ring(51))
    assert refused.value.error_dict["geometry"][0].code == "too_many_vertices"
    assert not Plot.objects.exists()
    assert save_plot(owner, coop, name="Ruộng", geometry=ring(50)).geometry.num_coords == 51


SAVE_PLOT = """mutation($input: SavePlotInput!) {
  savePlot(input: $input) { errors { field code } plot { id } } }"""


def test_the_app_gets_a_typed_error_for_too_many_corners(api, coop):
    plot = {"producerId": to_global_id("ProducerNode", coop.pk), "name": "Vết GPS"}
    refused = api(SAVE_PLOT, {"input": {**plot, "geometry": json.loads(ring(2_001).geojson)}})
    assert refused["data"]["savePlot"] == {
        "errors": [{"field": "geometry", "code": "too_many_vertices"}],
        "plot": None,
    }
    assert not Plot.objects.exists()
    api.ok(SAVE_PLOT, {"input": {**plot, "geometry": json.loads(ring(2_000).geojson)}})
    assert Plot.objects.get().geometry.num_coords == 2_001
