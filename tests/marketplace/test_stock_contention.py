"""Many buyers ordering the last kilograms at the same moment, on real PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from marketplace.models import Allocation, Offer, Order
from marketplace.services.cart import checkout, set_cart_quantity
from marketplace.services.offers import LotShare, create_offer
from marketplace.services.orders import change_status
from tests import factories
from tests.marketplace.conftest import offer_terms, restaurant_near

BUYERS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_orders_for_ten_units_sell_exactly_ten(
    owner, coop, product, harvested, plot
):
    offer = create_offer(
        owner,
        producer=coop,
        product=product,
        shares=[LotShare(harvested, Decimal(10))],
        **offer_terms(),
    )
    buyers = []
    for n in range(BUYERS):
        user = factories.UserFactory()
        buyers.append((user, restaurant_near(user, plot, f"Quán {n}")))
    start = threading.Barrier(BUYERS)

    def order_one_unit(user_and_buyer) -> str:
        user, buyer = user_and_buyer
        try:
            set_cart_quantity(user, buyer, offer, Decimal(1))
            (order,) = checkout(user, buyer, fulfilment="delivery")
            start.wait()  # every order is placed; now all are confirmed at once
            change_status(owner, order, Order.Status.CONFIRMED)
            return "sold"
        except ValidationError as error:
            return ",".join(e.code for errors in error.error_dict.values() for e in errors)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        outcomes = list(pool.map(order_one_unit, buyers))

    assert Order.objects.count() == BUYERS
    assert outcomes.count("sold") == 10
    assert set(outcomes) - {"sold"} == {"not_enough_stock"}
    offer.refresh_from_db()
    assert offer.quantity_available == 0
    assert offer.shares.get().allocated == 10
    assert sum(a.quantity for a in Allocation.objects.filter(line__offer=offer)) == 10
    assert Order.objects.filter(status=Order.Status.CONFIRMED).count() == 10
    assert Offer.objects.filter(quantity_available__lt=0).count() == 0
