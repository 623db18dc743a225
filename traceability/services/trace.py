"""Walking a batch's links back to its plots (and forward to what was made from it).

The whole trace is loaded with a fixed number of queries, whatever its length: one
recursive query for the family of batches, then one query per kind of row.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, Q
from django.utils import timezone

from farms.models import Plot
from farms.services import same_land
from traceability.models import Batch, BatchLink, TraceEvent
from traceability.services.integrity import ChainReport, verify_chain
from traceability.steps import STEP_RULES, BusinessStep, EventType, Phase

FIELD_STEPS = [step.value for step, rule in STEP_RULES.items() if rule.phase == Phase.PRE_HARVEST]
CYCLE_STARTS = (BusinessStep.PLANTING, BusinessStep.SEEDING)
# Without a planting or seeding on record, the field work this long before a harvest.
CYCLE_WITHOUT_START = datetime.timedelta(days=120)
LONGEST_CYCLE = datetime.timedelta(days=365)  # how far back a planting is looked for

_WALK = """
WITH RECURSIVE walk(id) AS (
    SELECT unnest(%s::bigint[])
    UNION
    SELECT link.{next} FROM traceability_batchlink AS link JOIN walk ON link.{this} = walk.id
)
SELECT id FROM walk WHERE id <> ALL(%s::bigint[])
"""


def _walk(batch_ids: list[int], this: str, next_: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_WALK.format(this=this, next=next_), [batch_ids, batch_ids])
        return [row[0] for row in cursor.fetchall()]


def ancestor_ids(batch_id: int) -> list[int]:
    """Every batch that went into this one, however many steps back."""
    return _walk([batch_id], "child_id", "parent_id")


def descendant_ids(batch_id: int) -> list[int]:
    """Every batch made from this one, however many steps forward."""
    return descendants_of([batch_id])


def descendants_of(batch_ids: list[int]) -> list[int]:
    """Every batch made from any of these, however many steps forward."""
    return _walk(batch_ids, "parent_id", "child_id")


@dataclass
class Trace:
    """A batch with its ancestors, their events, origin plots and chain checks."""

    batch: Batch
    batches: dict[int, Batch]
    events: list[TraceEvent]  # time order; a transformation shown once; with the diary
    plots: list[Plot]
    reports: list[ChainReport] = field(default_factory=list)
    diary: list[TraceEvent] = field(default_factory=list)  # the land's, on other lots

    @property
    def intact(self) -> bool:
        return all(report.intact for report in self.reports)


def _batches(ids: list[int]) -> dict[int, Batch]:
    plots = Plot.objects.select_related("crop", "producer")
    rows = (
        Batch.objects.filter(pk__in=ids)
        .select_related("product", "producer__cooperative", "certification")
        .prefetch_related(Prefetch("origin_plots", queryset=plots))
    )
    return {batch.pk: batch for batch in rows}


def _with_relations(events):
    return events.select_related("plot__producer", "place", "producer", "party", "actor")


def _events(batches: dict[int, Batch]) -> list[TraceEvent]:
    rows = list(
        _with_relations(TraceEvent.objects.filter(batch_id__in=batches))
        .prefetch_related("inputs", "photos")
        .order_by("batch_id", "sequence")
    )
    for event in rows:
        event.batch = batches[event.batch_id]
    return rows


def _is_output_side(event: TraceEvent) -> bool:
    return any(out["lot"] == event.batch.code for out in event.details.get("outputs", []))


def _shown_once(events: list[TraceEvent]) -> list[TraceEvent]:
    """A transformation is stored on every lot it touched: show it once, preferring a
    lot it produced."""
    preferred: dict = {}
    for event in events:
        if event.event_type == EventType.TRANSFORMATION:
            current = preferred.get(event.transformation_id)
            if current is None or _is_output_side(event):
                preferred[event.transformation_id] = event
    shown = [
        e
        for e in events
        if e.event_type != EventType.TRANSFORMATION or preferred[e.transformation_id] is e
    ]
    return sorted(shown, key=lambda e: (e.occurred_at, e.batch_id, e.sequence))


def _on_the_way(batch: Batch, ids: list[int], events: list[TraceEvent]) -> list[TraceEvent]:
    """A lot's own events, and each ancestor's events up to the transformation that led
    towards this lot: what an ancestor did later (with its other parts) is not this
    lot's story, and may be another buyer's business."""
    lineage = defaultdict(set)
    for parent_id, transformation_id in BatchLink.objects.filter(
        parent_id__in=ids, child_id__in=ids
    ).values_list("parent_id", "transformation_id"):
        lineage[parent_id].add(transformation_id)
    cutoff: dict[int, int] = {}
    for event in events:
        if event.transformation_id in lineage[event.batch_id]:
            cutoff[event.batch_id] = max(cutoff.get(event.batch_id, 0), event.sequence)
    return [e for e in events if e.batch_id == batch.pk or e.sequence <= cutoff.get(e.batch_id, 0)]


def _harvest_end(lot: Batch) -> datetime.datetime:
    day = lot.harvest_date + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _field_work_on(land: set[int], batches: dict[int, Batch], start, end) -> list[TraceEvent]:
    """Standing field work on ``land`` between ``start`` and ``end`` recorded on lots
    other than ``batches`` (an earlier cutting of the bed, the land's previous holder)."""
    on_land = Q(plot_id__in=land) | Q(plot__isnull=True, batch__origin_plots__in=land)
    rows = (
        _with_relations(TraceEvent.objects.standing())
        .filter(on_land, business_step__in=FIELD_STEPS, occurred_at__range=(start, end))
        .exclude(batch_id__in=batches)
        .select_related("batch__product")
        .prefetch_related("inputs", "photos", "batch__origin_plots")
        .distinct()
    )
    return list(rows)


def _land_diary(batches: dict[int, Batch], events: list[TraceEvent]) -> list[TraceEvent]:
    """The crop cycle's field work on the land each harvested lot came from, recorded on
    other lots: since the cycle's planting or seeding (whichever lot it was recorded on),
    up to the harvest. Two queries, however many lots and plots."""
    harvested = [lot for lot in batches.values() if lot.harvest_date and lot.origin_plots.all()]
    if not harvested:
        return []
    land = same_land({plot.pk for lot in harvested for plot in lot.origin_plots.all()})
    ends = {lot.pk: _harvest_end(lot) for lot in harvested}
    candidates = _field_work_on(
        set().union(*land.values()),
        batches,
        min(ends.values()) - LONGEST_CYCLE,
        max(ends.values()),
    )
    diary = {}
    for lot in harvested:
        lands = set().union(*(land[plot.pk] for plot in lot.origin_plots.all()))
        on_it = [event for event in candidates if _on(event, lands)]
        own = [event for event in events if event.batch_id == lot.pk]
        starts = [
            event.occurred_at
            for event in on_it + own
            if event.business_step in CYCLE_STARTS and event.occurred_at < ends[lot.pk]
        ]
        start = max(starts, default=ends[lot.pk] - CYCLE_WITHOUT_START)
        for event in on_it:
            if start <= event.occurred_at < ends[lot.pk]:
                diary[event.pk] = event
    return list(diary.values())


def _on(event: TraceEvent, land: set[int]) -> bool:
    if event.plot_id:
        return event.plot_id in land
    return any(plot.pk in land for plot in event.batch.origin_plots.all())


def load_trace(batch: Batch, *, verify: bool = True) -> Trace:
    ids = [batch.pk, *ancestor_ids(batch.pk)]
    batches = _batches(ids)
    events = _events(batches)
    by_batch = defaultdict(list)
    for event in events:
        by_batch[event.batch_id].append(event)
    plots = {plot.pk: plot for b in batches.values() for plot in b.origin_plots.all()}
    diary = _land_diary(batches, events)
    trace = Trace(
        batch=batches[batch.pk],
        batches=batches,
        events=_shown_once(_on_the_way(batch, ids, events) + diary),
        plots=list(plots.values()),
        diary=diary,
    )
    if verify:
        trace.reports = [verify_chain(b, by_batch[b.pk]) for b in batches.values()]
    return trace
