"""The EPCIS capture interface: a trading partner sends the events it recorded on our lots
(its receiving, storing and retail selling), and they join each lot's hash chain.

A document is accepted at once (checked only for size and shape) and captured by a Celery
worker: validated against GS1's EPCIS JSON Schema, then each event against the lots it
names, which must have been shipped to this partner. With ``rollback`` (the default) one
error rejects the whole document; with ``proceed`` the valid events are kept. An event
sent again (the same eventID) is stored once. A partner's events never move a lot's
stock: what it received and sold is its own stock, already shipped out of the lot's.
"""

import datetime
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import jsonschema
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import readable
from backend.numbers import format_quantity
from backend.tasks import queue_after_commit
from traceability import epcis
from traceability.models import ApiKey, Batch, CaptureJob, TraceEvent
from traceability.services.chain import append_events, locked_row
from traceability.services.epcis_query import lot_classes
from traceability.services.events import check_time
from traceability.steps import BusinessStep

MAX_BYTES = 4 * 1024 * 1024
MAX_EVENTS = 5_000
JOBS_LISTED = 100
# What a trading partner may declare about our lots, by CBV business step.
PARTNER_STEPS = {
    "receiving": BusinessStep.RECEIVING,
    "storing": BusinessStep.STORING,
    "retail_selling": BusinessStep.SELLING,
}
_SCHEMA = Path(__file__).resolve().parent.parent / "standards" / "EPCIS-JSON-Schema.json"
_UNIT_OF = {code: unit for unit, code in epcis.UNIT_CODES.items()}


class CaptureRefused(ValueError):
    """A document refused before any job is made: ``status`` and EPCIS exception type."""

    def __init__(self, status: int, exception: str, message: str):
        super().__init__(message)
        self.status, self.exception = status, exception


@cache
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(_SCHEMA.read_text()))


def submit(key: ApiKey, body: bytes, behaviour: str = "rollback") -> CaptureJob:
    """Accept a document for capture (the work is queued) or refuse it outright."""
    if key.scope != ApiKey.Scope.PARTNER:
        raise CaptureRefused(
            403, "SecurityException", _("Only trading partners capture events here.")
        )
    if len(body) > MAX_BYTES:
        raise CaptureRefused(413, "CaptureLimitExceededException", _("A document is at most 4 MB."))
    if behaviour not in CaptureJob.Behaviour.values:
        raise CaptureRefused(
            400, "ValidationException", _("GS1-Capture-Error-Behaviour is rollback or proceed.")
        )
    if b"\\u0000" in body:  # PostgreSQL's JSON cannot hold it
        raise CaptureRefused(400, "ValidationException", _("The document holds a NUL character."))
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise CaptureRefused(400, "ValidationException", _("The body is not JSON.")) from error
    events = _event_list(document)
    if len(events) > MAX_EVENTS:
        raise CaptureRefused(
            413,
            "CaptureLimitExceededException",
            _("A document holds at most %(count)s events.") % {"count": MAX_EVENTS},
        )
    job = CaptureJob.objects.create(api_key=key, error_behaviour=behaviour, document=document)
    queue_after_commit("traceability.tasks.run_capture_job", job.pk)
    return job


def _event_list(document) -> list:
    body = document.get("epcisBody") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get("type") != "EPCISDocument":
        raise CaptureRefused(400, "ValidationException", _("Send an EPCISDocument."))
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list) or not events:
        raise CaptureRefused(
            400, "ValidationException", _("The document's epcisBody.eventList is empty.")
        )
    return events


def _problem(index: int | None, message: str) -> dict:
    where = "" if index is None else _("Event %(index)s: ") % {"index": index + 1}
    return {
        "type": "epcisException:ValidationException",
        "title": _("Event not captured"),
        "status": 400,
        "detail": where + message,
    }


