"""Buyers: the restaurants, hotels, stalls, kitchens and households that order."""

from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import field_error
from farms.services import VIETNAM_BOUNDS
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import Buyer
from marketplace.permissions import is_price_surveyor, require_buyer
from traceability.models import Party as Partner
from traceability.services.parties import party_for_buyer

BUYER_FIELDS = (
    "kind",
    "name",
    "registration_code",
    "commune",
    "district",
    "province",
    "delivery_address",
    "delivery_location",
    "contact_phone",
)
# Changing who the business is voids the staff's check of its papers.
VERIFIED_FIELDS = ("kind", "name", "registration_code")


def check_location(point: Point | None, field: str = "delivery_location") -> None:
    if not isinstance(point, Point):
        raise field_error(
            field, _("Give a point (longitude, latitude)."), MarketplaceErrorCode.POINT_REQUIRED
        )
    if not VIETNAM_BOUNDS.contains(point):
        raise field_error(
            field, _("Choose a location in Viet Nam."), MarketplaceErrorCode.LOCATION_OUTSIDE
        )


def _apply(buyer: Buyer, data: dict) -> None:
    unknown = set(data) - set(BUYER_FIELDS)
    if unknown:
        raise ValueError(f"Not buyer fields: {sorted(unknown)}")
    if "delivery_location" in data:  # before setting it: the field refuses a non-point
        check_location(data["delivery_location"])
    for field, value in data.items():
        setattr(buyer, field, value.strip() if isinstance(value, str) else value)
    check_location(buyer.delivery_location)
    buyer.full_clean(exclude=["members"])


@transaction.atomic
def register_buyer(actor, **data) -> Buyer:
    """A new buyer with ``actor`` as its first member."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please sign in."))
    buyer = Buyer()
    _apply(buyer, data)
    buyer.save()
    buyer.members.add(actor)
    return buyer


@transaction.atomic
def update_buyer(actor, buyer: Buyer, **data) -> Buyer:
    require_buyer(actor, buyer)
    buyer = Buyer.objects.select_for_update().get(pk=buyer.pk)
    if any(field in data and data[field] != getattr(buyer, field) for field in VERIFIED_FIELDS):
        buyer.verified_at, buyer.verified_by = None, None
    _apply(buyer, data)
    buyer.save()
    return buyer


def verify_buyer(actor, buyer: Buyer) -> Buyer:
    """Extension staff confirm a business after seeing its registration papers."""
    if not is_price_surveyor(actor):
        raise PermissionDenied(_("Only extension staff can verify buyers."))
    if buyer.kind == Buyer.Kind.HOUSEHOLD or not buyer.registration_code:
        raise ValidationError(
            _("Only businesses with a registration code can be verified."),
            code=MarketplaceErrorCode.NOT_A_BUSINESS,
        )
    buyer.verified_by, buyer.verified_at = actor, timezone.now()
    buyer.save(update_fields=["verified_by", "verified_at"])
    return buyer


# The kind of trading partner each kind of buyer is.
PARTNER_KINDS = {
    Buyer.Kind.RESTAURANT: Partner.Kind.RESTAURANT,
    Buyer.Kind.HOTEL: Partner.Kind.RESTAURANT,
    Buyer.Kind.MARKET_STALL: Partner.Kind.RETAIL_SHOP,
    Buyer.Kind.SUPERMARKET: Partner.Kind.SUPERMARKET,
    Buyer.Kind.SCHOOL_KITCHEN: Partner.Kind.KITCHEN,
    Buyer.Kind.HOUSEHOLD: Partner.Kind.HOUSEHOLD,
}


def partner_of(buyer: Buyer) -> Partner:
    """The trading partner a market buyer is, in every lot's record it buys from."""
    return party_for_buyer(
        buyer.uuid, name=buyer.name, kind=PARTNER_KINDS[buyer.kind], district=buyer.district
    )
