"""Offers: produce put on sale from named lots, so that every sale keeps its trace."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.gis.db.models import Collect
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error, replayed
from backend.idempotency import once
from backend.numbers import checked_quantity, format_quantity
from backend.text import without_controls
from farms.models import Place, Producer, Product
from farms.permissions import Action, require
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import Buyer, Offer, OfferBatch
from marketplace.services.prices import check_plausible_price, check_usual_price
from traceability.models import Batch
from traceability.services.events import check_not_expired
from traceability.services.holds import check_not_held
from traceability.signals import batches_held, batches_recalled

MAX_DELIVERY_RADIUS_KM = 300
MAX_WINDOW_DAYS = 366
MAX_DESCRIPTION = 2000
MAX_LOTS_PER_OFFER = 50  # a season's harvests of one crop; more is a mistake
OPEN_STATUSES = (Offer.Status.ACTIVE, Offer.Status.PAUSED)
OFFER_FIELDS = (
    "price_per_unit",
    "wholesale_price_per_unit",
    "wholesale_min_quantity",
    "min_order_quantity",
    "available_from",
    "available_to",
    "delivery_radius_km",
    "pickup_place",
    "description",
    "status",
)


@dataclass
class LotShare:
    """How much of one lot an offer sells."""

    batch: Batch
    quantity: Decimal


def _check_prices(offer: Offer, given: set[str], price_confirmed: bool) -> None:
    """Prices set now must be plausible for the offer's unit, and a retail price far from
    recent survey prices must be confirmed. A price stored before the ranges existed is
    left alone, so that its offer can still be paused or closed."""
    for field in ("price_per_unit", "wholesale_price_per_unit"):
        value = getattr(offer, field)
        if value is not None and (offer._state.adding or field in given):
            check_plausible_price(value, offer.unit, field)
    if not price_confirmed and (offer._state.adding or "price_per_unit" in given):
        check_usual_price(offer.product, offer.unit, offer.price_per_unit)


def _check_terms(offer: Offer) -> None:
    if offer.wholesale_price_per_unit and offer.wholesale_price_per_unit >= offer.price_per_unit:
        raise field_error(
            "wholesale_price_per_unit",
            _("The wholesale price must be lower than the retail price."),
            MarketplaceErrorCode.WHOLESALE_NOT_LOWER,
        )
    offer.min_order_quantity = checked_quantity(offer.min_order_quantity, "min_order_quantity")
    if offer.wholesale_min_quantity is not None:
        checked_quantity(offer.wholesale_min_quantity, "wholesale_min_quantity")
    if offer.available_to < offer.available_from:
        raise field_error(
            "available_to",
            _("The offer must end after it starts."),
            MarketplaceErrorCode.WINDOW_ORDER,
        )
    if (offer.available_to - offer.available_from).days > MAX_WINDOW_DAYS:
        raise field_error(
            "available_to",
            _("An offer lasts at most a year."),
            MarketplaceErrorCode.WINDOW_TOO_LONG,
        )
    today = timezone.localdate()
    if offer._state.adding and offer.available_to < today:
        raise field_error(
            "available_to", _("This offer would already be over."), MarketplaceErrorCode.WINDOW_PAST
        )
    if (offer.available_from - today).days > MAX_WINDOW_DAYS:
        raise field_error(
            "available_from",
            _("An offer starts within a year."),
            MarketplaceErrorCode.WINDOW_TOO_FAR,
        )
    check_description(offer.description)
    radius = offer.delivery_radius_km
    if radius is not None and not 1 <= radius <= MAX_DELIVERY_RADIUS_KM:
        raise field_error(
            "delivery_radius_km",
            _("Deliver within 1 to 300 km."),
            MarketplaceErrorCode.DELIVERY_RADIUS,
        )
    if radius is None and offer.pickup_place is None:
        raise field_error(
            "delivery_radius_km",
            _("Give a delivery radius, a pickup point, or both."),
            MarketplaceErrorCode.NO_FULFILMENT,
        )


def _check_pickup(offer: Offer) -> None:
    place = offer.pickup_place
    if place is None:
        return
    if place.location is None:
        raise field_error(
            "pickup_place", _("This place has no location."), MarketplaceErrorCode.PLACE_UNLOCATED
        )
    if place.producer_id not in (None, offer.producer_id, offer.producer.cooperative_id):
        raise field_error(
            "pickup_place",
            _("This place belongs to another producer."),
            MarketplaceErrorCode.FOREIGN_PLACE,
        )


def _sells_for(producer: Producer, batch: Batch) -> bool:
    """A producer sells its own lots; a cooperative also sells its members' lots."""
    return batch.producer_id == producer.pk or (
        producer.kind == Producer.Kind.COOPERATIVE and batch.producer.cooperative_id == producer.pk
    )