@dataclass
class Capture:
    """One event of the document, checked and ready to append to one lot."""

    index: int
    event_uuid: uuid.UUID
    event_id: str
    step: str
    occurred_at: datetime.datetime
    offset: str
    batch: Batch
    quantity: Decimal | None
    location: str


def _time(event: dict) -> tuple[datetime.datetime, str]:
    offset = event.get("eventTimeZoneOffset", "+00:00")
    moment = datetime.datetime.fromisoformat(event["eventTime"])
    check_time(moment)
    return moment, offset


@dataclass(frozen=True)
class Shipped:
    """A lot named in the document, and what was shipped of it to the partner."""

    batch: Batch
    quantity: Decimal


def _shipped_lot(key: ApiKey, epc_class: str) -> Shipped:
    classes = lot_classes([epc_class])
    batch = None
    if classes and classes[0].lot:
        found = Batch.objects.select_related("product").filter(code=classes[0].lot)
        if classes[0].gtins:
            found = found.filter(product__gtin__in=classes[0].gtins)
        batch = found.first()
    if batch is None:
        raise ValidationError(_("%(lot)s is not a lot recorded here.") % {"lot": epc_class})
    shipped = TraceEvent.objects.filter(
        batch=batch, business_step=BusinessStep.SHIPPING, party=key.party
    ).aggregate(total=Sum("quantity"))["total"]
    if shipped is None:
        raise ValidationError(_("Lot %(lot)s was never shipped to you.") % {"lot": batch.code})
    return Shipped(batch, shipped)


class Lots(dict):
    """The document's lots, each looked up once (a thousand events often name one lot)."""

    def __init__(self, key: ApiKey):
        super().__init__()
        self.key = key

    def __missing__(self, epc_class: str) -> Shipped | ValidationError:
        try:
            self[epc_class] = _shipped_lot(self.key, epc_class)
        except ValidationError as error:
            self[epc_class] = error
        return self[epc_class]


def _lot_and_quantity(lots: Lots, event: dict) -> tuple[Batch, Decimal | None, Decimal]:
    elements = event.get("quantityList") or []
    if len(elements) != 1 or event.get("epcList"):
        raise ValidationError(_("Name exactly one lot, in quantityList."))
    element = elements[0]
    shipped = lots[str(element.get("epcClass", ""))]
    if isinstance(shipped, ValidationError):
        raise shipped
    return shipped.batch, _quantity(element, shipped.batch), shipped.quantity


def _quantity(element: dict, batch: Batch) -> Decimal | None:
    if "quantity" not in element:
        return None
    try:
        quantity = Decimal(str(element["quantity"]))
    except InvalidOperation as error:
        raise ValidationError(_("The quantity is not a number.")) from error
    unit = _UNIT_OF.get(element.get("uom", ""), batch.unit if "uom" not in element else None)
    if unit != batch.unit:
        raise ValidationError(
            _("Lot %(lot)s is counted in %(unit)s.")
            % {"lot": batch.code, "unit": batch.get_unit_display()}
        )
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationError(_("The quantity must be above zero."))
    return quantity


def epcis_quantity(quantity: Decimal, batch: Batch) -> str:
    return f"{format_quantity(quantity)} {batch.get_unit_display()}"


def _check(lots: Lots, index: int, event: dict) -> Capture:
    if event.get("type") != "ObjectEvent":
        raise ValidationError(_("Only ObjectEvents are captured here."))
    word = str(event.get("bizStep", "")).removeprefix("https://ref.gs1.org/cbv/BizStep-")
    if word not in PARTNER_STEPS:
        raise ValidationError(
            _("A trading partner records receiving, storing or retail_selling here.")
        )
    event_id = str(event.get("eventID") or "")
    if not event_id:
        raise ValidationError(_("Give each event its eventID, so that a resend is stored once."))
    moment, offset = _time(event)
    batch, quantity, shipped = _lot_and_quantity(lots, event)
    step = PARTNER_STEPS[word]
    if step == BusinessStep.RECEIVING and quantity is not None and quantity > shipped:
        raise ValidationError(
            _("More than the %(quantity)s shipped to you from lot %(lot)s.")
            % {"quantity": epcis_quantity(shipped, batch), "lot": batch.code}
        )
    location = (event.get("bizLocation") or event.get("readPoint") or {}).get("id", "")
    return Capture(
        index=index,
        event_uuid=epcis.event_uuid(event_id),
        event_id=event_id,
        step=step,
        occurred_at=moment,
        offset=offset,
        batch=batch,
        quantity=quantity,
        location=str(location)[:200],
    )


