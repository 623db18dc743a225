"""Recording trace events, with the rules real traceability needs.

- Events must come in a plausible order: field work before the harvest, shipping and
  selling after it, receiving after a shipping, nothing in the future.
- Harvesting too soon after applying an input with a pre-harvest interval is refused,
  whichever of the two is recorded first.
- Every event is appended to its batch's hash chain.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from backend.images import clean_image
from backend.numbers import checked_quantity, format_quantity
from farms.models import AgriculturalInput, Place, Plot, convert_quantity
from farms.permissions import Action, require
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import Batch, EventInput, Hold, Party, TraceEvent
from traceability.services.certificates import claim_for
from traceability.services.chain import append_event, locked_history, locked_lot
from traceability.services.checks import CheckResult
from traceability.services.holds import place_holds
from traceability.services.integrity import batch_facts
from traceability.services.waiting_periods import Breach, breaches
from traceability.steps import (
    AFTER_RECALL,
    CHECKS,
    WITH_PARTY,
    BusinessStep,
    Phase,
    Stock,
    rule_for,
)

CLOCK_SKEW = datetime.timedelta(minutes=10)
MAX_INTERVAL_DAYS = 365
MAX_PHOTOS = 6  # each is decoded and re-encoded: see also the endpoint's pixel budget
# Traceability records on this platform start in this century; anything earlier is a slip.
EARLIEST_RECORD = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
MAX_NOTES = 2000
MAX_EVENTS_PER_LOT = 1000


@dataclass
class InputUse:
    """An input applied during an event.

    The catalogue's pre-harvest interval is a floor: a farmer may give a longer one (the
    label of their product says so) but never a shorter one. A product typed by name is
    looked up in the catalogue; a pesticide that is not in it needs its interval stated.
    """

    agricultural_input: AgriculturalInput | None = None
    name: str = ""
    dose: Decimal | None = None
    dose_unit: str = ""
    pre_harvest_interval_days: int | None = None

    def to_row(self, step: str) -> EventInput:
        name = (self.name or "").strip()
        catalogue = self.agricultural_input or (
            AgriculturalInput.objects.filter(name__iexact=name).first() if name else None
        )
        name = name or (catalogue.name if catalogue else "")
        if not name:
            raise field_error(
                "inputs", _("Name the input that was used."), TraceabilityErrorCode.INPUT_NAME
            )
        return EventInput(
            agricultural_input=catalogue,
            name=name,
            active_ingredient=catalogue.active_ingredient if catalogue else "",
            dose=None if self.dose is None else checked_quantity(self.dose, "inputs"),
            dose_unit=self.dose_unit,
            pre_harvest_interval_days=self._interval(catalogue, step),
        )

    def _interval(self, catalogue: AgriculturalInput | None, step: str) -> int:
        given = self.pre_harvest_interval_days
        if given is not None and not 0 <= given <= MAX_INTERVAL_DAYS:
            raise field_error(
                "inputs",
                _("A pre-harvest interval is 0 to 365 days."),
                TraceabilityErrorCode.INVALID_INTERVAL,
            )
        if catalogue is not None:
            return max(catalogue.pre_harvest_interval_days, given or 0)
        if given is None and step == BusinessStep.SPRAYING:
            raise field_error(
                "inputs",
                _(
                    "“%(name)s” is not in the catalogue: give its pre-harvest interval, printed "
                    "on its label."
                )
                % {"name": self.name},
                TraceabilityErrorCode.INTERVAL_REQUIRED,
            )
        return given or 0


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _order_error(message: str, code: str = TraceabilityErrorCode.EVENT_ORDER) -> ValidationError:
    return field_error("occurred_at", message, code)


def check_time(occurred_at: datetime.datetime) -> None:
    """A moment a farm record can plausibly carry: with its time zone, not in the future,
    and not before the product's records begin (a year 1 is a typing slip)."""
    if timezone.is_naive(occurred_at):
        raise _order_error(
            _("The time must include a time zone."), TraceabilityErrorCode.NAIVE_TIME
        )
    if occurred_at > timezone.now() + CLOCK_SKEW:
        raise _order_error(
            _("An event cannot be in the future."), TraceabilityErrorCode.FUTURE_EVENT
        )
    if occurred_at < EARLIEST_RECORD:
        raise _order_error(
            _("An event before %(year)d cannot be recorded: check the date.")
            % {"year": EARLIEST_RECORD.year},
            TraceabilityErrorCode.IMPLAUSIBLE_TIME,
        )


