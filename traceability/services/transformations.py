"""Split, merge and transform: new batches made from quantities of existing ones.

Each operation takes quantities from locked parent batches (which can never go below
zero), creates the output batches, links them, and records one transformation on every
batch involved, so each lot's history says where it came from and where it went.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from backend.numbers import checked_quantity, format_quantity
from farms.models import Place, Producer, Product, ProductConversion, Unit, convert_quantity
from farms.permissions import Action, require
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import Batch, BatchLink, TraceEvent
from traceability.services.batches import new_lot_code
from traceability.services.chain import append_event, locked_history
from traceability.services.events import (
    check_notes,
    check_order,
    check_time,
    take_from_stock,
    use_by,
)
from traceability.services.integrity import batch_facts
from traceability.steps import BusinessStep, EventType

MAX_SPLIT_PARTS = 50  # crates of a harvest; more is a mistake, and each part is a new lot
MAX_INPUT_PARTS = 200  # a cooperative collecting from every member farm in one merge


@dataclass(frozen=True)
class Output:
    product: Product
    producer: Producer
    quantity: Decimal
    unit: str
    keeps_certification: bool = True  # a split or merge does; processing as the catalogue says


def check_part_count(count: int) -> None:
    if count > MAX_INPUT_PARTS:
        raise field_error(
            "parts",
            _("Use at most %(max)d batches at a time.") % {"max": MAX_INPUT_PARTS},
            TraceabilityErrorCode.TOO_MANY_PARTS,
        )


def _lock(parts: list[tuple[Batch, Decimal]]) -> list[tuple[Batch, Decimal, list]]:
    """Lock the parents, in id order to avoid deadlocks, with their histories."""
    check_part_count(len(parts))
    if len({batch.pk for batch, _q in parts}) != len(parts):
        raise field_error(
            "parts", _("Each batch may be given only once."), TraceabilityErrorCode.DUPLICATE_INPUT
        )
    return [
        (*locked_history(batch), quantity)
        for batch, quantity in sorted(parts, key=lambda part: part[0].pk)
    ]


def _take(locked_parts, occurred_at) -> list[tuple[Batch, Decimal, list]]:
    """Check that each locked parent can give what is taken from it."""
    taken = []
    for locked, history, quantity in locked_parts:
        check_order(locked, BusinessStep.REPACKAGING, occurred_at, history)
        if locked.status != Batch.Status.ACTIVE:
            raise field_error(
                "parts",
                _("Batch %(lot)s is %(status)s and cannot be used.")
                % {"lot": locked.code, "status": locked.get_status_display().lower()},
                TraceabilityErrorCode.BATCH_NOT_ACTIVE,
            )
        if locked.use_by and timezone.localdate(occurred_at) > locked.use_by:
            raise field_error(
                "parts",
                _("Batch %(lot)s was to be used by %(date)s: it cannot go into new lots.")
                % {"lot": locked.code, "date": date_format(locked.use_by, "SHORT_DATE_FORMAT")},
                TraceabilityErrorCode.EXPIRED_INPUT,
            )
        if quantity is None or quantity <= 0 or quantity > locked.free_quantity:
            raise field_error(
                "quantity",
                _("Batch %(lot)s has %(left)s %(unit)s left.")
                % {
                    "lot": locked.code,
                    "left": format_quantity(locked.free_quantity),
                    "unit": locked.get_unit_display(),
                },
                TraceabilityErrorCode.INSUFFICIENT_QUANTITY,
            )
        taken.append((locked, quantity, history))
    return taken


def _shared_certification(parents: list[Batch]):
    certificates = {parent.certification_id for parent in parents}
    return parents[0].certification if len(certificates) == 1 else None


def _transform(
    actor,
    kind: str,
    parts,
    outputs: list[Output],
    occurred_at,
    place,
    notes,
    transformation_id: uuid.UUID | None = None,
) -> list[Batch]:
    check_time(occurred_at)
    check_notes(notes)
    for producer in {batch.producer for batch, _q in parts} | {out.producer for out in outputs}:
        require(actor, Action.OPERATE, producer)
    for _batch, quantity in parts:
        checked_quantity(quantity)
    transformation_id = transformation_id or uuid.uuid4()
    with transaction.atomic():
        locked_parts = _lock(parts)
        # Looked for once the parents are locked: a copy of this very operation that held
        # them before us has committed by now (see backend.idempotency).
        if done := _replayed(transformation_id, parts):
            return done
        taken = _take(locked_parts, occurred_at)
        parents = [parent for parent, _q, _h in taken]
        children = [_new_child(actor, out, parents, kind, occurred_at) for out in outputs]
        _record(
            actor,
            kind,
            taken,
            children,
            transformation_id,
            occurred_at=occurred_at,
            place=place,
            notes=notes.strip(),
        )
    return children


def _replayed(transformation_id: uuid.UUID, parts) -> list[Batch]:
    """The batches a transformation with this id made, if it was this very operation:
    the same parents, which the caller has just been checked to operate. An id used for
    anything else is refused, so it can never reveal someone else's batches."""
    links = list(
        BatchLink.objects.filter(transformation_id=transformation_id).select_related("child")
    )
    if not links:
        return []
    if {link.parent_id for link in links} != {batch.pk for batch, _q in parts}:
        raise field_error(
            "client_id", _("This identifier is already used."), CommonErrorCode.UUID_TAKEN
        )
    return sorted({link.child for link in links}, key=lambda child: child.pk)


