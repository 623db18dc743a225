"""Prices through the app's GraphQL endpoint: reading for everyone signed in, recording
survey prices for extension staff only."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from graphql_relay import to_global_id

from farms.models import Place
from farms.permissions import EXTENSION_STAFF_GROUP
from marketplace.models import DailyPrice, MarketPrice
from tests.factories import UserFactory
from tests.mobile_api.conftest import Api, token_for

RECORD = """mutation($input: RecordMarketPriceInput!) {
  recordMarketPrice(input: $input) {
    marketPrice { district pricePerUnit observedOn product { code } place { name } }
    errors { field code message } } }"""

HISTORY = """query($product: ID!, $district: String, $since: Date) {
  priceHistory(product: $product, district: $district, since: $since) {
    day source averagePrice minPrice maxPrice volume samples } }"""

OUTLOOK = """query($product: ID!) {
  priceOutlook(product: $product) {
    unit enoughData yearsOfData trendPerYear method
    weeks { year week startsOn expectedPrice typicalVolume years } } }"""


@pytest.fixture
def surveyor(db):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    return user


@pytest.fixture
def surveyor_api(client, rf, surveyor):
    return Api(client, token_for(surveyor, rf))


def entry(product, **changes) -> dict:
    return {
        "productId": to_global_id("ProductNode", product.pk),
        "district": "Đông Anh",
        "pricePerUnit": 22_000,
        "observedOn": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        **changes,
    }


def test_extension_staff_record_a_market_price(surveyor_api, surveyor, product):
    market = Place.objects.create(kind=Place.Kind.MARKET, name="Chợ Đông Anh")
    data = surveyor_api.ok(
        RECORD, {"input": entry(product, placeId=to_global_id("PlaceNode", market.pk))}
    )
    saved = data["recordMarketPrice"]["marketPrice"]
    assert saved == {
        "district": "Đông Anh",
        "pricePerUnit": 22_000,
        "observedOn": entry(product)["observedOn"],
        "product": {"code": product.code},
        "place": {"name": "Chợ Đông Anh"},
    }
    stored = MarketPrice.objects.get()
    assert stored.recorded_by == surveyor
    assert stored.unit == product.unit  # left out: the product's own unit
    assert DailyPrice.objects.get(source="market").average_price == 22_000


def test_a_product_may_be_named_by_its_code(surveyor_api, product):
    surveyor_api.ok(
        RECORD,
        {"input": entry(product, productId=product.code, unit="tan", pricePerUnit=22_000_000)},
    )
    assert MarketPrice.objects.get().unit == "tan"


def test_a_farmer_may_not_record_market_prices(api, product):
    result = api(RECORD, {"input": entry(product)})["data"]["recordMarketPrice"]
    assert result["marketPrice"] is None
    assert [error["code"] for error in result["errors"]] == ["permission_denied"]
    assert result["errors"][0]["message"]
    assert not MarketPrice.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"pricePerUnit": 0}, "pricePerUnit", "implausible_price"),
        ({"pricePerUnit": 1}, "pricePerUnit", "implausible_price"),
        ({"pricePerUnit": 22_000, "unit": "tan"}, "pricePerUnit", "implausible_price"),
        ({"observedOn": "2099-01-01"}, "observedOn", "future_date"),
        ({"district": "   "}, "district", "district_required"),
        ({"unit": "bao"}, "unit", "invalid_unit"),
        ({"productId": "khong-co"}, "productId", "not_found"),
    ],
)
def test_refusals_come_back_as_typed_errors(surveyor_api, product, changes, field, code):
    result = surveyor_api(RECORD, {"input": entry(product, **changes)})
    errors = result["data"]["recordMarketPrice"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert not MarketPrice.objects.exists()


@pytest.fixture
def recorded(product):
    today = timezone.localdate()

    def daily(days_ago, source, price, district="Đông Anh", volume=0):
        return DailyPrice(
            product=product,
            unit="kg",
            district=district,
            day=today - datetime.timedelta(days=days_ago),
            source=source,
            average_price=price,
            min_price=price,
            max_price=price,
            volume=volume,
            samples=1,
        )

    DailyPrice.objects.bulk_create(
        [
            daily(1, "orders", 20_000, volume=10),
            daily(1, "orders", 30_000, district="Gia Lâm", volume=30),
            daily(1, "market", 26_000),
            daily(5, "market", 25_000),
            daily(200, "market", 90_000),  # older than the default 90 days
        ]
    )
    return product


def test_anyone_signed_in_reads_the_price_history(api, recorded):
    points = api.ok(HISTORY, {"product": recorded.code})["priceHistory"]
    today = timezone.localdate()
    assert [(p["day"], p["source"], p["averagePrice"]) for p in points] == [
        ((today - datetime.timedelta(days=5)).isoformat(), "MARKET", 25_000),
        ((today - datetime.timedelta(days=1)).isoformat(), "MARKET", 26_000),
        ((today - datetime.timedelta(days=1)).isoformat(), "ORDERS", 27_500),
    ]
    assert points[2]["volume"] == "40.000" and points[2]["samples"] == 2

    by_id = {"product": to_global_id("ProductNode", recorded.pk), "district": "Gia Lâm"}
    assert [p["averagePrice"] for p in api.ok(HISTORY, by_id)["priceHistory"]] == [30_000]
    since = (today - datetime.timedelta(days=365)).isoformat()
    older = api.ok(HISTORY, {"product": recorded.code, "since": since})["priceHistory"]
    assert older[0]["averagePrice"] == 90_000


def test_the_outlook_says_when_there_is_not_enough_data(api, recorded):
    outlook = api.ok(OUTLOOK, {"product": recorded.code})["priceOutlook"]
    assert (outlook["unit"], outlook["enoughData"], outlook["trendPerYear"]) == ("kg", False, None)
    assert len(outlook["weeks"]) == 8
    assert {w["expectedPrice"] for w in outlook["weeks"]} == {None}
    assert outlook["method"]


def test_prices_need_a_signed_in_user(anonymous_api, recorded):
    body = anonymous_api(HISTORY, {"product": recorded.code})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "sign_in_required"


def test_an_unknown_product_is_not_found(api, db):
    body = api(OUTLOOK, {"product": "khong-co"})
    assert body["errors"][0]["extensions"]["code"] == "not_found"
    body = api(HISTORY, {"product": to_global_id("PlotNode", 1)})
    assert body["errors"][0]["extensions"]["code"] == "not_found"


def test_a_survey_price_far_from_recent_ones_is_saved_only_once_confirmed(
    surveyor_api, surveyor, product
):
    from tests.marketplace.conftest import survey_prices

    survey_prices(product, (21_000, 22_000, 23_000), surveyor)
    slip = entry(product, pricePerUnit=220_000)  # a zero too many

    asked = surveyor_api(RECORD, {"input": slip})["data"]["recordMarketPrice"]
    assert [(e["field"], e["code"]) for e in asked["errors"]] == [("pricePerUnit", "unusual_price")]
    assert MarketPrice.objects.count() == 3

    confirmed = surveyor_api.ok(RECORD, {"input": {**slip, "priceConfirmed": True}})
    assert confirmed["recordMarketPrice"]["marketPrice"]["pricePerUnit"] == 220_000