def check_order(
    batch: Batch, step: str, occurred_at, history: list[TraceEvent], quantity=None
) -> None:
    """Refuse an event whose place in the batch's life is implausible."""
    phase = rule_for(step).phase
    label = BusinessStep(step).label
    origin = min(history, key=lambda e: e.sequence) if history else None
    derived = bool(origin) and rule_for(origin.business_step).phase == Phase.TRANSFORMATION
    harvest = next((e for e in history if e.business_step == BusinessStep.HARVESTING), None)
    if batch.status == Batch.Status.RECALLED and step not in AFTER_RECALL:
        raise _order_error(
            _("This batch has been recalled: no further steps."), TraceabilityErrorCode.RECALLED
        )
    if phase in (Phase.PRE_HARVEST, Phase.HARVEST) and derived:
        raise _order_error(
            _("This batch was made from other batches: field work belongs to those batches."),
            TraceabilityErrorCode.DERIVED_BATCH,
        )
    if phase == Phase.PRE_HARVEST and harvest and occurred_at >= harvest.occurred_at:
        raise _order_error(
            _("%(step)s cannot come after the harvest on %(date)s.")
            % {"step": label, "date": _when(harvest.occurred_at)}
        )
    if phase == Phase.HARVEST:
        if harvest:
            raise _order_error(
                _("This batch was already harvested on %(date)s.")
                % {"date": _when(harvest.occurred_at)},
                TraceabilityErrorCode.ALREADY_HARVESTED,
            )
        later = [
            e
            for e in history
            if e.occurred_at > occurred_at and rule_for(e.business_step).phase == Phase.PRE_HARVEST
        ]
        if later:
            raise _order_error(
                _("The harvest cannot come before the %(step)s on %(date)s.")
                % {
                    "step": later[0].get_business_step_display().lower(),
                    "date": _when(later[0].occurred_at),
                }
            )
    start = origin.occurred_at if derived else (harvest.occurred_at if harvest else None)
    if phase in (Phase.POST_HARVEST, Phase.TRANSFORMATION):
        if start is None:
            raise _order_error(
                _("%(step)s needs the harvest to be recorded first.") % {"step": label},
                TraceabilityErrorCode.NOT_HARVESTED,
            )
        if occurred_at < start:
            raise _order_error(
                _("%(step)s cannot come before the start of this batch on %(date)s.")
                % {"step": label, "date": _when(start)}
            )
    if phase == Phase.ANYTIME and derived and occurred_at < start:
        raise _order_error(
            _("%(step)s cannot come before the start of this batch on %(date)s.")
            % {"step": label, "date": _when(start)}
        )
    if step == BusinessStep.RECEIVING:
        _check_receiving(occurred_at, history, quantity)


def _check_receiving(occurred_at, history: list[TraceEvent], quantity) -> None:
    """Each receiving answers one shipping made before it, and receives no more than
    was shipped and not yet received."""
    shipments = [
        e
        for e in history
        if e.business_step == BusinessStep.SHIPPING and e.occurred_at <= occurred_at
    ]
    receipts = [e for e in history if e.business_step == BusinessStep.RECEIVING]
    if len(shipments) <= len(receipts):
        raise _order_error(
            _("Receiving needs a shipping recorded before it."), TraceabilityErrorCode.NOT_SHIPPED
        )
    in_transit = sum(e.quantity or 0 for e in shipments) - sum(e.quantity or 0 for e in receipts)
    if quantity is not None and quantity > in_transit:
        raise field_error(
            "quantity",
            _("Only %(left)s were shipped and not yet received.")
            % {"left": format_quantity(in_transit)},
            TraceabilityErrorCode.QUANTITY_EXCEEDS_STOCK,
        )