def _record(actor, kind: str, taken, children: list[Batch], transformation_id, **when) -> None:
    """Take the quantities, link parents to children, and write the transformation into
    every lot's chain."""
    step = BusinessStep.PROCESSING if kind == BatchLink.Kind.TRANSFORM else BusinessStep.REPACKAGING
    details = {
        "inputs": [{"lot": p.code, "quantity": f"{q:.3f}"} for p, q, _h in taken],
        "outputs": [
            {"lot": c.code, "quantity": f"{c.quantity:.3f}", "facts": batch_facts(c)}
            for c in children
        ],
    }

    def event(batch: Batch, quantity) -> TraceEvent:
        return TraceEvent(
            producer=batch.producer,
            quantity=quantity,
            details=details,
            business_step=step,
            event_type=EventType.TRANSFORMATION,
            recorded_by=actor,
            transformation_id=transformation_id,
            **when,
        )

    for parent, quantity, _history in taken:
        take_from_stock(parent, quantity)
        append_event(parent, event(parent, quantity))
    BatchLink.objects.bulk_create(
        [
            BatchLink(
                parent=parent,
                child=child,
                kind=kind,
                quantity=quantity,
                transformation_id=transformation_id,
            )
            for child in children
            for parent, quantity, _h in taken
        ]
    )
    for child in children:
        append_event(child, event(child, child.quantity))


def _new_child(actor, out: Output, parents: list[Batch], kind: str, occurred_at) -> Batch:
    checked_quantity(out.quantity)
    harvests = [p.harvest_date for p in parents if p.harvest_date]
    produced = [p.produced_on for p in parents if p.produced_on]
    made_on = timezone.localdate(occurred_at)
    processed = kind == BatchLink.Kind.TRANSFORM
    # Repacking keeps the produce's dates; processing makes a new product with its own.
    kept = min((p.use_by for p in parents if p.use_by), default=None)
    return Batch.objects.create(
        code=new_lot_code(out.product, made_on),
        product=out.product,
        producer=out.producer,
        unit=out.unit,
        quantity=out.quantity,
        remaining_quantity=out.quantity,
        status=Batch.Status.ACTIVE,
        harvest_date=min(harvests, default=None),
        produced_on=made_on if processed else min(produced, default=None),
        use_by=use_by(out.product, made_on) if processed else kept,
        certification=_shared_certification(parents) if out.keeps_certification else None,
        created_by=actor,
    )


def _check_yield(parts, product: Product, quantity: Decimal, unit: str) -> bool:
    """A processing the catalogue allows, giving what it can give: the sum over the
    inputs of their quantity times the conversion's yield range (1 kg of water spinach
    never makes 5,000 pomelos). Returns whether the result keeps its inputs' certificate."""
    sources = {batch.product_id for batch, _q in parts}
    conversions = {
        c.source_id: c for c in ProductConversion.objects.filter(result=product, source__in=sources)
    }
    low = high = Decimal(0)
    for batch, taken in parts:
        conversion = conversions.get(batch.product_id)
        amount = convert_quantity(taken, batch.unit, batch.product.unit)
        if conversion is None or amount is None:
            raise field_error(
                "product_id",
                _("The catalogue does not list %(source)s as made into %(result)s.")
                % {"source": batch.product.name, "result": product.name},
                TraceabilityErrorCode.NO_CONVERSION,
            )
        low, high = low + amount * conversion.min_yield, high + amount * conversion.max_yield
    made = convert_quantity(quantity, unit, product.unit)
    if made is None or not low <= made <= high:
        raise field_error(
            "quantity",
            _("These inputs make between %(low)s and %(high)s %(unit)s of %(result)s.")
            % {
                "low": format_quantity(low.quantize(Decimal("0.001"))),
                "high": format_quantity(high.quantize(Decimal("0.001"))),
                "unit": product.get_unit_display(),
                "result": product.name,
            },
            TraceabilityErrorCode.IMPLAUSIBLE_YIELD,
        )
    return all(conversion.keeps_certification for conversion in conversions.values())


