"""Checkout, every order transition and refusal, stock, and the trace of a sale."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from marketplace.models import Order, Review
from marketplace.services.buyers import verify_buyer
from marketplace.services.cart import checkout, set_cart_quantity
from marketplace.services.offers import LotShare, create_offer, update_offer
from marketplace.services.orders import TRANSITIONS, change_status, next_statuses
from marketplace.services.reviews import review_order
from tests import factories
from tests.factories import kg, moment
from tests.marketplace.conftest import offer_terms, place, restaurant_near
from traceability.models import Batch
from traceability.services.batches import create_batch, recall_batch
from traceability.services.integrity import verify_batch
from traceability.steps import BusinessStep

Status = Order.Status


def codes(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


@pytest.fixture
def order(chef, buyer, offer):
    return place(chef, buyer, offer)


def test_checkout_makes_one_order_per_producer_and_empties_the_cart(
    chef, buyer, offer, owner, product
):
    other_farm = factories.ProducerFactory()
    other_owner = factories.member(factories.UserFactory(), other_farm)
    other_lot = create_batch(
        other_owner,
        producer=other_farm,
        product=product,
        plots=[factories.PlotFactory(producer=other_farm)],
        harvested_at=moment(1),
        quantity=kg(50),
    )
    other_offer = create_offer(
        other_owner,
        producer=other_farm,
        product=product,
        shares=[LotShare(other_lot, kg(50))],
        **offer_terms(price_per_unit=18_000),
    )
    set_cart_quantity(chef, buyer, offer, kg(10))
    set_cart_quantity(chef, buyer, other_offer, Decimal("2.5"))

    orders = checkout(chef, buyer, fulfilment="delivery", note="Giao trước 6 giờ sáng")

    assert sorted(o.total for o in orders) == [45_000, 200_000]
    assert {o.producer_id for o in orders} == {offer.producer_id, other_farm.pk}
    assert len({o.checkout_id for o in orders}) == 1
    assert all(o.status == Status.PLACED and o.changes.count() == 1 for o in orders)
    assert not buyer.cart_items.exists()
    assert orders[0].delivery_address == "Số 5 đường Cổ Loa"


def test_the_same_checkout_sent_twice_orders_once(chef, buyer, offer):
    checkout_id = uuid.uuid4()
    first = place(chef, buyer, offer, checkout_id=checkout_id)
    again = checkout(chef, buyer, fulfilment="delivery", checkout_id=checkout_id)
    assert [o.pk for o in again] == [first.pk]
    assert Order.objects.count() == 1


def test_cart_refuses_below_minimum_and_beyond_stock(chef, buyer, offer):
    with pytest.raises(ValidationError) as below:
        set_cart_quantity(chef, buyer, offer, Decimal("0.5"))
    with pytest.raises(ValidationError) as beyond:
        set_cart_quantity(chef, buyer, offer, kg(41))
    assert codes(below.value) == {"below_minimum"}
    assert codes(beyond.value) == {"not_enough_stock"}
    assert "40" in str(beyond.value)


def test_a_buyer_outside_the_delivery_area_must_pick_up(chef, offer, plot):
    far = restaurant_near(chef, plot, "Quán xa", km_east=60)
    set_cart_quantity(chef, far, offer, kg(5))
    with pytest.raises(ValidationError) as error:
        checkout(chef, far, fulfilment="delivery")
    assert codes(error.value) == {"outside_delivery_area"}
    assert far.cart_items.count() == 1  # nothing was lost


def test_confirming_reserves_stock_on_the_oldest_lot_and_cancelling_returns_it(
    owner, chef, order, offer, harvested
):
    change_status(owner, order, Status.CONFIRMED)
    offer.refresh_from_db()
    assert offer.quantity_available == kg(30)
    (allocation,) = order.lines.get().allocations.all()
    assert (allocation.batch_id, allocation.quantity) == (harvested.pk, kg(10))

    change_status(chef, order, Status.CANCELLED, reason="Khách huỷ tiệc")
    offer.refresh_from_db()
    assert offer.quantity_available == kg(40)
    assert offer.shares.get().allocated == 0
    assert not order.lines.get().allocations.exists()


def test_cancelling_a_placed_order_leaves_stock_alone(chef, order, offer):
    change_status(chef, order, Status.CANCELLED)
    offer.refresh_from_db()
    assert offer.quantity_available == kg(40)


def test_confirming_more_than_is_left_is_refused_with_not_enough_stock(owner, chef, buyer, offer):
    first = place(chef, buyer, offer, kg(30))
    second = place(chef, buyer, offer, kg(20))
    change_status(owner, first, Status.CONFIRMED)
    with pytest.raises(ValidationError) as error:
        change_status(owner, second, Status.CONFIRMED)
    assert codes(error.value) == {"not_enough_stock"}
    second.refresh_from_db()
    assert second.status == Status.PLACED


def test_delivery_continues_the_trace_of_the_lot(owner, chef, order, harvested):
    events_before = harvested.events.count()
    change_status(owner, order, Status.CONFIRMED)
    change_status(owner, order, Status.SHIPPED)
    change_status(chef, order, Status.DELIVERED)
    change_status(owner, order, Status.COMPLETED)

    shipping, receiving = harvested.events.order_by("sequence")[events_before:]
    assert (shipping.business_step, shipping.quantity) == (BusinessStep.SHIPPING, kg(10))
    assert (receiving.business_step, receiving.recorded_by) == (BusinessStep.RECEIVING, chef)
    assert shipping.details["order"] == order.code
    assert shipping.details["buyer_kind"] == "restaurant"
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == kg(90)
    assert verify_batch(harvested).intact
    assert [c.to_status for c in order.changes.all()] == [
        "placed",
        "confirmed",
        "shipped",
        "delivered",
        "completed",
    ]
    assert [c.changed_by for c in order.changes.all()] == [chef, owner, owner, chef, owner]


def test_pickup_goes_through_ready_and_records_both_handover_events(
    owner, chef, buyer, coop, product, harvested
):
    stall = factories.PlaceFactory(producer=coop)
    pickup_offer = create_offer(
        owner,
        producer=coop,
        product=product,
        shares=[LotShare(harvested, kg(10))],
        **offer_terms(delivery_radius_km=None, pickup_place=stall),
    )
    order = place(chef, buyer, pickup_offer, kg(4), fulfilment="pickup")
    assert order.pickup_place == stall and order.delivery_address == ""
    change_status(owner, order, Status.CONFIRMED)
    with pytest.raises(ValidationError) as shipped:
        change_status(owner, order, Status.SHIPPED)
    assert codes(shipped.value) == {"illegal_transition"}
    change_status(owner, order, Status.READY)
    change_status(chef, order, Status.DELIVERED)
    steps = list(harvested.events.values_list("business_step", "place_id").order_by("-sequence"))
    assert steps[:2] == [("receiving", stall.pk), ("shipping", stall.pk)]


@pytest.mark.parametrize(
    ("start", "target", "who", "code"),
    [
        (Status.PLACED, Status.CONFIRMED, "chef", "permission_denied"),
        (Status.PLACED, Status.SHIPPED, "owner", "illegal_transition"),
        (Status.PLACED, Status.DELIVERED, "chef", "illegal_transition"),
        (Status.PLACED, Status.COMPLETED, "owner", "illegal_transition"),
        (Status.PLACED, Status.CANCELLED, "owner", "permission_denied"),
        (Status.PLACED, Status.READY, "owner", "illegal_transition"),
        (Status.CONFIRMED, Status.SHIPPED, "chef", "permission_denied"),
        (Status.CONFIRMED, Status.REJECTED, "owner", "illegal_transition"),
        (Status.CONFIRMED, Status.PLACED, "owner", "illegal_transition"),
        (Status.SHIPPED, Status.DELIVERED, "owner", "permission_denied"),
        (Status.SHIPPED, Status.CANCELLED, "chef", "illegal_transition"),
        (Status.DELIVERED, Status.COMPLETED, "chef", "permission_denied"),
        (Status.DELIVERED, Status.CANCELLED, "chef", "illegal_transition"),
    ],
)
def test_refused_transitions_change_nothing(request, order, owner, chef, start, target, who, code):
    path = {
        Status.PLACED: [],
        Status.CONFIRMED: [(owner, Status.CONFIRMED)],
        Status.SHIPPED: [(owner, Status.CONFIRMED), (owner, Status.SHIPPED)],
        Status.DELIVERED: [
            (owner, Status.CONFIRMED),
            (owner, Status.SHIPPED),
            (chef, Status.DELIVERED),
        ],
    }[start]
    for actor, step in path:
        change_status(actor, order, step)
    changes = order.changes.count()
    actor = {"chef": chef, "owner": owner}[who]
    with pytest.raises((ValidationError, PermissionDenied)) as error:
        change_status(actor, order, target, reason="vì sao")
    if code == "permission_denied":
        assert isinstance(error.value, PermissionDenied)
    else:
        assert codes(error.value) == {code}
    order.refresh_from_db()
    assert order.status == start and order.changes.count() == changes


def test_every_declared_transition_is_reachable_by_its_party(owner, chef, order):
    order.status = Status.CONFIRMED
    assert next_statuses(order, {"seller"}) == [Status.SHIPPED, Status.CANCELLED]
    assert next_statuses(order, {"buyer"}) == [Status.CANCELLED]
    assert len(TRANSITIONS) == 11


def test_rejecting_needs_a_reason_which_is_kept(owner, order):
    with pytest.raises(ValidationError) as error:
        change_status(owner, order, Status.REJECTED)
    assert codes(error.value) == {"reason_required"}
    change_status(owner, order, Status.REJECTED, reason="Hết hàng do mưa lớn")
    assert order.changes.last().reason == "Hết hàng do mưa lớn"


def test_another_producer_cannot_see_or_move_the_order(stranger, order):
    with pytest.raises(PermissionDenied):
        change_status(stranger, order, Status.CONFIRMED)


def test_a_recalled_lot_cannot_be_sold_or_shipped(owner, chef, order, offer, harvested):
    change_status(owner, order, Status.CONFIRMED)
    recall_batch(owner, harvested, "Dư lượng thuốc vượt ngưỡng")
    with pytest.raises(ValidationError) as error:
        change_status(owner, order, Status.SHIPPED)
    assert codes(error.value) == {"recalled"}
    second = Order.objects.get(pk=order.pk)
    assert second.status == Status.CONFIRMED
    assert Batch.objects.get(pk=harvested.pk).remaining_quantity == kg(100)


def test_verified_businesses_pay_the_wholesale_price_from_its_quantity(
    chef, buyer, owner, coop, product, harvested
):
    wholesale = create_offer(
        owner,
        producer=coop,
        product=product,
        shares=[LotShare(harvested, kg(60))],
        **offer_terms(wholesale_price_per_unit=15_000, wholesale_min_quantity=kg(20)),
    )
    assert place(chef, buyer, wholesale, kg(25)).lines.get().unit_price == 20_000
    staff = factories.UserFactory(is_superuser=True)
    verify_buyer(staff, buyer)
    line = place(chef, buyer, wholesale, kg(25)).lines.get()
    assert (line.unit_price, line.wholesale) == (15_000, True)
    assert place(chef, buyer, wholesale, kg(5)).lines.get().unit_price == 20_000


def test_the_buyer_reviews_the_producer_once_after_delivery(owner, chef, order, stranger):
    with pytest.raises(ValidationError) as early:
        review_order(chef, order, stars=5, text="Rau tươi")
    assert codes(early.value) == {"not_delivered"}
    for actor, step in [(owner, "confirmed"), (owner, "shipped"), (chef, "delivered")]:
        change_status(actor, order, step)
    with pytest.raises(PermissionDenied):
        review_order(owner, order, stars=5)
    with pytest.raises(ValidationError) as stars:
        review_order(chef, order, stars=6)
    assert codes(stars.value) == {"stars"}
    review = review_order(chef, order, stars=4, text="  Rau tươi, giao đúng giờ ")
    assert (review.producer_id, review.text) == (order.producer_id, "Rau tươi, giao đúng giờ")
    with pytest.raises(ValidationError) as twice:
        review_order(chef, order, stars=1)
    assert codes(twice.value) == {"already_reviewed"}
    assert Review.objects.count() == 1


def test_status_change_time_is_recorded(owner, order):
    before = timezone.now()
    change_status(owner, order, Status.CONFIRMED)
    order.refresh_from_db()
    assert order.status_changed_at >= before
    assert order.changes.last().changed_at >= before


def test_after_a_recall_the_seller_cancels_a_shipped_order(owner, chef, order, offer, harvested):
    change_status(owner, order, Status.CONFIRMED)
    with pytest.raises(ValidationError) as early:
        change_status(owner, order, Status.CANCELLED)  # a reason is needed
    assert codes(early.value) == {"reason_required"}
    change_status(owner, order, Status.SHIPPED)
    assert Status.CANCELLED not in next_statuses(order, {"seller"})
    recall_batch(owner, harvested, "Dư lượng nitrat vượt ngưỡng")
    order.refresh_from_db()
    assert next_statuses(order, {"seller"}) == [Status.CANCELLED]
    change_status(owner, order, Status.CANCELLED, reason="Lô bị thu hồi, hoàn tiền")
    offer.refresh_from_db()
    assert offer.quantity_available == kg(30)  # shipped goods do not come back to stock


def test_a_split_cannot_take_what_confirmed_sales_reserved(owner, chef, order, harvested):
    from traceability.services.transformations import split_batch

    change_status(owner, order, Status.CONFIRMED)
    harvested.refresh_from_db()
    assert (harvested.reserved_quantity, harvested.free_quantity) == (kg(10), kg(90))
    with pytest.raises(ValidationError) as error:
        split_batch(owner, harvested, [kg(50), kg(45)], occurred_at=moment(0.5))
    assert codes(error.value) == {"insufficient_quantity"}
    change_status(owner, order, Status.SHIPPED)
    harvested.refresh_from_db()
    assert (harvested.remaining_quantity, harvested.reserved_quantity) == (kg(90), 0)


def test_a_lot_split_away_under_an_offer_is_refused_at_confirmation(owner, chef, order, harvested):
    from traceability.services.transformations import split_batch

    split_batch(owner, harvested, [kg(50), kg(50)], occurred_at=moment(0.5))
    with pytest.raises(ValidationError) as error:
        change_status(owner, order, Status.CONFIRMED)
    assert codes(error.value) == {"lot_short"}
    order.refresh_from_db()
    assert order.status == Status.PLACED


def test_a_paused_offer_still_honours_orders_already_placed(owner, order, offer):
    update_offer(owner, offer, status="paused")
    change_status(owner, order, Status.CONFIRMED)
    offer.refresh_from_db()
    assert offer.quantity_available == kg(30)


def test_a_total_over_the_limit_is_refused_not_crashed(chef, buyer, offer, monkeypatch):
    from marketplace.services import cart

    monkeypatch.setattr(cart, "MAX_ORDER_TOTAL", 500_000)  # 40 kg × 20,000 VND is 800,000
    set_cart_quantity(chef, buyer, offer, kg(40))
    with pytest.raises(ValidationError) as error:
        checkout(chef, buyer, fulfilment="delivery")
    assert codes(error.value) == {"total_too_large"}
