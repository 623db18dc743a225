"""Tamper evidence: every event is hashed over its content and its predecessor's hash.

The batch row keeps the head of its chain and its length, so removing the newest
events is caught as well as editing or removing older ones.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC

from django.utils.translation import gettext as _

from traceability.models import Batch, EventInput, TraceEvent
from traceability.steps import BusinessStep

GENESIS_HASH = "0" * 64


def _decimal(value) -> str | None:
    return None if value is None else f"{value:.3f}"


def event_payload(event: TraceEvent, inputs: list[EventInput], photo_digests: list[str]) -> dict:
    """Everything an event asserts, in a canonical form. Works on saved or unsaved rows.
    Facts added later (the parties) are in it only when set, so older links still hash
    as they did."""
    batch = event.batch
    payload = {
        "uuid": str(event.uuid),
        "lot": batch.code,
        "product": batch.product_id,  # ids never change; catalogue codes may
        "producer_of_lot": batch.producer_id,
        "unit": batch.unit,
        "sequence": event.sequence,
        "type": event.event_type,
        "action": event.action,
        "step": event.business_step,
        "disposition": event.disposition,
        "time": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "offset": event.time_zone_offset,
        "plot": event.plot.location_code if event.plot_id else None,
        "place": event.place.location_code if event.place_id else None,
        "by_producer": event.producer_id,
        "recorded_by": event.recorded_by_id,
        "quantity": _decimal(event.quantity),
        "notes": event.notes,
        "transformation": str(event.transformation_id) if event.transformation_id else None,
        "details": event.details,
        "inputs": [
            [
                item.name,
                item.active_ingredient,
                _decimal(item.dose),
                item.dose_unit,
                item.pre_harvest_interval_days,
                item.agricultural_input_id,
            ]
            for item in inputs
        ],
        "photos": photo_digests,
    }
    if event.party_id:
        payload["party"] = str(event.party.uuid)
    if event.actor_id:
        payload["actor"] = str(event.actor.uuid)
    return payload


def batch_facts(batch: Batch) -> dict:
    """What a lot's page says beyond its events (dates, quantity, plots, certificate), in
    the form recorded in the chain when the lot began: at its harvest, or in the
    transformation that made it."""
    certificate = batch.certification
    return {
        "harvest_date": batch.harvest_date.isoformat() if batch.harvest_date else None,
        "produced_on": batch.produced_on.isoformat() if batch.produced_on else None,
        "use_by": batch.use_by.isoformat() if batch.use_by else None,
        "quantity": _decimal(batch.quantity),
        "plots": sorted(plot.location_code for plot in batch.origin_plots.all()),
        "certification": [
            certificate.scheme,
            certificate.number,
            certificate.issued_by,
            certificate.valid_from.isoformat(),
            certificate.valid_to.isoformat(),
        ]
        if certificate
        else None,
    }


def declared_wrong(events: list[TraceEvent]) -> set[str]:
    """The uuids of events that corrections in this chain declare wrong."""
    return {
        event.details["corrects"]
        for event in events
        if event.business_step == BusinessStep.CORRECTING and "corrects" in event.details
    }


def _recorded_facts(batch: Batch, events: list[TraceEvent]) -> dict | None:
    """The facts the lot's standing beginning recorded (a corrected harvest's correction
    recorded them anew)."""
    wrong = declared_wrong(events)
    for event in sorted(events, key=lambda e: e.sequence, reverse=True):
        if event.business_step == BusinessStep.HARVESTING and str(event.uuid) not in wrong:
            return event.details.get("facts")
    for event in events:
        for output in event.details.get("outputs", []):
            if output["lot"] == batch.code:
                return output.get("facts")
    return None


def last_recall_step(events: list[TraceEvent], batch_id: int) -> TraceEvent | None:
    """The lot's latest recall or withdrawal of one, as its chain records them."""
    steps = (BusinessStep.RECALLING, BusinessStep.RECALL_WITHDRAWN)
    mine = [e for e in events if e.batch_id == batch_id and e.business_step in steps]
    return max(mine, key=lambda event: event.sequence, default=None)


def _field_problems(batch: Batch, events: list[TraceEvent]) -> list[str]:
    problems = []
    facts = _recorded_facts(batch, events)
    current = batch_facts(batch)
    # Facts are compared as recorded: a lot begun before a fact was kept has no entry for it.
    if facts is not None and facts != {key: current.get(key) for key in facts}:
        problems.append(
            _(
                "The batch's dates, quantity, plots or certificate were changed "
                "after they were recorded."
            )
        )
    last = last_recall_step(events, batch.pk)
    recalled = last is not None and last.business_step == BusinessStep.RECALLING
    if recalled and batch.status != Batch.Status.RECALLED:
        problems.append(_("This batch's recall was undone."))
    return problems


def chain_hash(payload: dict, previous_hash: str) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


@dataclass
class ChainReport:
    lot: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(batch: Batch, events: list[TraceEvent]) -> ChainReport:
    """Check a batch's events (sorted by sequence, inputs and photos loaded)."""
    report = ChainReport(lot=batch.code)
    previous = GENESIS_HASH
    for expected_sequence, event in enumerate(events, start=1):
        report.checked += 1
        if event.sequence != expected_sequence:
            report.problems.append(
                _("Event number %(number)d is missing.") % {"number": expected_sequence}
            )
            break
        digests = [photo.sha256 for photo in event.photos.all()]
        recomputed = chain_hash(event_payload(event, list(event.inputs.all()), digests), previous)
        if event.previous_hash != previous or event.hash != recomputed:
            report.problems.append(
                _("Event number %(number)d (%(step)s) was changed after it was recorded.")
                % {"number": event.sequence, "step": event.get_business_step_display()}
            )
            break
        previous = event.hash
    if report.intact and (batch.event_count != len(events) or batch.chain_head != previous):
        report.problems.append(_("Recorded events have been removed from this history."))
    if report.intact:
        report.problems.extend(_field_problems(batch, events))
    return report


def events_for_verification(batch_ids):
    return (
        TraceEvent.objects.filter(batch_id__in=batch_ids)
        .select_related("plot", "place")
        .prefetch_related("inputs", "photos")
        .order_by("batch_id", "sequence")
    )


def verify_batch(batch: Batch) -> ChainReport:
    batch = (
        Batch.objects.select_related("product", "certification")
        .prefetch_related("origin_plots")
        .get(pk=batch.pk)
    )
    events = list(events_for_verification([batch.pk]))
    for event in events:
        event.batch = batch
    return verify_chain(batch, events)
