"""The buyer's cart, and checkout into one order per producer."""

import uuid
from collections import defaultdict
from decimal import Decimal

from django.contrib.gis.db.models.functions import Distance
from django.db import transaction
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from backend.numbers import checked_quantity, format_quantity
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import Buyer, CartItem, Offer, Order, OrderLine
from marketplace.permissions import require_buyer
from marketplace.services.offers import (
    is_on_sale,
    not_enough_stock,
    not_on_sale,
    unit_price_for,
)
from marketplace.services.orders import log_change

MAX_ORDER_TOTAL = 100_000_000_000  # VND: far above a farm order, far below bigint


def _check_orderable(offer: Offer, quantity: Decimal) -> None:
    """On sale, at least the minimum order, and no more than is left right now."""
    if not is_on_sale(offer):
        raise not_on_sale(offer)
    if quantity < offer.min_order_quantity:
        raise field_error(
            "quantity",
            _("The minimum order is %(min)s %(unit)s.")
            % {"min": format_quantity(offer.min_order_quantity), "unit": offer.get_unit_display()},
            MarketplaceErrorCode.BELOW_MINIMUM,
        )
    if quantity > offer.quantity_available:
        raise not_enough_stock(offer)


def _is_zero(value) -> bool:
    try:
        return Decimal(value).is_zero()
    except (TypeError, ValueError, ArithmeticError):
        return False  # checked_quantity explains what is wrong with it


def set_cart_quantity(actor, buyer: Buyer, offer: Offer, quantity: Decimal) -> CartItem | None:
    """Put ``quantity`` of an offer in the cart; zero takes it out."""
    require_buyer(actor, buyer)
    if _is_zero(quantity):
        CartItem.objects.filter(buyer=buyer, offer=offer).delete()
        return None
    quantity = checked_quantity(quantity)
    _check_orderable(offer, quantity)
    item, _created = CartItem.objects.update_or_create(
        buyer=buyer, offer=offer, defaults={"quantity": quantity}
    )
    return item


def _fulfilment_for(items: list[CartItem], fulfilment: str):
    """Check every line can be delivered to the buyer, or picked up at one place."""
    if fulfilment == Order.Fulfilment.PICKUP:
        places = {item.offer.pickup_place_id for item in items}
        if None in places:
            raise field_error(
                "fulfilment", _("Some offers cannot be picked up."), MarketplaceErrorCode.NO_PICKUP
            )
        if len(places) > 1:
            raise field_error(
                "fulfilment",
                _("These offers are picked up at different places: order them separately."),
                MarketplaceErrorCode.SEVERAL_PICKUP_PLACES,
            )
        return items[0].offer.pickup_place
    for item in items:
        radius = item.offer.delivery_radius_km
        if radius is None or item.distance.km > radius:
            raise field_error(
                "fulfilment",
                _("%(product)s from %(seller)s is not delivered to your address.")
                % {"product": item.offer.product.name, "seller": item.offer.producer.name},
                MarketplaceErrorCode.OUTSIDE_DELIVERY_AREA,
            )
    return None


def _place_order(actor, buyer: Buyer, checkout_id, items: list[CartItem], fulfilment, note):
    pickup_place = _fulfilment_for(items, fulfilment)
    order = Order(
        checkout_id=checkout_id,
        buyer=buyer,
        producer=items[0].offer.producer,
        fulfilment=fulfilment,
        delivery_address=buyer.delivery_address if pickup_place is None else "",
        pickup_place=pickup_place,
        note=note,
        total=0,
        placed_by=actor,
    )
    lines = []
    for item in items:
        offer = item.offer
        _check_orderable(offer, item.quantity)
        price, wholesale = unit_price_for(offer, buyer, item.quantity)
        lines.append(
            OrderLine(
                offer=offer,
                product=offer.product,
                unit=offer.unit,
                quantity=item.quantity,
                unit_price=price,
                wholesale=wholesale,
            )
        )
    order.total = sum(line.amount for line in lines)
    if order.total > MAX_ORDER_TOTAL:
        raise field_error(
            "cart",
            _("An order may be at most 100 billion VND: split it."),
            MarketplaceErrorCode.TOTAL_TOO_LARGE,
        )
    order.save()
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    log_change(order, actor, "", Order.Status.PLACED)
    return order


@transaction.atomic
def checkout(
    actor, buyer: Buyer, *, fulfilment: str, checkout_id: uuid.UUID | None = None, note: str = ""
) -> list[Order]:
    """Turn the cart into one order per producer. Sending the same ``checkout_id`` again
    (a retry without signal) returns the orders it made instead of ordering twice."""
    require_buyer(actor, buyer)
    note = (note or "").strip()
    if fulfilment not in Order.Fulfilment.values:
        raise field_error(
            "fulfilment", _("Choose delivery or pickup."), CommonErrorCode.INVALID_CHOICE
        )
    if len(note) > 500:
        raise field_error(
            "note", _("A note may be at most 500 characters."), MarketplaceErrorCode.NOTE_TOO_LONG
        )
    Buyer.objects.select_for_update().filter(pk=buyer.pk).first()  # one checkout at a time
    checkout_id = checkout_id or uuid.uuid4()
    done = list(Order.objects.filter(checkout_id=checkout_id))  # read after the lock
    if done:
        if any(order.buyer_id != buyer.pk for order in done):
            raise field_error(
                "checkout_id", _("This checkout is not yours."), MarketplaceErrorCode.CHECKOUT_TAKEN
            )
        return done
    items = list(
        buyer.cart_items.select_related("offer__product", "offer__producer").annotate(
            distance=Distance("offer__location", buyer.delivery_location)
        )
    )
    if not items:
        raise field_error("cart", _("Your cart is empty."), MarketplaceErrorCode.EMPTY_CART)
    by_producer = defaultdict(list)
    for item in items:
        by_producer[item.offer.producer_id].append(item)
    orders = [
        _place_order(actor, buyer, checkout_id, group, fulfilment, note)
        for group in by_producer.values()
    ]
    buyer.cart_items.all().delete()
    return orders