def _check_share(offer: Offer, share: LotShare, allocated: Decimal) -> None:
    batch, code = share.batch, share.batch.code
    if not _sells_for(offer.producer, batch):
        raise field_error(
            "batches",
            _("Lot %(lot)s is not yours to sell.") % {"lot": code},
            MarketplaceErrorCode.FOREIGN_LOT,
        )
    if batch.product_id != offer.product_id or batch.unit != offer.unit:
        raise field_error(
            "batches",
            _("Lot %(lot)s is another product or unit than this offer.") % {"lot": code},
            MarketplaceErrorCode.LOT_MISMATCH,
        )
    if batch.status not in (Batch.Status.ACTIVE, Batch.Status.DEPLETED):
        raise field_error(
            "batches",
            _("Lot %(lot)s is not harvested or has been recalled.") % {"lot": code},
            MarketplaceErrorCode.LOT_NOT_SELLABLE,
        )
    check_not_expired(batch, "batches")
    check_not_held(batch, "batches")
    if batch.use_by and offer.available_to > batch.use_by:
        raise field_error(
            "available_to",
            _("Lot %(lot)s is to be used by %(date)s: end the offer by then.")
            % {"lot": code, "date": date_format(batch.use_by, "SHORT_DATE_FORMAT")},
            MarketplaceErrorCode.OFFER_OUTLIVES_LOT,
        )
    quantity = checked_quantity(share.quantity, "batches")
    # What is sold but not shipped is reserved on the lot, and no longer for sale.
    left = batch.free_quantity
    if quantity - allocated > left:
        raise field_error(
            "batches",
            _("Lot %(lot)s has only %(left)s left to sell.")
            % {"lot": code, "left": format_quantity(left)},
            MarketplaceErrorCode.QUANTITY_EXCEEDS_STOCK,
        )
    if quantity < allocated:
        raise field_error(
            "batches",
            _("%(sold)s of lot %(lot)s are already sold.")
            % {"lot": code, "sold": format_quantity(allocated)},
            MarketplaceErrorCode.BELOW_SOLD,
        )
    elsewhere = OfferBatch.objects.filter(batch=batch, offer__status__in=OPEN_STATUSES)
    if elsewhere.exclude(offer=offer.pk).exists():
        raise field_error(
            "batches",
            _("Lot %(lot)s is already on sale in another offer.") % {"lot": code},
            MarketplaceErrorCode.LOT_ON_OTHER_OFFER,
        )


def _dispatch_point(offer: Offer, shares: list[LotShare]):
    """Where buyers measure distance from: the pickup point, the middle of the lots'
    fields, or (for lots made from other lots) the seller's packing house or mill. Never
    the producer's home, which is private."""
    if offer.pickup_place:
        return offer.pickup_place.location
    fields = Batch.objects.filter(pk__in=[s.batch.pk for s in shares]).aggregate(
        fields=Collect("origin_plots__geometry")
    )["fields"]
    if fields is not None:
        return fields.centroid
    premises = Place.objects.filter(producer=offer.producer, location__isnull=False).first()
    if premises is None:
        raise field_error(
            "pickup_place",
            _("These lots have no fields on the map: give a pickup point."),
            MarketplaceErrorCode.NO_LOCATION,
        )
    return premises.location


