"""Offers refuse prices no one would pay for their unit (1 đồng a kilogram)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from graphql_relay import to_global_id

from marketplace.models import Offer
from marketplace.services.offers import LotShare, create_offer, update_offer
from tests.marketplace.conftest import offer_terms, survey_prices

CREATE_OFFER = """
mutation($input: CreateOfferInput!) {
  createOffer(input: $input) { offer { pricePerUnit } errors { field code } }
}"""
UPDATE_OFFER = """
mutation($input: UpdateOfferInput!) {
  updateOffer(input: $input) { offer { pricePerUnit status } errors { field code } }
}"""


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"price_per_unit": 1}, "price_per_unit"),
        ({"price_per_unit": 0}, "price_per_unit"),
        ({"price_per_unit": 60_000_000}, "price_per_unit"),
        ({"wholesale_price_per_unit": 150}, "wholesale_price_per_unit"),
    ],
)
def test_an_implausible_price_per_kg_is_refused(owner, coop, product, harvested, terms, field):
    with pytest.raises(ValidationError) as refused:
        create_offer(
            owner,
            producer=coop,
            product=product,
            shares=[LotShare(harvested, Decimal(10))],
            **offer_terms(**terms),
        )
    assert refused.value.error_dict[field][0].code == "implausible_price"
    assert not Offer.objects.exists()


def test_an_offer_with_an_old_absurd_price_can_still_be_closed(owner, offer):
    Offer.objects.filter(pk=offer.pk).update(price_per_unit=1)  # stored before the ranges
    offer.refresh_from_db()
    with pytest.raises(ValidationError):
        update_offer(owner, offer, price_per_unit=2)
    assert update_offer(owner, offer, status=Offer.Status.CLOSED).status == Offer.Status.CLOSED


def test_the_app_gets_implausible_price_as_a_typed_error(api, coop, product, harvested, offer):
    today = timezone.localdate().isoformat()
    lots = [{"batchId": to_global_id("BatchNode", harvested.pk), "quantity": "10"}]
    new = {
        "producerId": to_global_id("ProducerNode", coop.pk),
        "productId": to_global_id("ProductNode", product.pk),
        "pricePerUnit": 1,
        "availableFrom": today,
        "availableTo": today,
        "deliveryRadiusKm": 10,
        "lots": lots,
    }
    created = api(CREATE_OFFER, {"input": new})["data"]["createOffer"]
    assert created == {
        "offer": None,
        "errors": [{"field": "pricePerUnit", "code": "implausible_price"}],
    }
    offer_id = to_global_id("OfferNode", offer.pk)
    for field in ("pricePerUnit", "wholesalePricePerUnit"):
        changed = api(UPDATE_OFFER, {"input": {"offerId": offer_id, field: 1}})
        assert changed["data"]["updateOffer"]["errors"] == [
            {"field": field, "code": "implausible_price"}
        ]
    assert Offer.objects.get().price_per_unit == 20_000


@pytest.fixture
def surveyed(product):
    """Three survey prices of the product around 20.000 đ/kg this week."""
    survey_prices(product, (19_000, 20_000, 21_000))


def test_a_price_far_from_recent_ones_is_sold_only_once_confirmed(
    api, coop, product, harvested, surveyed
):
    today = timezone.localdate().isoformat()
    new = {
        "producerId": to_global_id("ProducerNode", coop.pk),
        "productId": to_global_id("ProductNode", product.pk),
        "pricePerUnit": 200_000,  # a zero too many
        "availableFrom": today,
        "availableTo": today,
        "deliveryRadiusKm": 10,
        "lots": [{"batchId": to_global_id("BatchNode", harvested.pk), "quantity": "10"}],
    }
    asked = api(CREATE_OFFER, {"input": new})["data"]["createOffer"]
    assert asked == {"offer": None, "errors": [{"field": "pricePerUnit", "code": "unusual_price"}]}
    assert not Offer.objects.exists()

    usual = api(CREATE_OFFER, {"input": {**new, "pricePerUnit": 25_000}})["data"]["createOffer"]
    assert usual["errors"] == []
    offer_id = to_global_id("OfferNode", Offer.objects.get().pk)
    raised = api(UPDATE_OFFER, {"input": {"offerId": offer_id, "pricePerUnit": 250_000}})
    assert raised["data"]["updateOffer"]["errors"] == [
        {"field": "pricePerUnit", "code": "unusual_price"}
    ]
    confirmed = api(
        UPDATE_OFFER,
        {"input": {"offerId": offer_id, "pricePerUnit": 250_000, "priceConfirmed": True}},
    )
    assert confirmed["data"]["updateOffer"]["offer"]["pricePerUnit"] == 250_000
