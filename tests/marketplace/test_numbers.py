"""Numbers typed the Vietnamese way (1.000 is a thousand, 2,5 two and a half) are read as
meant everywhere a person types one, and shown back that way with their unit."""

import re
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from backend.number_input import NumberField, WholeNumberField, parse_number
from farms.permissions import EXTENSION_STAFF_GROUP
from marketplace.models import CartItem, MarketPrice
from tests import factories
from tests.marketplace.conftest import survey_prices


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("12.000", Decimal(12000)),
        ("12000", Decimal(12000)),
        ("2,5", Decimal("2.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1.250.000", Decimal(1250000)),
        (" 12 000 ", Decimal(12000)),
        ("0,25", Decimal("0.25")),
    ],
)
def test_vietnamese_numbers_read_as_meant(typed, meant):
    with translation.override("vi"):
        assert parse_number(typed) == meant


@pytest.mark.parametrize("typed", ["2.5", "12.00", "1,2,3", "1.2.3", "abc", "12,", ",5", "1e5"])
def test_vietnamese_numbers_that_read_two_ways_are_refused_with_an_example(typed):
    with translation.override("vi"), pytest.raises(forms.ValidationError) as refused:
        parse_number(typed)
    assert "12.000" in refused.value.messages[0] and "2,5" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "meant"), [("12,000", Decimal(12000)), ("2.5", Decimal("2.5")), ("12000", 12000)]
)
def test_english_numbers_use_english_marks(typed, meant):
    with translation.override("en"):
        assert parse_number(typed) == meant
        with pytest.raises(forms.ValidationError):
            parse_number("2,5")


def test_a_price_is_a_whole_number_and_is_shown_grouped():
    with translation.override("vi"):
        field = WholeNumberField()
        assert field.clean("12.000") == 12000
        with pytest.raises(forms.ValidationError):
            field.clean("12,5")
        assert field.prepare_value(12000) == "12.000"


def test_a_quantity_field_shows_no_empty_decimals_and_its_unit():
    with translation.override("vi"):
        field = NumberField(unit="kg")
        assert field.prepare_value(Decimal("250.000")) == "250"
        assert field.prepare_value(Decimal("2.500")) == "2,5"
        html = field.widget.render("quantity", field.prepare_value(Decimal("1.000")))
    assert 'value="1"' in html and 'inputmode="decimal"' in html and ">kg</span>" in html


@pytest.fixture
def surveyor(client, db):
    staff = factories.UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    client.force_login(staff)
    return staff


def price_form(product, price: str, **extra) -> dict:
    return {
        "product": product.pk,
        "unit": "kg",
        "district": "Đông Anh",
        "price_per_unit": price,
        "observed_on": timezone.localdate().strftime("%d/%m/%Y"),
        **extra,
    }


def test_a_surveyor_types_twelve_thousand_and_twelve_thousand_is_saved(client, surveyor, product):
    answer = client.post("/admin/marketplace/marketprice/add/", price_form(product, "12.000"))

    assert answer.status_code == 302, answer.content.decode()[:2000]
    saved = MarketPrice.objects.get()
    assert saved.price_per_unit == 12000
    assert saved.observed_on == timezone.localdate()  # typed day first: 07/12, not July
    listing = client.get(answer["Location"], follow=True).content.decode()
    assert "MarketPrice object" not in listing
    assert "12.000\u00a0₫" in listing


def test_a_price_far_from_recent_ones_asks_to_be_confirmed(client, surveyor, product):
    survey_prices(product, (11000, 12000, 13000), surveyor)
    asked = client.post("/admin/marketplace/marketprice/add/", price_form(product, "120.000"))

    assert asked.status_code == 200
    page = asked.content.decode()
    assert "12.000\u00a0₫" in page and 'type="checkbox" name="price_is_right"' in page
    assert MarketPrice.objects.count() == 3

    asked_price = re.search(r'name="asked_price" value="(\d+)"', page)[1]
    confirmed = client.post(
        "/admin/marketplace/marketprice/add/",
        price_form(product, "120.000", price_is_right="on", asked_price=asked_price),
    )
    assert confirmed.status_code == 302
    assert MarketPrice.objects.filter(price_per_unit=120000).count() == 1


def test_a_batch_page_in_the_admin_shows_quantities_without_empty_decimals(admin_client, harvested):
    client = admin_client
    page = client.get(f"/admin/traceability/batch/{harvested.pk}/change/").content.decode()
    assert "100 kg" in page
    assert "100,000" not in page and "100.000" not in page


def test_a_buyer_types_one_and_a_half_kilograms(client, chef, buyer, offer):
    client.force_login(chef)
    page = client.get(f"/market/offers/{offer.uuid}/").content.decode()
    assert 'name="quantity" value="1"' in page and '<span class="unit">kg</span>' in page

    client.post(f"/market/offers/{offer.uuid}/", {"quantity": "1,5"})

    assert CartItem.objects.get().quantity == Decimal("1.5")
    cart = client.get("/market/cart/").content.decode()
    assert 'value="1,5"' in cart
    client.post(f"/market/cart/{offer.uuid}/", {"quantity": "2,5"})
    assert CartItem.objects.get().quantity == Decimal("2.5")