def check_lot_count(count: int) -> None:
    """An offer names at most MAX_LOTS_PER_OFFER lots (checked before any is looked up)."""
    if count > MAX_LOTS_PER_OFFER:
        raise field_error(
            "batches",
            _("An offer sells from at most %(max)d lots.") % {"max": MAX_LOTS_PER_OFFER},
            MarketplaceErrorCode.TOO_MANY_LOTS,
        )


def _save_shares(offer: Offer, shares: list[LotShare]) -> None:
    """Replace the offer's lots; what is already sold of a lot must stay in it."""
    check_lot_count(len(shares))
    if not shares:
        raise field_error(
            "batches", _("Name the lots this offer sells from."), MarketplaceErrorCode.NO_LOTS
        )
    if len({s.batch.pk for s in shares}) != len(shares):
        raise field_error(
            "batches", _("Each lot may be named once."), MarketplaceErrorCode.DUPLICATE_LOT
        )
    # Locks in the order confirmations take them: offer (held), its shares, then lots.
    existing = {s.batch_id: s for s in offer.shares.select_for_update()} if offer.pk else {}
    locked = Batch.objects.select_for_update(of=("self",)).filter(
        pk__in=[s.batch.pk for s in shares]
    )
    locked = {b.pk: b for b in locked.select_related("producer").order_by("pk")}
    for share in shares:
        share.batch = locked[share.batch.pk]
        previous = existing.get(share.batch.pk)
        _check_share(offer, share, previous.allocated if previous else Decimal(0))
    for batch_id, previous in existing.items():
        if batch_id not in locked and previous.allocated:
            raise field_error(
                "batches",
                _("Part of lot %(lot)s is sold: it stays in the offer.")
                % {"lot": previous.batch.code},
                MarketplaceErrorCode.SOLD_LOT_REMOVED,
            )
    offer.location = _dispatch_point(offer, shares)
    offer.quantity_available = sum(
        (s.quantity - (existing[s.batch.pk].allocated if s.batch.pk in existing else 0))
        for s in shares
    )
    offer.save()
    offer.shares.exclude(batch__in=locked).delete()
    for share in shares:
        OfferBatch.objects.update_or_create(
            offer=offer, batch=share.batch, defaults={"quantity": share.quantity}
        )


@transaction.atomic
def create_offer(
    actor,
    *,
    producer: Producer,
    product: Product,
    shares: list[LotShare],
    price_confirmed: bool = False,
    offer_uuid: uuid.UUID | None = None,
    **terms,
) -> Offer:
    """Put lots on sale. ``terms`` are the OFFER_FIELDS; the unit is the lots' unit. A
    price far from recent ones needs ``price_confirmed``. Sent again with the same
    ``offer_uuid`` (from the app's queue), it returns the first offer."""
    require(actor, Action.OPERATE, producer)

    def replay() -> Offer | None:
        return replayed(Offer, offer_uuid, producer_id=producer.pk)

    def create() -> Offer:
        # Copies of one offer queue on the producer; the one that waited finds the first.
        Producer.objects.select_for_update().filter(pk=producer.pk).first()
        if (done := replay()) is not None:
            return done
        offer = Offer(producer=producer, product=product, unit=product.unit, created_by=actor)
        offer.uuid = offer_uuid or uuid.uuid4()
        if shares:
            offer.unit = shares[0].batch.unit
        _set_terms(offer, terms, price_confirmed)
        _save_shares(offer, shares)
        return offer

    return once(replay, create)


@transaction.atomic
def update_offer(
    actor,
    offer: Offer,
    *,
    shares: list[LotShare] | None = None,
    price_confirmed: bool = False,
    **terms,
) -> Offer:
    """Change prices, dates, fulfilment, status or lots. Product and seller stay fixed,
    as orders already refer to them; a closed offer stays closed."""
    require(actor, Action.OPERATE, offer.producer)
    offer = (
        Offer.objects.select_for_update(of=("self",)).select_related("producer").get(pk=offer.pk)
    )
    if offer.status == Offer.Status.CLOSED:
        raise field_error("status", _("This offer is closed."), MarketplaceErrorCode.OFFER_CLOSED)
    _set_terms(offer, terms, price_confirmed)
    if shares is None:
        offer.save()
    else:
        _save_shares(offer, shares)
    return offer


