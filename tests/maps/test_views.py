"""The map's endpoints as browsers and GIS tools use them."""

import datetime
import json

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from farms.permissions import EXTENSION_STAFF_GROUP
from maps.models import PlanningZone
from maps.services.layers import LAYERS
from tests import factories
from tests.maps.conftest import box, multi, plot, tile_of
from traceability.services.batches import create_batch

WORLD = "105.7,21.0,106.0,21.3"


def test_a_layer_pages_with_a_next_link(client, land, rice):
    farm = factories.ProducerFactory(kind="household")
    for i in range(3):
        plot(farm, box(105.81 + i * 0.01, 21.11, 105.812 + i * 0.01, 21.112), rice)
    first = client.get("/map/layers/plots.geojson", {"bbox": WORLD, "limit": 2}).json()
    assert first["numberReturned"] == 2 and first["features"][0]["properties"]["crop"] == "Lúa"
    (link,) = first["links"]
    rest = client.get(link["href"]).json()
    assert rest["numberReturned"] == 1 and rest["links"] == []


@pytest.mark.parametrize(
    "query", [{"bbox": "1,2"}, {"bbox": WORLD, "limit": "0"}, {"bbox": WORLD, "after": "-1"}]
)
def test_bad_parameters_get_a_translated_error(client, query):
    answer = client.get("/map/layers/plots.geojson", query)
    assert answer.status_code == 400 and answer.json()["error"]


def _scene(rice, count: int, west: float) -> None:
    """``count`` of everything each layer shows: cooperatives with a member's certified
    plot and a lot from it, markets, and zones planned for rice."""
    for i in range(count):
        x = west + i * 0.003
        cooperative = factories.ProducerFactory(kind="cooperative")
        member = factories.ProducerFactory(kind="household", cooperative=cooperative)
        field = plot(member, box(x, 21.11, x + 0.002, 21.112), rice)
        factories.CertificationFactory(producer=member).plots.set([field])
        farmer = factories.member(factories.UserFactory(), member)
        create_batch(farmer, producer=member, product=rice, plots=[field])
        factories.PlaceFactory(kind="market", location=Point(x, 21.115, srid=4326))
        zone = PlanningZone.objects.create(
            name=f"Vùng {x}",
            purpose="rice",
            geometry=multi(box(x, 21.10, x + 0.002, 21.12)),
            valid_from=datetime.date(2020, 1, 1),
        )
        zone.crops.set([rice])


def _queries_per_layer(client) -> dict[str, int]:
    counts = {}
    for name in LAYERS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/map/layers/{name}.geojson", {"bbox": WORLD}).status_code == 200
        counts[name] = len(queries)
    return counts


def test_a_layer_costs_the_same_queries_for_one_or_many_features(
    client, land, rice, django_assert_max_num_queries
):
    _scene(rice, 1, 105.81)
    few = _queries_per_layer(client)
    _scene(rice, 6, 105.82)
    for name in LAYERS:
        with django_assert_max_num_queries(few[name]):
            features = client.get(f"/map/layers/{name}.geojson", {"bbox": WORLD}).json()
        assert len(features["features"]) >= (2 if name == "communes" else 7), name


def test_a_plot_links_the_scan_pages_of_its_latest_lots(client, land, rice, owner, coop):
    field = plot(coop, box(105.81, 21.11, 105.812, 21.112), rice)
    lots = [create_batch(owner, producer=coop, product=rice, plots=[field]) for _ in range(4)]

    (feature,) = client.get("/map/layers/plots.geojson", {"bbox": WORLD}).json()["features"]

    newest = [lot.code for lot in reversed(lots)][:3]
    assert [lot["code"] for lot in feature["properties"]["lots"]] == newest
    assert client.get(feature["properties"]["lots"][0]["url"]).status_code == 200