def _checked(job: CaptureJob) -> tuple[list[Capture], list[dict]]:
    """The document's events checked one by one: those that may be written, the errors."""
    events = _event_list(job.document)
    errors = [
        _problem(None, f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
        for error in list(_validator().iter_errors(job.document))[:20]
    ]
    if errors:
        return [], errors
    captures, lots = [], Lots(job.api_key)
    for index, event in enumerate(events):
        try:
            captures.append(_check(lots, index, event))
        except ValidationError as error:
            errors.append(_problem(index, readable(error)))
    return captures, errors


def _new(job: CaptureJob, captures: list[Capture]) -> tuple[list[Capture], list[dict]]:
    """The captures not stored before (an eventID sent again is stored once), and errors
    for eventIDs that name another event here."""
    stored = TraceEvent.objects.filter(uuid__in=[c.event_uuid for c in captures])
    stored = {row.uuid: row for row in stored.only("uuid", "actor_id", "batch_id")}
    fresh, errors, seen = [], [], set()
    for capture in captures:
        row = stored.get(capture.event_uuid)
        if row is not None and (row.actor_id, row.batch_id) != (
            job.api_key.party_id,
            capture.batch.pk,
        ):
            errors.append(_problem(capture.index, _("This eventID names another event here.")))
        elif row is None and capture.event_uuid not in seen:
            fresh.append(capture)
            seen.add(capture.event_uuid)
    return fresh, errors


def _write(job: CaptureJob, captures: list[Capture]) -> int:
    """Append the captures to their lots' chains, each lot locked once, in a fixed order."""
    by_lot: dict[int, list[Capture]] = {}
    for capture in captures:
        by_lot.setdefault(capture.batch.pk, []).append(capture)
    for lot_id in sorted(by_lot):
        batch = locked_row(by_lot[lot_id][0].batch)
        events = [
            TraceEvent(
                uuid=capture.event_uuid,
                business_step=capture.step,
                occurred_at=capture.occurred_at,
                time_zone_offset=capture.offset,
                producer=batch.producer,
                actor=job.api_key.party,
                quantity=capture.quantity,
                details={
                    "eventID": capture.event_id,
                    "bizLocation": capture.location,
                    "capture": str(job.uuid),
                },
            )
            for capture in sorted(by_lot[lot_id], key=lambda c: c.occurred_at)
        ]
        append_events(batch, events)
    return len(captures)


def run(job_id: int) -> CaptureJob:
    """Capture a queued document (the Celery task's work)."""
    job = CaptureJob.objects.select_related("api_key__party").get(pk=job_id)
    if not job.running:
        return job
    captures, errors = _checked(job)
    rollback = job.error_behaviour == CaptureJob.Behaviour.ROLLBACK
    captured = 0
    for attempt in range(2):
        fresh, clashes = _new(job, captures)
        if clashes or (errors and rollback):
            errors += clashes
            break
        try:
            with transaction.atomic():
                captured = _write(job, fresh)
            break
        except IntegrityError:  # another job stored some of these events meanwhile
            if attempt:
                raise
    job.running, job.success = False, not errors
    job.errors, job.captured, job.finished_at = errors, captured, timezone.now()
    job.save(update_fields=["running", "success", "errors", "captured", "finished_at"])
    return job