def split_batch(
    actor,
    batch: Batch,
    quantities: list[Decimal],
    *,
    occurred_at: datetime.datetime,
    place: Place | None = None,
    notes: str = "",
    transformation_id: uuid.UUID | None = None,
) -> list[Batch]:
    """Divide part or all of a batch into new batches of the given quantities."""
    if len(quantities) < 2:
        raise field_error(
            "quantities",
            _("A split makes at least two batches."),
            TraceabilityErrorCode.TOO_FEW_PARTS,
        )
    if len(quantities) > MAX_SPLIT_PARTS:
        raise field_error(
            "quantities",
            _("A split makes at most %(max)d batches at a time.") % {"max": MAX_SPLIT_PARTS},
            TraceabilityErrorCode.TOO_MANY_PARTS,
        )
    quantities = [checked_quantity(q, "quantities") for q in quantities]
    outputs = [Output(batch.product, batch.producer, q, batch.unit) for q in quantities]
    total = sum(quantities, Decimal(0))
    return _transform(
        actor,
        BatchLink.Kind.SPLIT,
        [(batch, total)],
        outputs,
        occurred_at,
        place,
        notes,
        transformation_id,
    )


def merge_batches(
    actor,
    parts: list[tuple[Batch, Decimal]],
    *,
    producer: Producer,
    occurred_at: datetime.datetime,
    place: Place | None = None,
    notes: str = "",
    transformation_id: uuid.UUID | None = None,
) -> Batch:
    """Combine quantities of batches of one product (e.g. a cooperative collecting from
    member farms) into one new batch owned by ``producer``."""
    if len(parts) < 2:
        raise field_error(
            "parts", _("A merge needs at least two batches."), TraceabilityErrorCode.TOO_FEW_PARTS
        )
    first = parts[0][0]
    if any(b.product_id != first.product_id or b.unit != first.unit for b, _q in parts):
        raise field_error(
            "parts",
            _("Only batches of the same product and unit can be merged."),
            TraceabilityErrorCode.MIXED_PRODUCTS,
        )
    allowed = {producer.pk, *producer.member_farms.values_list("pk", flat=True)}
    if any(b.producer_id not in allowed for b, _q in parts):
        raise field_error(
            "parts",
            _("A producer can merge only its own batches and its member farms'."),
            TraceabilityErrorCode.FOREIGN_BATCH,
        )
    total = sum((q for _b, q in parts), Decimal(0))
    output = Output(first.product, producer, total, first.unit)
    kind = BatchLink.Kind.MERGE
    return _transform(actor, kind, parts, [output], occurred_at, place, notes, transformation_id)[0]


def transform_batches(
    actor,
    parts: list[tuple[Batch, Decimal]],
    *,
    product: Product,
    quantity: Decimal,
    unit: str | None = None,
    occurred_at: datetime.datetime,
    place: Place | None = None,
    notes: str = "",
    transformation_id: uuid.UUID | None = None,
) -> Batch:
    """Turn quantities of batches into a new product (paddy → milled rice → 5 kg bags)."""
    if not parts:
        raise field_error(
            "parts",
            _("Choose the batches that are transformed."),
            TraceabilityErrorCode.TOO_FEW_PARTS,
        )
    if unit and unit not in Unit.values:
        raise field_error(
            "unit", _("Choose one of the catalogue's units."), TraceabilityErrorCode.INVALID_UNIT
        )
    producer = parts[0][0].producer
    for batch, _q in parts:  # before the catalogue says anything about these lots
        require(actor, Action.OPERATE, batch.producer)
    unit = unit or product.unit
    keeps = _check_yield(parts, product, checked_quantity(quantity), unit)
    output = Output(product, producer, quantity, unit, keeps_certification=keeps)
    kind = BatchLink.Kind.TRANSFORM
    return _transform(actor, kind, parts, [output], occurred_at, place, notes, transformation_id)[0]