def _set_terms(offer: Offer, terms: dict, price_confirmed: bool = False) -> None:
    unknown = set(terms) - set(OFFER_FIELDS)
    if unknown:
        raise ValueError(f"Not offer fields: {sorted(unknown)}")
    for field, value in terms.items():
        setattr(offer, field, value.strip() if isinstance(value, str) else value)
    if offer.status not in Offer.Status.values:
        raise field_error("status", _("Unknown status."), CommonErrorCode.INVALID_CHOICE)
    _check_prices(offer, set(terms), price_confirmed)
    _check_terms(offer)
    _check_pickup(offer)


def not_on_sale(offer: Offer, field: str = "offer") -> ValidationError:
    return field_error(
        field,
        _("%(product)s is no longer on sale.") % {"product": offer.product.name},
        MarketplaceErrorCode.NOT_ON_SALE,
    )


def not_enough_stock(offer: Offer, field: str = "quantity") -> ValidationError:
    return field_error(
        field,
        _("Only %(left)s %(unit)s of %(product)s are left.")
        % {
            "left": format_quantity(offer.quantity_available),
            "unit": offer.get_unit_display(),
            "product": offer.product.name,
        },
        MarketplaceErrorCode.NOT_ENOUGH_STOCK,
    )


def unit_price_for(offer: Offer, buyer: Buyer, quantity: Decimal) -> tuple[int, bool]:
    """The price a buyer pays per unit, and whether it is the wholesale price (only for
    businesses staff have verified, from the wholesale quantity up)."""
    threshold = offer.wholesale_min_quantity or offer.min_order_quantity
    if offer.wholesale_price_per_unit and buyer.is_verified_business and quantity >= threshold:
        return offer.wholesale_price_per_unit, True
    return offer.price_per_unit, False


def visible_wholesale_price(offer: Offer, buyer: Buyer | None) -> int | None:
    return offer.wholesale_price_per_unit if buyer and buyer.is_verified_business else None


def check_description(text: str) -> None:
    """Offers and equipment: a description a buyer reads on a phone."""
    if len(text) > MAX_DESCRIPTION:
        raise field_error(
            "description",
            _("A description may be at most 2000 characters."),
            MarketplaceErrorCode.DESCRIPTION_TOO_LONG,
        )
    without_controls(text, "description", paragraph=True)


def is_on_sale(offer: Offer) -> bool:
    return offer.status == Offer.Status.ACTIVE and offer.available_to >= timezone.localdate()


def sellable(queryset=None):
    """Offers a buyer can order now: active, not over, with stock. (An offer selling a
    recalled lot is closed by the recall: see ``close_offers_of_recalled_lots``.)"""
    queryset = Offer.objects.all() if queryset is None else queryset
    return queryset.filter(
        status=Offer.Status.ACTIVE, available_to__gte=timezone.localdate(), quantity_available__gt=0
    )


@receiver(batches_recalled)
def close_offers_of_recalled_lots(sender, batches: list[Batch], **kwargs) -> None:
    """A recalled lot leaves the market as soon as the recall is committed (after it, so
    the recall never waits on offer locks). Orders already placed stay, but cannot be
    confirmed or shipped: the lot is recalled."""
    ids = [batch.pk for batch in batches]
    transaction.on_commit(
        lambda: Offer.objects.filter(status__in=OPEN_STATUSES, shares__batch__in=ids).update(
            status=Offer.Status.CLOSED
        )
    )


@receiver(batches_held)
def pause_offers_of_held_lots(sender, batches: list[Batch], **kwargs) -> None:
    """A lot on hold is not sold: its open offers pause once the hold is committed; the
    seller resumes them after an inspector's release."""
    ids = [batch.pk for batch in batches]
    transaction.on_commit(
        lambda: Offer.objects.filter(status=Offer.Status.ACTIVE, shares__batch__in=ids).update(
            status=Offer.Status.PAUSED
        )
    )