def _check_place(plot_ids: list[int], plot: Plot | None, place: Place | None) -> None:
    if plot and place:
        raise field_error(
            "place",
            _("Give either a plot or a place, not both."),
            TraceabilityErrorCode.PLOT_AND_PLACE,
        )
    if plot and plot.pk not in plot_ids:
        raise field_error(
            "plot",
            _("This plot is not an origin plot of the batch."),
            TraceabilityErrorCode.FOREIGN_PLOT,
        )


def _only_origin_plot(plot_ids: list[int], step: str) -> Plot | None:
    """Field work on a batch grown on a single plot happened on that plot."""
    if len(plot_ids) != 1 or rule_for(step).phase not in (Phase.PRE_HARVEST, Phase.HARVEST):
        return None
    return Plot.objects.get(pk=plot_ids[0])


def use_by(product, made_on: datetime.date | None) -> datetime.date | None:
    """The last day to use a lot of ``product`` made on ``made_on`` (None: it keeps)."""
    if made_on is None or not product.shelf_life_days:
        return None
    return made_on + datetime.timedelta(days=product.shelf_life_days)


def check_not_expired(batch: Batch, field: str = "batch") -> None:
    """Intentions (offering, confirming a sale, shipping it, printing labels) stop at the
    use-by date: expired food is neither sold nor labelled."""
    if batch.expired:
        raise field_error(
            field,
            _("Lot %(lot)s was to be used by %(date)s: it can no longer be sold or labelled.")
            % {"lot": batch.code, "date": date_format(batch.use_by, "SHORT_DATE_FORMAT")},
            TraceabilityErrorCode.LOT_EXPIRED,
        )


def _check_harvest_size(batch: Batch, quantity: Decimal) -> None:
    """A harvest no field of that size could give is a typing slip (500 t from 0.3 ha):
    measured against the catalogue's highest plausible yield for the crop."""
    ceiling = batch.product.max_yield_per_ha
    hectares = Decimal(str(sum(plot.area_m2 for plot in batch.origin_plots.all()))) / 10_000
    harvested = convert_quantity(quantity, batch.unit, batch.product.unit)
    if not ceiling or not hectares or harvested is None or harvested <= ceiling * hectares:
        return
    raise field_error(
        "quantity",
        _(
            "%(quantity)s %(unit)s from %(area)s ha is more than this crop gives (at most "
            "%(most)s %(unit)s a hectare at one harvest): check the quantity and the unit."
        )
        % {
            "quantity": format_quantity(harvested),
            "unit": batch.product.get_unit_display(),
            "area": format_quantity(hectares.quantize(Decimal("0.01"))),
            "most": format_quantity(ceiling),
        },
        TraceabilityErrorCode.IMPLAUSIBLE_HARVEST,
    )


def _apply_harvest(batch: Batch, occurred_at, quantity: Decimal | None) -> None:
    if quantity is None or quantity <= 0:
        raise field_error(
            "quantity", _("Give the harvested quantity."), TraceabilityErrorCode.QUANTITY_REQUIRED
        )
    _check_harvest_size(batch, quantity)
    batch.quantity = batch.remaining_quantity = quantity
    batch.harvest_date = batch.produced_on = timezone.localdate(occurred_at)
    batch.use_by = use_by(batch.product, batch.produced_on)
    batch.status = Batch.Status.ACTIVE
    batch.certification = claim_for(batch)
    batch.save(
        update_fields=[
            "quantity",
            "remaining_quantity",
            "use_by",
            "harvest_date",
            "produced_on",
            "status",
            "certification",
        ]
    )


