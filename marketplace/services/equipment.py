"""Equipment sharing: producers lend machines by the day, others book whole days.

- Days are whole local days, stored half-open: [first day, day after the last day). A
  booking ending on the 10th and one starting on the 11th therefore do not overlap.
- Double bookings are refused by PostgreSQL (the ``no_double_booking`` exclusion
  constraint), never by a Python check that two requests could both pass at once.
- Owners may book their own equipment: that is how they keep days for their own fields
  (or for repairs), and those days then show as taken to everyone else.
- The public listing names the owner by name, commune and district only.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from backend.errors import field_error, replayed
from farms.models import Producer
from farms.permissions import Action, can, producers_for, require
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import Equipment, EquipmentBooking
from marketplace.services.offers import check_description

MAX_DAILY_PRICE = 100_000_000  # đồng a day; more is a typo (an extra zero or two)
MAX_NAME = 150
MAX_NOTE = 300  # the column's length
MAX_REASON = 200  # leaves room in the note for what the booker wrote
MAX_BOOKING_DAYS = 60
MAX_DAYS_AHEAD = 365
UPCOMING_DAYS = 90  # how far ahead the listing shows which days are taken
OVERLAP_CONSTRAINT = "no_double_booking"
# What the public listing loads of the owner: never its street address, location or contacts.
PUBLIC_OWNER_FIELDS = ("name", "commune", "district", "province")
EQUIPMENT_FIELDS = ("uuid", "producer", "kind", "name", "description", "daily_price", "active")


def days_of(first_day: datetime.date, last_day: datetime.date) -> DateRange:
    """Whole days from ``first_day`` to ``last_day`` included, as PostgreSQL stores them."""
    return DateRange(first_day, last_day + datetime.timedelta(days=1), "[)")


def first_and_last(days: DateRange) -> tuple[datetime.date, datetime.date]:
    """The first and the last booked day (PostgreSQL gives date ranges back half-open)."""
    return days.lower, days.upper - datetime.timedelta(days=1)


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def validate_equipment(
    *,
    producer: Producer,
    kind: str,
    name: str,
    daily_price: int,
    description: str = "",
    equipment: Equipment | None = None,
) -> dict:
    """The cleaned fields, or a ValidationError with a code (the admin form shares it)."""
    name, description = (name or "").strip(), (description or "").strip()
    if kind not in Equipment.Kind.values:
        raise field_error(
            "kind", _("Choose a kind of equipment."), MarketplaceErrorCode.INVALID_KIND
        )
    if not name:
        raise field_error(
            "name", _("Give the equipment a name."), MarketplaceErrorCode.NAME_REQUIRED
        )
    if len(name) > MAX_NAME:
        raise field_error(
            "name", _("A name may be at most 150 characters."), MarketplaceErrorCode.NAME_TOO_LONG
        )
    check_description(description)
    if isinstance(daily_price, bool) or not isinstance(daily_price, int) or daily_price <= 0:
        raise field_error(
            "daily_price",
            _("Give a price per day of at least 1 đồng."),
            MarketplaceErrorCode.INVALID_PRICE,
        )
    if daily_price > MAX_DAILY_PRICE:
        raise field_error(
            "daily_price",
            _("A price per day may be at most %(max)s đồng.")
            % {"max": number_format(MAX_DAILY_PRICE, force_grouping=True)},
            MarketplaceErrorCode.PRICE_TOO_HIGH,
        )
    if equipment is not None and equipment.pk and equipment.producer_id != producer.pk:
        raise field_error(
            "producer_id",
            _("Equipment cannot be given to another owner."),
            MarketplaceErrorCode.OWNER_CHANGE,
        )
    return {"kind": kind, "name": name, "description": description, "daily_price": daily_price}


def save_equipment(
    actor,
    *,
    producer: Producer,
    kind: str,
    name: str,
    daily_price: int,
    description: str = "",
    active: bool = True,
    equipment: Equipment | None = None,
    equipment_uuid: uuid.UUID | None = None,
) -> Equipment:
    """List equipment for lending, or change it. Deactivating keeps the bookings already
    made (the owner cancels those one by one, so each booker learns of it). A create
    sent again with the same ``equipment_uuid`` returns the first result."""
    require(actor, Action.MANAGE, equipment.producer if equipment else producer)
    if equipment is None and (
        existing := replayed(Equipment, equipment_uuid, producer_id=producer.pk)
    ):
        return existing
    fields = validate_equipment(
        producer=producer,
        kind=kind,
        name=name,
        daily_price=daily_price,
        description=description,
        equipment=equipment,
    )
    with transaction.atomic():
        if equipment is not None:
            equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
        else:
            equipment = Equipment(producer=producer, uuid=equipment_uuid or uuid.uuid4())
        for field, value in {**fields, "active": bool(active)}.items():
            setattr(equipment, field, value)
        equipment.full_clean()
        equipment.save()
    return equipment


def _check_horizon(today: datetime.date, last_day: datetime.date) -> None:
    if last_day > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise field_error(
            "last_day",
            _("Equipment can be booked at most a year ahead."),
            MarketplaceErrorCode.TOO_FAR_AHEAD,
        )


def _check_days(today: datetime.date, first_day: datetime.date, last_day: datetime.date) -> None:
    if last_day < first_day:
        raise field_error(
            "last_day",
            _("The last day cannot come before the first day."),
            MarketplaceErrorCode.INVALID_RANGE,
        )
    if first_day < today:
        raise field_error(
            "first_day", _("The first day cannot be in the past."), MarketplaceErrorCode.PAST_DATE
        )
    if (last_day - first_day).days + 1 > MAX_BOOKING_DAYS:
        raise field_error(
            "last_day",
            _("One booking may cover at most %(days)d days.") % {"days": MAX_BOOKING_DAYS},
            MarketplaceErrorCode.BOOKING_TOO_LONG,
        )
    _check_horizon(today, last_day)


def _replayed(
    booking_uuid: uuid.UUID | None, equipment: Equipment, booked_for: Producer
) -> EquipmentBooking | None:
    """The booking a retried request already made, if any (offline apps resend)."""
    return replayed(
        EquipmentBooking,
        booking_uuid,
        equipment_id=equipment.pk,
        booked_for_id=booked_for.pk,
    )


def _violated_constraint(error: IntegrityError) -> str:
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None) or ""


def _already_booked(equipment: Equipment, wanted: DateRange) -> ValidationError:
    """Name the days that are taken: the first booking in the way, as it stands now."""
    clash = (
        EquipmentBooking.objects.filter(
            equipment=equipment, status=EquipmentBooking.Status.BOOKED, days__overlap=wanted
        )
        .order_by("days")
        .first()
    )
    first, last = first_and_last(clash.days if clash else wanted)
    return field_error(
        "first_day",
        _("This equipment is already booked from %(first)s to %(last)s.")
        % {"first": _day(first), "last": _day(last)},
        MarketplaceErrorCode.ALREADY_BOOKED,
    )


def book_equipment(
    actor,
    equipment: Equipment,
    *,
    booked_for: Producer,
    first_day: datetime.date,
    last_day: datetime.date,
    note: str = "",
    booking_uuid: uuid.UUID | None = None,
) -> EquipmentBooking:
    """Book ``equipment`` for ``booked_for`` from ``first_day`` to ``last_day`` included.

    The price is fixed now: the daily price times the number of days. Overlaps are left
    to the database, which alone sees every concurrent booking; sending the same
    ``booking_uuid`` again returns the first booking."""
    require(actor, Action.OPERATE, booked_for)
    existing = _replayed(booking_uuid, equipment, booked_for)
    if existing:
        return existing
    equipment = Equipment.objects.get(pk=equipment.pk)  # today's price and status
    if not equipment.active:
        raise field_error(
            "equipment_id",
            _("This equipment is not available for booking."),
            MarketplaceErrorCode.EQUIPMENT_INACTIVE,
        )
    _check_days(timezone.localdate(), first_day, last_day)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise field_error(
            "note", _("A note may be at most 300 characters."), MarketplaceErrorCode.NOTE_TOO_LONG
        )
    wanted = days_of(first_day, last_day)
    booking = EquipmentBooking(
        uuid=booking_uuid or uuid.uuid4(),
        equipment=equipment,
        booked_for=booked_for,
        booked_by=actor,
        days=wanted,
        total_price=equipment.daily_price * ((last_day - first_day).days + 1),
        note=note,
    )
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            booking.save()
    except IntegrityError as error:
        # A retry racing its first send clashes with itself (on the days or on the uuid):
        # once the first send is committed, the retry returns it.
        existing = _replayed(booking_uuid, equipment, booked_for)
        if existing:
            return existing
        if _violated_constraint(error) == OVERLAP_CONSTRAINT:
            raise _already_booked(equipment, wanted) from error
        raise
    return booking


def may_cancel(user, booking: EquipmentBooking) -> bool:
    """Who booked (for the producer they work for) or who owns the equipment."""
    return can(user, Action.OPERATE, booking.booked_for) or can(
        user, Action.MANAGE, booking.equipment.producer
    )


def _with_reason(note: str, reason: str) -> str:
    """The note, followed by why the booking was cancelled (the note column is short)."""
    if not reason:
        return note
    room = MAX_NOTE - len(reason) - 1
    kept = note if len(note) <= room else note[: room - 1] + "…"
    return f"{kept}\n{reason}".strip()


def cancel_booking(actor, booking: EquipmentBooking, reason: str = "") -> EquipmentBooking:
    """Cancel a booking, which frees its days at once. Once its first day has gone by,
    a booking stays as it is: its days were (or could have been) used."""
    if not may_cancel(actor, booking):
        raise PermissionDenied(_("You may not cancel this booking."))
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise field_error(
            "reason",
            _("A reason may be at most 200 characters."),
            MarketplaceErrorCode.REASON_TOO_LONG,
        )
    with transaction.atomic():
        booking = EquipmentBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == EquipmentBooking.Status.CANCELLED:
            raise field_error(
                "booking_id",
                _("This booking is already cancelled."),
                MarketplaceErrorCode.ALREADY_CANCELLED,
            )
        first, _last = first_and_last(booking.days)
        if first < timezone.localdate():
            raise field_error(
                "booking_id",
                _("This booking began on %(date)s: it can no longer be cancelled.")
                % {"date": _day(first)},
                MarketplaceErrorCode.BOOKING_STARTED,
            )
        booking.status, booking.cancelled_by = EquipmentBooking.Status.CANCELLED, actor
        booking.note = _with_reason(booking.note, reason)
        booking.save(update_fields=["status", "cancelled_by", "note"])
    return booking


def upcoming_bookings() -> QuerySet[EquipmentBooking]:
    """Booked days from today to ``UPCOMING_DAYS`` ahead: what the listing shows as taken,
    without saying who booked them."""
    today = timezone.localdate()
    window = DateRange(today, today + datetime.timedelta(days=UPCOMING_DAYS), "[)")
    return (
        EquipmentBooking.objects.filter(status=EquipmentBooking.Status.BOOKED, days__overlap=window)
        .only("equipment_id", "days")
        .order_by("days")
    )


def public_equipment(queryset: QuerySet[Equipment] | None = None) -> QuerySet[Equipment]:
    """Equipment with only the owner's public fields loaded."""
    queryset = Equipment.objects.all() if queryset is None else queryset
    return queryset.select_related("producer").only(
        *EQUIPMENT_FIELDS, *(f"producer__{field}" for field in PUBLIC_OWNER_FIELDS)
    )


