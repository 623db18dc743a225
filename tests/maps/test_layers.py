"""The public layers: bounding boxes, paging, and nothing private."""

import json

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from maps.services.layers import layer_page, parse_bbox
from tests import factories
from tests.maps.conftest import box, plot


def features(page) -> list[dict]:
    """A page's features, read as a client reads them."""
    return [json.loads(text) for text in page.features]


def test_a_bbox_returns_exactly_the_plots_inside(land, rice):
    farm = factories.ProducerFactory(kind="household")
    inside = [
        plot(farm, box(105.81 + i * 0.01, 21.11, 105.815 + i * 0.01, 21.115)) for i in range(3)
    ]
    plot(farm, box(105.87, 21.17, 105.875, 21.175))  # outside the box below
    plot(farm, box(105.79, 21.11, 105.795, 21.115))  # outside the box below
    page = layer_page("plots", parse_bbox("105.805,21.105,105.84,21.12"))
    assert sorted(f["id"] for f in features(page)) == sorted(p.pk for p in inside)
    assert page.next_after is None


def test_pages_walk_a_layer_in_id_order(land):
    farm = factories.ProducerFactory(kind="household")
    plots = [
        plot(farm, box(105.81 + i * 0.005, 21.11, 105.812 + i * 0.005, 21.112)) for i in range(5)
    ]
    bbox = parse_bbox("105.8,21.1,105.9,21.2")
    first = layer_page("plots", bbox, limit=2)
    second = layer_page("plots", bbox, after=first.next_after, limit=2)
    last = layer_page("plots", bbox, after=second.next_after, limit=2)
    walked = [f["id"] for page in (first, second, last) for f in features(page)]
    assert walked == [p.pk for p in plots] and last.next_after is None


def test_private_fields_never_reach_a_public_layer(land):
    farm = factories.ProducerFactory(
        kind="household", name="Hộ Lê Văn Tám", location=Point(105.83, 21.13, srid=4326)
    )
    plot(farm, box(105.86, 21.16, 105.862, 21.162))
    factories.PlaceFactory(kind="market", name="Chợ Vân Trì", opening_hours="Mo-Su 05:00-11:00")
    factories.PlaceFactory(kind="packing_house", name="Nhà sơ chế của hộ")
    bbox = parse_bbox("105.7,21.0,106.0,21.3")
    layers = [features(layer_page(name, bbox)) for name in ("producers", "plots", "places")]
    text = json.dumps(layers, ensure_ascii=False)
    for private in (farm.street_address, farm.contact_phone, farm.contact_email, farm.contact_name):
        assert private not in text
    assert "Chợ Vân Trì" in text
    assert "Hộ Lê Văn Tám" not in text, "a household is never named on the map"
    assert "Nhà sơ chế của hộ" not in text, "only markets and shops are public places"
    (producer,) = features(layer_page("producers", bbox))
    lon, lat = producer["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx((105.861, 21.161)), "the middle of its plots, not its home"


def test_a_cooperative_area_covers_its_members_plots(land):
    cooperative = factories.ProducerFactory(kind="cooperative")
    member = factories.ProducerFactory(kind="household", cooperative=cooperative)
    plot(cooperative, box(105.81, 21.11, 105.812, 21.112))
    plot(member, box(105.83, 21.13, 105.832, 21.132))
    (area,) = features(layer_page("cooperatives", parse_bbox("105.8,21.1,105.9,21.2")))
    west, south, east, north = 105.81, 21.11, 105.832, 21.132
    ring = area["geometry"]["coordinates"][0]
    assert min(x for x, _ in ring) == west and max(x for x, _ in ring) == east
    assert min(y for _, y in ring) == south and max(y for _, y in ring) == north


@pytest.mark.parametrize(
    "text", ["", "1,2,3", "a,b,c,d", "106,21,105,22", "100,-95,101,0", "nan,1,2,3"]
)
def test_a_bad_bbox_is_refused_with_its_code(text):
    with pytest.raises(ValidationError) as refused:
        parse_bbox(text)
    assert refused.value.error_dict["bbox"][0].code == "bbox"


def test_geometries_go_out_as_postgis_wrote_them(land):
    from django.db import connection

    farm = factories.ProducerFactory(kind="cooperative")
    made = plot(farm, box(105.81, 21.11, 105.8123456789, 21.1123456789))
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsGeoJSON(geometry, 6) FROM farms_plot WHERE id = %s", [made.pk])
        written = cursor.fetchone()[0]
    (feature,) = layer_page("plots", parse_bbox("105.8,21.1,105.9,21.2")).features
    assert f'"geometry": {written},' in feature