def record_event(
    actor,
    batch: Batch,
    step: str,
    *,
    occurred_at: datetime.datetime,
    plot: Plot | None = None,
    place: Place | None = None,
    quantity: Decimal | None = None,
    notes: str = "",
    inputs: list[InputUse] = (),
    photos=(),
    keep_photo_location: bool = False,
    event_uuid: uuid.UUID | None = None,
    check: CheckResult | None = None,
    party: Party | None = None,
) -> TraceEvent:
    """Record what happened to ``batch``. Sending the same ``event_uuid`` twice records once.
    Photos lose their EXIF data; where they were taken is kept (privately) only if asked.
    A fact that breaks a food-safety rule (a harvest inside a waiting period, a failed
    check) is recorded, and the lots it concerns are put on hold."""
    require(actor, Action.INSPECT if step in CHECKS else Action.OPERATE, batch.producer)
    if existing := _replayed_event(event_uuid, batch):
        return existing
    if step not in BusinessStep.values or not rule_for(step).recordable:
        raise field_error(
            "business_step",
            _("This step cannot be recorded directly."),
            TraceabilityErrorCode.INVALID_STEP,
        )
    check_time(occurred_at)
    _check_sizes(quantity, notes, photos)
    outcome = (check or CheckResult()).checked(step) if step in CHECKS else None
    party = _checked_party(step, party)
    rows = [use.to_row(step) for use in inputs]
    clean_photos = [clean_image(photo, keep_location=keep_photo_location) for photo in photos]
    with transaction.atomic():
        batch, history, plot_ids = locked_lot(batch)
        # A copy of this very request that held the lock before us has committed by now.
        if existing := _replayed_event(event_uuid, batch):
            return existing
        _check_length(batch)
        check_order(batch, step, occurred_at, history, quantity)
        _check_place(plot_ids, plot, place)
        plot = plot or (None if place else _only_origin_plot(plot_ids, step))
        _check_stock(batch, step, quantity)
        if step == BusinessStep.HARVESTING:
            _apply_harvest(batch, occurred_at, quantity)
        elif rule_for(step).stock in (Stock.OUT, Stock.LOSS):
            _check_movement(step, quantity, notes)
            take_from_stock(batch, quantity)
        elif rule_for(step).stock == Stock.RETURN:
            _check_return(history, party, quantity, occurred_at)
            take_from_stock(batch, -quantity)
        event = TraceEvent(
            uuid=event_uuid or uuid.uuid4(),
            business_step=step,
            occurred_at=occurred_at,
            time_zone_offset=_offset(occurred_at),
            plot=plot,
            place=place,
            producer=batch.producer,
            recorded_by=actor,
            quantity=quantity,
            notes=notes.strip(),
            disposition=outcome.disposition if outcome else "",
            details=_details(batch, step, outcome),
            party=party,
        )
        append_event(batch, event, rows, clean_photos)
        # The record is kept in one language, whoever records it.
        with translation.override(settings.LANGUAGE_CODE):
            _hold_what_it_breaks(event, breaches(batch, step, occurred_at, rows, plot, plot_ids))
            if outcome and not outcome.conformant:
                place_holds({batch.pk}, Hold.Reason.FAILED_CHECK, outcome.explanation(), event)
        return event


def _checked_party(step: str, party: Party | None) -> Party | None:
    """One step after: a shipping names whom it went to (a known partner or a new one);
    a receiving or a return may name whom it came from."""
    if step not in WITH_PARTY:
        return None
    if party is None and step in (BusinessStep.SHIPPING, BusinessStep.RETURNED):
        raise field_error(
            "party",
            _("Say whom it went to or came back from: a trader, a stall, a shop…"),
            TraceabilityErrorCode.RECIPIENT_REQUIRED,
        )
    return party


