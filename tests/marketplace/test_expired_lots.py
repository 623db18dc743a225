"""Past its use-by date, a lot is not offered, its sales are not confirmed nor shipped."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from marketplace.models import Order
from marketplace.services.cart import checkout, set_cart_quantity
from marketplace.services.offers import LotShare, create_offer
from marketplace.services.orders import change_status
from tests.factories import ProductFactory, error_code, harvested_lot, kg
from tests.marketplace.conftest import offer_terms, restaurant_near
from traceability.models import Batch


@pytest.fixture
def lettuce(db):
    return ProductFactory(code="xa-lach", shelf_life_days=5)


def test_past_its_use_by_a_lot_is_not_offered_confirmed_or_shipped(
    owner, coop, plot, lettuce, chef, django_capture_on_commit_callbacks
):
    old = harvested_lot(owner, coop, plot, lettuce, 8)
    with pytest.raises(ValidationError) as refused:
        create_offer(
            owner, producer=coop, product=lettuce, shares=[LotShare(old, kg(10))], **offer_terms()
        )
    assert error_code(refused.value) == "lot_expired"

    fresh = harvested_lot(owner, coop, plot, lettuce, 1)
    with pytest.raises(ValidationError) as refused:
        create_offer(
            owner,
            producer=coop,
            product=lettuce,
            shares=[LotShare(fresh, kg(10))],
            **offer_terms(available_to=fresh.use_by + datetime.timedelta(days=1)),
        )
    assert error_code(refused.value) == "offer_outlives_lot"

    offer = create_offer(
        owner,
        producer=coop,
        product=lettuce,
        shares=[LotShare(fresh, kg(20))],
        **offer_terms(available_to=fresh.use_by),
    )
    buyer = restaurant_near(chef, plot)
    set_cart_quantity(chef, buyer, offer, Decimal(5))
    (placed,) = checkout(chef, buyer, fulfilment="delivery")
    (confirmed_later,) = _order_again(chef, buyer, offer)
    change_status(owner, confirmed_later, Order.Status.CONFIRMED)
    Batch.objects.filter(pk=fresh.pk).update(use_by=timezone.localdate() - datetime.timedelta(1))
    with pytest.raises(ValidationError) as refused:
        change_status(owner, placed, Order.Status.CONFIRMED)
    assert error_code(refused.value) == "lot_expired"
    with pytest.raises(ValidationError) as refused:
        change_status(owner, confirmed_later, Order.Status.SHIPPED)
    assert error_code(refused.value) == "lot_expired"
    fresh.refresh_from_db()
    assert fresh.remaining_quantity == kg(50) and fresh.reserved_quantity == kg(5)


def _order_again(chef, buyer, offer):
    set_cart_quantity(chef, buyer, offer, Decimal(5))
    return checkout(chef, buyer, fulfilment="delivery")
