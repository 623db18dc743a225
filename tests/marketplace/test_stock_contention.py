"""Many buyers ordering the last kilograms at the same moment, on real PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from marketplace.models import Allocation, Offer, Order
from marketplace.services.cart import checkout, set_cart_quantity
from marketplace.services.offers import LotShare, create_offer, update_offer
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


@pytest.mark.django_db(transaction=True)
def test_confirmations_cancellations_and_edits_at_once_never_deadlock(
    owner, coop, product, harvested, plot
):
    """Every writer takes its locks in one order (order, offer, shares, lot), so a mixed
    load finishes without PostgreSQL aborting anyone, and stock adds up."""
    offer = create_offer(
        owner,
        producer=coop,
        product=product,
        shares=[LotShare(harvested, Decimal(60))],
        **offer_terms(),
    )
    orders = []
    for n in range(12):
        user = factories.UserFactory()
        buyer = restaurant_near(user, plot, f"Quán {n}")
        set_cart_quantity(user, buyer, offer, Decimal(2))
        (placed,) = checkout(user, buyer, fulfilment="delivery")
        orders.append((user, placed))
    for _user, placed in orders[:6]:
        change_status(owner, placed, Order.Status.CONFIRMED)

    def confirm(placed):
        change_status(owner, placed, Order.Status.CONFIRMED)

    def cancel(placed):
        change_status(owner, placed, Order.Status.CANCELLED, reason="Hết xe giao")

    def reprice(price):
        update_offer(owner, offer, price_per_unit=price)

    work = [(confirm, placed) for _u, placed in orders[6:]]
    work += [(cancel, placed) for _u, placed in orders[:6]]
    work += [(reprice, 20_000 + n) for n in range(6)]
    start = threading.Barrier(len(work))

    def run(item):
        action, argument = item
        try:
            start.wait()
            action(argument)
            return "ok"
        except Exception as error:  # the test reports whatever went wrong
            return f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        outcomes = list(pool.map(run, work))

    assert [o for o in outcomes if o != "ok"] == []
    offer.refresh_from_db()
    harvested.refresh_from_db()
    shares = offer.shares.get()
    assert offer.quantity_available == shares.quantity - shares.allocated == Decimal(48)
    assert harvested.reserved_quantity == shares.allocated == Decimal(12)