def _check_return(history: list[TraceEvent], party: Party, quantity, occurred_at) -> None:
    """What comes back (a recall's recovery) comes from a partner it went to before, and
    no more than went to that partner and has not come back yet."""

    def total(step: str, until=None) -> Decimal:
        return sum(
            (
                e.quantity or 0
                for e in history
                if e.business_step == step
                and e.party_id == party.pk
                and (until is None or e.occurred_at <= until)
            ),
            Decimal(0),
        )

    out = total(BusinessStep.SHIPPING, occurred_at) - total(BusinessStep.RETURNED)
    if quantity is None or quantity <= 0 or quantity > out:
        raise field_error(
            "quantity",
            _("%(left)s went to this partner and has not come back.")
            % {"left": format_quantity(out)},
            TraceabilityErrorCode.RETURN_EXCEEDS_SHIPPED,
        )


def _details(batch: Batch, step: str, outcome: CheckResult | None) -> dict:
    if step == BusinessStep.HARVESTING:
        return {"facts": batch_facts(batch)}
    return {"check": outcome.details()} if outcome else {}


def _hold_what_it_breaks(event: TraceEvent, found: list[Breach]) -> None:
    """Each lot harvested inside a waiting period goes on hold, with every reason."""
    for batch_id in sorted({breach.batch_id for breach in found}):
        reasons = dict.fromkeys(b.explanation for b in found if b.batch_id == batch_id)
        place_holds({batch_id}, Hold.Reason.PRE_HARVEST_INTERVAL, " ".join(reasons), event)


def _replayed_event(event_uuid: uuid.UUID | None, batch: Batch) -> TraceEvent | None:
    """The event a resent request already recorded (see backend.idempotency)."""
    existing = TraceEvent.objects.filter(uuid=event_uuid).first() if event_uuid else None
    if existing and existing.batch_id != batch.pk:
        raise field_error(
            "uuid", _("This identifier belongs to another event."), CommonErrorCode.UUID_TAKEN
        )
    return existing


def _check_stock(batch: Batch, step: str, quantity, for_sale: bool = False) -> None:
    """After the harvest, no step can handle more than the batch still holds, less what is
    promised to confirmed sales (unless it is that sale's own shipping). A receiving is
    measured against its shipping instead (see ``_check_receiving``)."""
    if quantity is None or rule_for(step).phase != Phase.POST_HARVEST:
        return
    if step == BusinessStep.RECEIVING or rule_for(step).stock == Stock.RETURN:
        return
    left = batch.remaining_quantity if for_sale else batch.free_quantity
    if quantity > left:
        raise field_error(
            "quantity",
            _("This batch holds only %(left)s %(unit)s.")
            % {"left": format_quantity(left), "unit": batch.get_unit_display()},
            TraceabilityErrorCode.QUANTITY_EXCEEDS_STOCK,
        )


def _check_movement(step: str, quantity, notes: str) -> None:
    """What leaves a lot is counted: a shipping, sale or loss says how much, and a loss
    or destruction says why (an inspector reads it in the mass balance)."""
    if quantity is None or quantity <= 0:
        raise field_error(
            "quantity",
            _("Say how much: %(step)s takes it out of the lot.")
            % {"step": BusinessStep(step).label.lower()},
            TraceabilityErrorCode.QUANTITY_REQUIRED,
        )
    if rule_for(step).stock == Stock.LOSS and not notes.strip():
        raise field_error(
            "notes",
            _("Say why it was lost or destroyed (spoiled, damaged, failed a test…)."),
            TraceabilityErrorCode.REASON_REQUIRED,
        )


def _check_length(batch: Batch) -> None:
    """A lot's life is tens of steps; thousands are a runaway client, and every step
    re-reads the history."""
    if batch.event_count >= MAX_EVENTS_PER_LOT:
        raise field_error(
            "batch_id",
            _("This lot has %(count)d recorded steps, the most one lot may have.")
            % {"count": batch.event_count},
            TraceabilityErrorCode.TOO_MANY_EVENTS,
        )


