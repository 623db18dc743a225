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
from traceability.services.chain import append_event, locked_history
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


def _lot_and_quantity(key: ApiKey, event: dict) -> tuple[Batch, Decimal | None, Decimal]:
    elements = event.get("quantityList") or []
    if len(elements) != 1 or event.get("epcList"):
        raise ValidationError(_("Name exactly one lot, in quantityList."))
    element = elements[0]
    classes = lot_classes([element.get("epcClass", "")])
    batch = None
    if classes and classes[0].lot:
        found = Batch.objects.select_related("product").filter(code=classes[0].lot)
        if classes[0].gtins:
            found = found.filter(product__gtin__in=classes[0].gtins)
        batch = found.first()
    if batch is None:
        raise ValidationError(
            _("%(lot)s is not a lot recorded here.") % {"lot": element.get("epcClass")}
        )
    shipped = TraceEvent.objects.filter(
        batch=batch, business_step=BusinessStep.SHIPPING, party=key.party
    ).aggregate(total=Sum("quantity"))["total"]
    if shipped is None:
        raise ValidationError(_("Lot %(lot)s was never shipped to you.") % {"lot": batch.code})
    return batch, _quantity(element, batch), shipped


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


def _check(key: ApiKey, index: int, event: dict) -> Capture:
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
    batch, quantity, shipped = _lot_and_quantity(key, event)
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
    captures = []
    for index, event in enumerate(events):
        try:
            captures.append(_check(job.api_key, index, event))
        except ValidationError as error:
            errors.append(_problem(index, readable(error)))
    return captures, errors


def _write(job: CaptureJob, capture: Capture) -> bool:
    """Append one captured event to its lot's chain; False when it was stored before."""
    existing = TraceEvent.objects.filter(uuid=capture.event_uuid).first()
    if existing is not None:
        if existing.actor_id != job.api_key.party_id or existing.batch_id != capture.batch.pk:
            raise ValidationError(_("This eventID names another event here."))
        return False
    batch, _history = locked_history(capture.batch)
    event = TraceEvent(
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
    try:
        with transaction.atomic():
            append_event(batch, event)
    except IntegrityError:  # the same event, sent again at the same moment
        return False
    return True


def run(job_id: int) -> CaptureJob:
    """Capture a queued document (the Celery task's work)."""
    job = CaptureJob.objects.select_related("api_key__party").get(pk=job_id)
    if not job.running:
        return job
    captures, errors = _checked(job)
    rollback = job.error_behaviour == CaptureJob.Behaviour.ROLLBACK
    captured = 0
    if not (errors and rollback):
        try:
            with transaction.atomic():
                for capture in sorted(captures, key=lambda c: c.batch.pk):
                    try:
                        captured += _write(job, capture)
                    except ValidationError as error:
                        errors.append(_problem(capture.index, readable(error)))
                        if rollback:
                            raise
        except ValidationError:
            captured = 0
    job.running, job.success = False, not errors
    job.errors, job.captured, job.finished_at = errors, captured, timezone.now()
    job.save(update_fields=["running", "success", "errors", "captured", "finished_at"])
    return job
