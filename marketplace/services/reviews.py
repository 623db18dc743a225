"""Buyers rate the producers they bought from, once per delivered order."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.errors import field_error
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import Order, Review
from marketplace.permissions import Party, parties_of

MAX_TEXT = 500


REVIEWABLE = (Order.Status.DELIVERED, Order.Status.COMPLETED)


def may_review(order: Order, parties: set[Party]) -> bool:
    """Whether the page should offer the review form (``review_order`` decides)."""
    return Party.BUYER in parties and order.status in REVIEWABLE


def review_order(actor, order: Order, *, stars: int, text: str = "") -> Review:
    order = Order.objects.get(pk=order.pk)  # its status now, not when it was loaded
    if Party.BUYER not in parties_of(actor, order):
        raise PermissionDenied(_("Only the buyer can review this order."))
    if order.status not in REVIEWABLE:
        raise field_error(
            "order",
            _("You can review an order once it is delivered."),
            MarketplaceErrorCode.NOT_DELIVERED,
        )
    if not 1 <= stars <= 5:
        raise field_error("stars", _("Give 1 to 5 stars."), MarketplaceErrorCode.STARS)
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise field_error(
            "text", _("A review may be at most 500 characters."), MarketplaceErrorCode.TEXT_TOO_LONG
        )
    try:
        with transaction.atomic():
            return Review.objects.create(
                order=order,
                producer_id=order.producer_id,
                buyer_id=order.buyer_id,
                author=actor,
                stars=stars,
                text=text,
            )
    except IntegrityError:
        raise field_error(
            "order",
            _("This order has already been reviewed."),
            MarketplaceErrorCode.ALREADY_REVIEWED,
        ) from None