def available_equipment(
    *,
    kind: str | None = None,
    first_day: datetime.date | None = None,
    last_day: datetime.date | None = None,
    district: str | None = None,
) -> QuerySet[Equipment]:
    """Active equipment, of ``kind`` and in ``district`` (accents and case ignored) if
    given, free on every day from ``first_day`` to ``last_day`` (one day if only one is
    given)."""
    equipment = public_equipment(Equipment.objects.filter(active=True))
    if kind:
        equipment = equipment.filter(kind=kind)
    if district and district.strip():
        equipment = equipment.filter(producer__district__unaccent__iexact=district.strip())
    if first_day or last_day:
        first_day, last_day = first_day or last_day, last_day or first_day
        if last_day < first_day:
            raise field_error(
                "last_day",
                _("The last day cannot come before the first day."),
                MarketplaceErrorCode.INVALID_RANGE,
            )
        _check_horizon(timezone.localdate(), last_day)  # and no date arithmetic overflows
        taken = EquipmentBooking.objects.filter(
            equipment=OuterRef("pk"),
            status=EquipmentBooking.Status.BOOKED,
            days__overlap=days_of(first_day, last_day),
        )
        equipment = equipment.filter(~Exists(taken))
    return equipment.order_by("name", "pk")


def involving(producers) -> Q:
    """Bookings made for ``producers`` (ids or a queryset) or of equipment they own."""
    return Q(booked_for__in=producers) | Q(equipment__producer__in=producers)


def bookings_for(user) -> QuerySet[EquipmentBooking]:
    """Bookings ``user`` takes part in: made for a producer they work for, or of
    equipment such a producer owns. Nobody else learns who booked what."""
    return EquipmentBooking.objects.filter(involving(producers_for(user, Action.OPERATE)))
