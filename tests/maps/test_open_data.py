"""Open data: aggregated and anonymous, with a dictionary that matches the files."""

import csv
import datetime
import io

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from farms.models import Place, Producer
from maps import tasks
from maps.models import OpenDataFile
from maps.services.open_data import DATASETS, price_index
from tests import factories
from tests.maps.conftest import box, plot

HOME = Point(105.8111111, 21.1555555, srid=4326)  # a farmer's house, never published
PRIVATE = ["Trần Thị Kín", "0988777666", "kin@example.vn", "Ngõ Bí Mật", "105.811111"]


def household(crop, polygon, name: str = "Hộ Trần Thị Kín"):
    farm = factories.ProducerFactory(
        kind=Producer.Kind.HOUSEHOLD,
        name=name,
        registration_code="",
        street_address="Số 7 Ngõ Bí Mật",
        contact_name="Trần Thị Kín",
        contact_phone="0988777666",
        contact_email="kin@example.vn",
        location=HOME,
    )
    plot(farm, polygon, crop)
    return farm


def rows_of(client, name: str) -> list[dict]:
    response = client.get(f"/open-data/{name}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def farmland(land, rice, greens):
    """Three rice households in Vân Nội (west), two vegetable households in Nguyên Khê."""
    for index in range(3):
        west = 105.81 + index * 0.01
        household(rice, box(west, 21.12, west + 0.001, 21.121), f"Hộ lúa {index}")
    for index in range(2):
        east = 105.86 + index * 0.01
        household(greens, box(east, 21.12, east + 0.001, 21.121), f"Hộ rau {index}")


def test_crop_areas_withhold_what_fewer_than_three_producers_grow(client, farmland):
    rows = {row["crop"]: row for row in rows_of(client, "crop-areas-by-commune")}

    assert (rows["Lúa"]["commune"], rows["Lúa"]["producers"], rows["Lúa"]["plots"]) == (
        "Vân Nội",
        "3",
        "3",
    )
    assert rows["Lúa"]["area_ha"] == "3.5" and rows["Lúa"]["suppressed"] == "False"  # 0.1 ha
    assert rows["Lúa"]["households"] == "3"
    greens = rows["Rau muống"]
    assert (greens["commune"], greens["suppressed"]) == ("Nguyên Khê", "True")
    assert greens["area_ha"] == greens["producers"] == greens["plots"] == ""


def test_the_threshold_is_a_setting(client, farmland, settings):
    settings.OPEN_DATA_MIN_PRODUCERS = 2
    rows = {row["crop"]: row for row in rows_of(client, "crop-areas-by-commune")}
    assert rows["Rau muống"]["producers"] == "2"


def test_only_organisations_are_named_among_certified_producers(client, land, rice):
    coop = factories.ProducerFactory(name="HTX Nông nghiệp Vân Nội")
    covered = plot(coop, box(105.81, 21.12, 105.812, 21.122), rice)
    factories.CertificationFactory(producer=coop, number="VG-001").plots.set([covered])
    expired = timezone.localdate() - datetime.timedelta(days=1)
    factories.CertificationFactory(
        producer=coop,
        number="VG-OLD",
        valid_from=expired - datetime.timedelta(days=9),
        valid_to=expired,
    )
    farm = household(rice, box(105.83, 21.12, 105.831, 21.121))
    factories.CertificationFactory(producer=farm, number="VG-HOUSEHOLD")

    (row,) = rows_of(client, "certified-producers")

    assert (row["producer"], row["certificate_number"], row["kind"]) == (
        "HTX Nông nghiệp Vân Nội",
        "VG-001",
        "cooperative",
    )
    assert float(row["certified_area_ha"]) == pytest.approx(covered.area_m2 / 10_000, rel=2e-3)
    assert row["verified"] == "False"


def test_market_places_list_only_places_that_sell(client, db):
    factories.PlaceFactory(
        kind=Place.Kind.MARKET, name="Chợ Vân Trì", opening_hours="Mo-Su 05:00-10:00"
    )
    factories.PlaceFactory(kind=Place.Kind.PACKING_HOUSE, name="Nhà sơ chế")

    (row,) = rows_of(client, "market-places")

    assert (row["name"], row["kind"], row["opening_hours"]) == (
        "Chợ Vân Trì",
        "market",
        "Mo-Su 05:00-10:00",
    )
    geojson = client.get("/open-data/market-places.geojson").json()
    assert geojson["features"][0]["geometry"]["type"] == "Point"


def test_the_price_index_is_weighted_and_starts_at_100(db):
    product = factories.ProductFactory(code="ca-chua", name_vi="Cà chua")

    def price(day: datetime.date, value: int, samples: int):
        factories.DailyPriceFactory(product=product, day=day, average_price=value, samples=samples)

    price(datetime.date(2024, 10, 5), 99_000, 1)  # more than 24 months back: left out
    price(datetime.date(2026, 9, 3), 10_000, 2)
    price(datetime.date(2026, 10, 1), 11_000, 1)
    price(datetime.date(2026, 10, 20), 13_000, 3)

    rows = price_index(datetime.date(2026, 11, 24)).as_dicts()

    assert [(r["month"], r["observations"], r["average_price_vnd"]) for r in rows] == [
        ("2026-09", 2, 10_000),
        ("2026-10", 4, 12_500),
    ]
    assert [float(r["price_index"]) for r in rows] == [100.0, 125.0]
    assert {r["base_month"] for r in rows} == {"2026-09"}


def test_no_dataset_holds_personal_data(client, farmland, rice):
    coop = factories.ProducerFactory(contact_phone="0988777666", street_address="Ngõ Bí Mật 1")
    factories.CertificationFactory(producer=coop).plots.set(
        [plot(coop, box(105.815, 21.13, 105.816, 21.131), rice)]
    )
    factories.PlaceFactory(kind=Place.Kind.SHOP, name="Cửa hàng rau", address="Số 7 Ngõ Bí Mật")

    for name in DATASETS:
        for extension in ("csv", "geojson"):
            body = client.get(f"/open-data/{name}.{extension}").content.decode()
            for private in [*PRIVATE, "Hộ lúa", "Hộ rau", "Nguyễn Văn Bình", "0912345678"]:
                assert private not in body, (name, extension, private)


def test_the_dictionary_describes_every_column_of_every_file(client, farmland):
    package = client.get("/open-data/datapackage.json").json()

    assert package["licenses"] == [
        {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}
    ]
    csv_files = [r for r in package["resources"] if r["format"] == "csv"]
    assert {r["name"] for r in csv_files} == set(DATASETS)
    for resource in csv_files:
        assert resource["path"].startswith("http://testserver/open-data/")
        header = client.get(resource["path"]).content.decode().splitlines()[0]
        assert [field["name"] for field in resource["schema"]["fields"]] == header.split(",")
        assert all(field["description"] for field in resource["schema"]["fields"])


def test_the_catalogue_page_speaks_vietnamese_and_the_map_links_it(client, db):
    page = client.get("/open-data/").content.decode()
    assert "Dữ liệu mở nông nghiệp" in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page
    for name in DATASETS:
        assert f'href="/open-data/{name}.geojson"' in page
    assert 'href="/open-data/"' in client.get("/map/").content.decode()


def test_a_published_file_stays_until_the_next_publication(client, farmland, rice):
    first = client.get("/open-data/crop-areas-by-commune.csv")  # the first asks for a build
    household(rice, box(105.84, 21.15, 105.841, 21.151), "Hộ lúa mới")
    again = client.get("/open-data/crop-areas-by-commune.csv")
    assert again.content == first.content and again["Last-Modified"] == first["Last-Modified"]

    assert tasks.publish_open_data() == 2 * len(DATASETS)

    rows = {row["crop"]: row for row in rows_of(client, "crop-areas-by-commune")}
    assert rows["Lúa"]["producers"] == "4"


@pytest.mark.celery_broker
def test_before_the_first_build_a_worker_is_asked_and_the_reader_told_to_wait(
    client, farmland, broker_app
):
    with broker_app.connection_for_write() as connection:
        queue = connection.default_channel.queue_declare(
            broker_app.conf.task_default_queue, passive=False
        )
        assert queue.message_count == 0
        waiting = client.get("/open-data/market-places.csv")
        client.get("/open-data/market-places.geojson")  # asked again before the build
        queued = connection.default_channel.queue_declare(
            broker_app.conf.task_default_queue, passive=True
        )

    assert waiting.status_code == 503 and waiting["Retry-After"] == "300"
    assert "no-cache" in waiting["Cache-Control"]  # not kept by any cache for an hour
    assert "thử lại" in waiting.content.decode()
    assert queued.message_count == 1  # one build waits for a worker, however many ask
    assert not OpenDataFile.objects.exists()


def test_an_unknown_dataset_is_not_found(client, db):
    assert client.get("/open-data/farmers.csv").status_code == 404


def test_a_few_households_beside_organisations_are_withheld(client, land, rice):
    """Two cooperatives' certified areas are published one by one: with a single
    household beside them, the district total would give that household's area."""
    for index in range(2):
        coop = factories.ProducerFactory()
        field = plot(coop, box(105.81 + index * 0.01, 21.12, 105.815 + index * 0.01, 21.125), rice)
        factories.CertificationFactory(producer=coop).plots.set([field])
    farm = household(rice, box(105.86, 21.12, 105.862, 21.122))
    factories.CertificationFactory(producer=farm).plots.set(list(farm.plots.all()))

    (district,) = rows_of(client, "certified-area-by-district")

    assert (district["producers"], district["area_ha"], district["suppressed"]) == ("", "", "True")
    assert len(rows_of(client, "certified-producers")) == 2


def test_a_group_certificate_publishes_only_the_organisation_s_own_land(client, land, rice):
    coop = factories.ProducerFactory()
    own = plot(coop, box(105.81, 21.12, 105.815, 21.125), rice)
    member = household(rice, box(105.86, 21.12, 105.87, 21.13))
    factories.CertificationFactory(producer=coop).plots.set([own, *member.plots.all()])

    (row,) = rows_of(client, "certified-producers")

    assert float(row["certified_area_ha"]) == pytest.approx(own.area_m2 / 10_000, rel=2e-3)


def test_a_household_s_shop_is_neither_open_data_nor_on_the_map(client, land):
    farm = household(None, box(105.86, 21.12, 105.862, 21.122))
    factories.PlaceFactory(kind=Place.Kind.SHOP, name="Quầy rau nhà Kín", producer=farm)
    factories.PlaceFactory(kind=Place.Kind.MARKET, name="Chợ Vân Trì")

    assert [row["name"] for row in rows_of(client, "market-places")] == ["Chợ Vân Trì"]
    layer = client.get("/map/layers/places.geojson", {"bbox": "105,20,107,22"}).json()
    assert [f["properties"]["name"] for f in layer["features"]] == ["Chợ Vân Trì"]