def check_notes(notes: str) -> None:
    """Notes are written once into each lot's chain an event concerns: kept short."""
    if len(notes) > MAX_NOTES:
        raise field_error(
            "notes",
            _("Notes may be at most 2000 characters."),
            TraceabilityErrorCode.NOTES_TOO_LONG,
        )


def _check_sizes(quantity, notes: str, photos) -> None:
    if quantity is not None:
        checked_quantity(quantity)
    check_notes(notes)
    if len(photos) > MAX_PHOTOS:
        raise field_error(
            "photos",
            _("At most %(max)d photos per event.") % {"max": MAX_PHOTOS},
            TraceabilityErrorCode.TOO_MANY_PHOTOS,
        )


def _offset(moment: datetime.datetime) -> str:
    """The +HH:MM offset the event happened in, as the recording device gave it."""
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def record_handover(
    actor,
    batch: Batch,
    step: str,
    *,
    quantity: Decimal,
    details: dict,
    buyer: Party,
    place: Place | None = None,
) -> TraceEvent:
    """Shipping or receiving of a sale, recorded by the market network on the seller's lot.

    The caller has checked that ``actor`` is a party to the sale (the buyer records the
    receiving). The usual order rules apply (no shipping of a recalled lot, receiving only
    after a shipping); a shipping takes its quantity out of the lot's stock and out of
    what was reserved for the sale.
    """
    if step not in (BusinessStep.SHIPPING, BusinessStep.RECEIVING):
        raise ValueError(f"Not a handover step: {step}")
    occurred_at = timezone.localtime()
    with transaction.atomic():
        batch, history = locked_history(batch)
        check_order(batch, step, occurred_at, history, quantity)
        if step == BusinessStep.SHIPPING:
            _check_stock(batch, step, quantity, for_sale=True)
            batch.reserved_quantity = max(batch.reserved_quantity - quantity, 0)
            take_from_stock(batch, quantity, also=["reserved_quantity"])
        event = TraceEvent(
            business_step=step,
            occurred_at=occurred_at,
            time_zone_offset=_offset(occurred_at),
            place=place,
            producer=batch.producer,
            recorded_by=actor,
            quantity=quantity,
            details=details,
            # Shipped to the buyer; received by the buyer, from the lot's producer.
            party=buyer if step == BusinessStep.SHIPPING else None,
            actor=buyer if step == BusinessStep.RECEIVING else None,
        )
        return append_event(batch, event)


def take_from_stock(batch: Batch, quantity: Decimal, also: list[str] = ()) -> None:
    """Take ``quantity`` out of a locked lot (a negative one puts it back), which is used
    up when nothing is left."""
    batch.remaining_quantity -= quantity
    if batch.status in (Batch.Status.ACTIVE, Batch.Status.DEPLETED):
        remains = batch.remaining_quantity > 0
        batch.status = Batch.Status.ACTIVE if remains else Batch.Status.DEPLETED
    batch.save(update_fields=["remaining_quantity", "status", *also])


def reserve_for_sale(batch: Batch, quantity: Decimal) -> bool:
    """Promise ``quantity`` of an active lot to a confirmed sale, if that much is free (one
    conditional UPDATE: concurrent reservations and transformations cannot both have it)."""
    return bool(
        Batch.objects.filter(
            pk=batch.pk,
            status=Batch.Status.ACTIVE,
            remaining_quantity__gte=F("reserved_quantity") + quantity,
        ).update(reserved_quantity=F("reserved_quantity") + quantity)
    )


def release_sale(batch: Batch, quantity: Decimal) -> None:
    """Give back what a cancelled sale had reserved."""
    Batch.objects.filter(pk=batch.pk).update(
        reserved_quantity=Greatest(F("reserved_quantity") - quantity, Value(0))
    )
