"""A lot's hash chain: every event is appended under the lot's row lock, chained over
the one before (see docs/decisions.md, "Events: append-only, hash-chained per batch")."""

from backend.images import CleanImage
from backend.tasks import queue_after_commit
from farms.models import Plot
from traceability.models import Batch, EventInput, EventPhoto, TraceEvent
from traceability.services.integrity import GENESIS_HASH, chain_hash, event_payload
from traceability.steps import EventType, rule_for


def _link(batch: Batch, event: TraceEvent, inputs=(), photo_digests=()) -> None:
    """Make ``event`` the next link of the (locked) batch's chain, in memory."""
    rule = rule_for(event.business_step)
    event.batch = batch
    event.sequence = batch.event_count + 1
    event.event_type = event.event_type or EventType.OBJECT
    event.action = rule.action if event.event_type == EventType.OBJECT else ""
    event.disposition = event.disposition or (rule.disposition or "")
    event.previous_hash = batch.chain_head or GENESIS_HASH
    payload = event_payload(event, list(inputs), list(photo_digests))
    event.hash = chain_hash(payload, event.previous_hash)
    batch.event_count, batch.chain_head = event.sequence, event.hash


def _save_head(batch: Batch) -> None:
    Batch.objects.filter(pk=batch.pk).update(
        event_count=batch.event_count, chain_head=batch.chain_head
    )


def append_events(batch: Batch, events: list[TraceEvent]) -> list[TraceEvent]:
    """Add plain events (no inputs, no photos) to the end of the locked batch's chain in
    one insert: a partner's document of a thousand events is a thousand links."""
    for event in events:
        _link(batch, event)
    TraceEvent.objects.bulk_create(events)
    _save_head(batch)
    return events


def append_event(
    batch: Batch,
    event: TraceEvent,
    inputs: list[EventInput] = (),
    photos: list[CleanImage] = (),
) -> TraceEvent:
    """Add ``event`` to the end of the (locked) batch's hash chain and save it all."""
    _link(batch, event, inputs, [photo.sha256 for photo in photos])
    event.save()
    for row in inputs:
        row.event = event
    EventInput.objects.bulk_create(inputs)
    saved = [
        EventPhoto.objects.create(
            event=event, image=photo.content, sha256=photo.sha256, location=photo.location
        )
        for photo in photos
    ]
    if saved:
        ids = [photo.pk for photo in saved]
        queue_after_commit("traceability.tasks.make_thumbnails", ids)
    _save_head(batch)
    return event


def locked_row(batch: Batch) -> Batch:
    """The batch row locked for update (the chain's head is read under the lock)."""
    return (
        Batch.objects.select_for_update(of=("self",))
        .select_related("product", "producer")
        .get(pk=batch.pk)
    )


def locked_history(batch: Batch) -> tuple[Batch, list[TraceEvent]]:
    """The batch row locked for update, and its standing events (those no correction
    declared wrong) in time order."""
    locked = locked_row(batch)
    history = list(locked.events.standing().order_by("occurred_at", "sequence"))
    return locked, history


def locked_lot(batch: Batch) -> tuple[Batch, list[TraceEvent], list[int]]:
    """The lot's land, then the lot, locked (always in this order, so that recording an
    event, correcting one and holding the lots a spraying concerns never wait on each
    other in a circle): the locked lot, its standing history, its origin plots' ids.
    A spraying and a harvest recorded at the same moment on two lots of one plot so see
    each other for the waiting-period rule."""
    plot_ids = list(batch.origin_plots.order_by("pk").values_list("pk", flat=True))
    list(Plot.objects.select_for_update().filter(pk__in=plot_ids).order_by("pk").values_list("pk"))
    locked, history = locked_history(batch)
    return locked, history, plot_ids