def test_vector_tiles_carry_the_plots_of_their_tile(client, land, rice):
    farm = factories.ProducerFactory(kind="household")
    inside = plot(farm, box(105.81, 21.11, 105.812, 21.112), rice)
    factories.CertificationFactory(producer=farm).plots.set([inside])
    x, y = tile_of(105.811, 21.111, 14)
    answer = client.get(f"/map/tiles/plots/14/{x}/{y}.mvt")
    assert answer["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layer = mapbox_vector_tile.decode(answer.content)["plots"]
    (feature,) = layer["features"]
    assert feature["properties"] == {"crop": "lua", "certification": "vietgap"}
    assert client.get("/map/tiles/plots/5/25/14.mvt").content == b"", "too far out for plots"
    assert client.get("/map/tiles/plots/3/9/0.mvt").status_code == 404


def test_the_analyses_are_for_staff_only(client, land, rice, owner):
    farm = factories.ProducerFactory(kind="household")
    plot(farm, box(105.81, 21.11, 105.812, 21.112), rice)
    client.force_login(owner)
    assert client.get("/map/analysis/").status_code == 403
    owner.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    page = client.get("/map/analysis/")
    assert page.status_code == 200 and "Vân Nội" in page.content.decode()
    csv = client.get("/map/analysis/area-by-crop-and-commune.csv").content.decode()
    assert csv.splitlines()[1].startswith("Đông Anh,00454,Vân Nội,lua,Lúa,1,1,")
    geojson = client.get("/map/analysis/plots-against-plan.geojson").json()
    assert geojson["features"][0]["geometry"]["type"] == "Polygon"
    assert client.get("/map/analysis/nothing.csv").status_code == 404


def test_the_map_page_carries_its_legend_and_loads_nothing_from_elsewhere(client, land, rice):
    plot(factories.ProducerFactory(kind="household"), box(105.81, 21.11, 105.812, 21.112), rice)
    page = client.get("/map/").content.decode()
    assert "vendor/leaflet/leaflet" in page and "maps/map.js" in page
    assert "Lúa" in page and "Vùng quy hoạch" in page
    assert "unpkg" not in page and "cdn" not in page.lower()


def test_a_household_is_never_named_on_the_public_map_but_a_cooperative_is(client, land, rice):
    farm = factories.ProducerFactory(kind="household", name="Hộ Lê Văn Tám")
    farmer = factories.member(factories.UserFactory(), farm)
    field = plot(farm, box(105.81, 21.11, 105.812, 21.112), rice)
    lot = create_batch(farmer, producer=farm, product=rice, plots=[field])
    cooperative = factories.ProducerFactory(kind="cooperative", name="HTX Rau sạch Vân Nội")
    plot(cooperative, box(105.814, 21.11, 105.816, 21.112), rice)

    layers = {
        name: client.get(f"/map/layers/{name}.geojson", {"bbox": WORLD}).content.decode()
        for name in ("producers", "plots")
    }
    for name, text in layers.items():
        assert "Hộ Lê Văn Tám" not in text, name
        assert "HTX Rau sạch Vân Nội" in text, name
        # Each page these would link to names the household.
        for leads_to_the_name in (str(farm.uuid), field.location_code, lot.code):
            assert leads_to_the_name not in text, name
    household_plot = next(
        f for f in json.loads(layers["plots"])["features"] if f["id"] == field.pk
    )["properties"]
    assert household_plot["crop_code"] == "lua" and household_plot["producer_url"] is None
    x, y = tile_of(105.811, 21.111, 14)
    for layer in ("plots", "producers"):
        tile = client.get(f"/map/tiles/{layer}/14/{x}/{y}.mvt").content
        assert tile and "Hộ Lê Văn Tám".encode() not in tile


def test_a_night_market_entered_in_the_admin_is_open_across_midnight_on_the_map(admin_client):
    now = timezone.localtime()

    def clock(hours: int) -> str:
        return (now + datetime.timedelta(hours=hours)).strftime("%H:%M")

    markets = {
        # Opens in two hours, closes in one hour the next day: now is in last night's span.
        "Chợ đầu mối đêm": (f"Mo-Su {clock(2)}-{clock(1)}", True),
        "Chợ sáng": (f"Mo-Su {clock(1)}-{clock(-1)}", False),
    }
    for name, (hours, _open) in markets.items():
        form = {
            "kind": "market",
            "name": name,
            "province": "Hà Nội",
            "opening_hours": hours,
            "location": Point(105.82, 21.12, srid=4326).ewkt,  # else read as the map's SRID
        }
        response = admin_client.post(reverse("admin:farms_place_add"), form)
        assert response.status_code == 302, response.context["adminform"].form.errors
    features = client_get_places(admin_client)
    assert {f["properties"]["name"]: f["properties"]["open_now"] for f in features} == {
        name: expected for name, (_hours, expected) in markets.items()
    }


def client_get_places(client) -> list[dict]:
    return client.get("/map/layers/places.geojson", {"bbox": WORLD}).json()["features"]
