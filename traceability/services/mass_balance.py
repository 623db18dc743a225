"""Mass balance (TCVN 12850 / GS1 GTS): for every lot, what came in equals what went out
plus what remains plus what was lost or destroyed, in the lot's own unit; and every split
or merge gives out exactly what it took.

Everything is read from the recorded events, never from the lot's cached counters alone:
the check compares the two, so a counter edited behind the record's back shows.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from backend.errors import field_error
from backend.numbers import format_quantity
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import QUANTITY, Batch, BatchLink, TraceEvent
from traceability.steps import STEP_RULES, Stock

ZERO = Decimal(0)


def _steps(effect: Stock) -> list[str]:
    return [step.value for step, rule in STEP_RULES.items() if rule.stock == effect]


@dataclass(frozen=True)
class LotBalance:
    code: str
    unit: str
    came_in: Decimal
    went_out: Decimal
    lost: Decimal
    remaining: Decimal
    returned: Decimal = ZERO  # what came back after going out (a recall's recovery)

    @property
    def balanced(self) -> bool:
        return self.came_in + self.returned == self.went_out + self.lost + self.remaining


@dataclass(frozen=True)
class TransformationBalance:
    transformation_id: str
    kind: str
    taken: Decimal
    made: Decimal

    @property
    def balanced(self) -> bool:
        """A split or merge moves quantities without changing them; a transformation's
        yield is checked against the catalogue when it is recorded."""
        return self.kind == BatchLink.Kind.TRANSFORM or self.taken == self.made


def _made_here():
    """Whether an event is the transformation that made its own lot (not one it fed)."""
    return Exists(
        BatchLink.objects.filter(
            child=OuterRef("batch"), transformation_id=OuterRef("transformation_id")
        )
    )


def _total(condition: Q):
    return Coalesce(Sum("quantity", filter=condition), ZERO, output_field=DecimalField(**QUANTITY))


def _flows(batches):
    """Per lot: what its events brought in, took out and lost."""
    transformation = Q(transformation_id__isnull=False)
    return (
        TraceEvent.objects.standing()
        .filter(batch__in=batches)
        .annotate(made_here=_made_here())
        .values("batch")
        .annotate(
            came_in=_total(
                Q(business_step__in=_steps(Stock.IN)) | (transformation & Q(made_here=True))
            ),
            went_out=_total(
                Q(business_step__in=_steps(Stock.OUT)) | (transformation & Q(made_here=False))
            ),
            lost=_total(Q(business_step__in=_steps(Stock.LOSS))),
            returned=_total(Q(business_step__in=_steps(Stock.RETURN))),
        )
        .order_by()
    )


CHUNK = 5_000  # lots summed per query (a server-side cursor would pick a slow plan)


def lot_balances(batches=None) -> Iterator[LotBalance]:
    """The balance of every harvested or made lot (growing crops hold nothing yet)."""
    batches = Batch.objects.exclude(status=Batch.Status.GROWING) if batches is None else batches
    ids = list(batches.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = Batch.objects.filter(pk__in=ids[start : start + CHUNK])
        flows = {row["batch"]: row for row in _flows(chunk)}
        rows = chunk.values_list("pk", "code", "unit", "remaining_quantity").order_by("pk")
        for pk, code, unit, remaining in rows:
            flow = flows.get(pk, {})
            yield LotBalance(
                code,
                unit,
                flow.get("came_in", ZERO),
                flow.get("went_out", ZERO),
                flow.get("lost", ZERO),
                remaining,
                flow.get("returned", ZERO),
            )


def transformation_balances() -> Iterator[TransformationBalance]:
    """Every split, merge and transformation: what it took from its parents (a link per
    parent and child repeats the parent's quantity: counted once) and what its children
    held when it made them."""
    taken: dict = {}
    links = BatchLink.objects.values_list("transformation_id", "kind", "parent", "quantity")
    for transformation_id, kind, _parent, quantity in links.distinct().iterator(chunk_size=5000):
        entry = taken.setdefault(transformation_id, [kind, ZERO])
        entry[1] += quantity
    made = dict(
        TraceEvent.objects.filter(transformation_id__isnull=False)
        .annotate(made_here=_made_here())
        .filter(made_here=True)
        .values("transformation_id")
        .annotate(total=Sum("quantity"))
        .values_list("transformation_id", "total")
        .order_by()
    )
    for transformation_id, (kind, took) in taken.items():
        yield TransformationBalance(
            str(transformation_id), kind, took, made.get(transformation_id, ZERO)
        )


def settle(batch: Batch) -> None:
    """Set a locked lot's counters from its standing events (after a correction changed
    what its record says came in or went out). A correction that would leave less than
    was already promised to sales, or less than nothing, is refused."""
    (balance,) = lot_balances(Batch.objects.filter(pk=batch.pk))
    remaining = balance.came_in + balance.returned - balance.went_out - balance.lost
    if remaining < batch.reserved_quantity:
        raise field_error(
            "quantity",
            _("After this correction the lot would hold %(left)s, less than what already left it.")
            % {"left": format_quantity(remaining)},
            TraceabilityErrorCode.CORRECTION_BREAKS_STOCK,
        )
    batch.quantity, batch.remaining_quantity = balance.came_in, remaining
    if balance.came_in == 0:  # its harvest was declared never to have happened
        batch.harvest_date = batch.produced_on = batch.use_by = batch.certification = None
    if batch.status != Batch.Status.RECALLED:
        batch.status = _status(balance.came_in, remaining)
    batch.save(
        update_fields=[
            "quantity",
            "remaining_quantity",
            "status",
            "harvest_date",
            "produced_on",
            "use_by",
            "certification",
        ]
    )


def _status(came_in: Decimal, remaining: Decimal) -> str:
    if came_in == 0:
        return Batch.Status.GROWING
    return Batch.Status.ACTIVE if remaining > 0 else Batch.Status.DEPLETED
