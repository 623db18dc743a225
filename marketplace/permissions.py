"""Who may act in the market network. Producer-side rights come from farms.permissions;
this module adds the buyer side and decides, in one place, which party of an order a
person is."""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from farms.permissions import EXTENSION_STAFF_GROUP, Action, can, group_names, producers_for
from marketplace.models import Buyer, Offer, Order


class Party(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


def buyers_for(user) -> QuerySet[Buyer]:
    """The buyers ``user`` orders for (superusers: all, to help people in the admin)."""
    if not user.is_authenticated or not user.is_active:
        return Buyer.objects.none()
    if user.is_superuser:
        return Buyer.objects.all()
    return Buyer.objects.filter(members=user)


def require_buyer(user, buyer: Buyer) -> None:
    if not buyers_for(user).filter(pk=buyer.pk).exists():
        raise PermissionDenied(_("You may not order for %(buyer)s.") % {"buyer": buyer.name})


def orders_for(user) -> QuerySet[Order]:
    """Orders ``user`` takes part in, as a buyer's person or as a seller's."""
    if not user.is_authenticated or not user.is_active:
        return Order.objects.none()
    return Order.objects.filter(
        Q(buyer__in=buyers_for(user)) | Q(producer__in=producers_for(user, Action.OPERATE))
    )


def parties_of(user, order: Order) -> set[Party]:
    """Which sides of ``order`` the user acts for (a cooperative manager may be both)."""
    return order_parties(
        order,
        set(buyers_for(user).filter(pk=order.buyer_id).values_list("pk", flat=True)),
        {order.producer_id} if can(user, Action.OPERATE, order.producer) else set(),
    )


def order_parties(order: Order, buyer_ids: set[int], seller_ids: set[int]) -> set[Party]:
    """The same decision from the ids a request already knows (lists stay at a constant
    number of queries)."""
    parties = set()
    if order.buyer_id in buyer_ids:
        parties.add(Party.BUYER)
    if order.producer_id in seller_ids:
        parties.add(Party.SELLER)
    return parties


def sees_wholesale_prices(user) -> bool:
    """Wholesale prices are for people of a business that extension staff verified."""
    return buyers_for(user).filter(Buyer.verified_businesses()).exists()


def sees_wholesale_of(offer: Offer, seller_ids: set[int], business_buyer: bool) -> bool:
    """An offer's wholesale price: for verified businesses and the seller's own people
    (``seller_ids``: the producers the person acts for; ``business_buyer``: the answer
    of ``sees_wholesale_prices``)."""
    return offer.producer_id in seller_ids or business_buyer


def is_price_surveyor(user) -> bool:
    """Extension staff record market prices (superusers too)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or EXTENSION_STAFF_GROUP in group_names(user)
