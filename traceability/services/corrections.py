"""Honest corrections (EPCIS 2.0 error declarations): a wrong event is never edited or
deleted. A correction is a new event in the lot's chain that declares it wrong, with a
reason, who and when, and points at the event that replaces it, if any. The rules then
read the corrected record: the stock is settled again, and a corrected harvest or
spraying is checked against the waiting periods like any new one. Holds stay until an
inspector lifts them (a correction must not be a way out of one).
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.errors import field_error
from backend.idempotency import once
from farms.permissions import Action, require
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import TraceEvent
from traceability.services.chain import append_event, locked_lot
from traceability.services.checks import CheckResult, Residue
from traceability.services.events import InputUse, record_event
from traceability.services.mass_balance import settle
from traceability.steps import CHECKS, BusinessStep, Stock, rule_for

MAX_REASON = 1000


class Declaration:
    """CBV 2.0's error reasons."""

    DID_NOT_OCCUR = "did_not_occur"
    INCORRECT_DATA = "incorrect_data"


@dataclass(frozen=True)
class Replacement:
    """What the corrected event should have said; anything left None is kept."""

    occurred_at: datetime.datetime | None = None
    quantity: Decimal | None = None
    notes: str | None = None
    inputs: list[InputUse] | None = None
    check: CheckResult | None = None


def correct_event(
    actor,
    event: TraceEvent,
    reason: str,
    replacement: Replacement | None = None,
    correction_uuid: uuid.UUID | None = None,
) -> TraceEvent:
    """Declare ``event`` wrong (and, with ``replacement``, record what is right instead).
    Returns the correction. Sent again with the same ``correction_uuid``, it applies once."""
    step = event.business_step
    require(actor, Action.INSPECT if step in CHECKS else Action.OPERATE, event.batch.producer)
    reason = (reason or "").strip()
    if not 0 < len(reason) <= MAX_REASON:
        raise field_error(
            "reason",
            _("Say what was wrong (at most 1,000 characters)."),
            TraceabilityErrorCode.REASON_REQUIRED,
        )
    if not rule_for(step).recordable:
        raise field_error(
            "event_id",
            _("Only recorded steps can be corrected; undo a split, recall or hold its own way."),
            TraceabilityErrorCode.NOT_CORRECTABLE,
        )

    def replay() -> TraceEvent | None:
        if not correction_uuid:
            return None
        return TraceEvent.objects.filter(uuid=correction_uuid, corrects=event).first()

    def create() -> TraceEvent:
        with transaction.atomic():
            return _apply(actor, event, reason, replacement, correction_uuid or uuid.uuid4())

    return once(replay, create)


def _apply(actor, event, reason, replacement: Replacement | None, correction_uuid) -> TraceEvent:
    batch, _history, _plots = locked_lot(event.batch)
    if event.corrections.exists():
        raise field_error(
            "event_id",
            _("This event was already corrected: correct its correction instead."),
            TraceabilityErrorCode.ALREADY_CORRECTED,
        )
    corrective_uuid = uuid.uuid4() if replacement else None
    declaration = TraceEvent(
        uuid=correction_uuid,
        business_step=BusinessStep.CORRECTING,
        occurred_at=timezone.now(),
        producer=batch.producer,
        recorded_by=actor,
        notes=reason,
        corrects=event,
        details={
            "corrects": str(event.uuid),
            "reason": Declaration.INCORRECT_DATA if replacement else Declaration.DID_NOT_OCCUR,
            "corrective": [str(corrective_uuid)] if corrective_uuid else [],
        },
    )
    append_event(batch, declaration)
    if not (replacement and rule_for(event.business_step).stock == Stock.IN):
        settle(batch)  # the wrong event no longer counts (a corrected harvest still will)
    if replacement:
        _record_instead(actor, batch, event, replacement, corrective_uuid)
        batch.refresh_from_db()
        settle(batch)
    return declaration


def _record_instead(actor, batch, wrong: TraceEvent, replacement, corrective_uuid) -> None:
    """The corrective event: the wrong one as it should have been."""
    inputs = replacement.inputs
    if inputs is None:
        inputs = [
            InputUse(
                row.agricultural_input,
                row.name,
                row.dose,
                row.dose_unit,
                row.pre_harvest_interval_days,
            )
            for row in wrong.inputs.all()
        ]
    check = replacement.check
    if check is None and wrong.business_step in CHECKS:
        check = _check_of(wrong)
    with translation.override(settings.LANGUAGE_CODE):
        record_event(
            actor,
            batch,
            wrong.business_step,
            occurred_at=replacement.occurred_at or wrong.occurred_at,
            plot=wrong.plot,
            place=wrong.place,
            quantity=wrong.quantity if replacement.quantity is None else replacement.quantity,
            notes=wrong.notes if replacement.notes is None else replacement.notes,
            inputs=inputs,
            event_uuid=corrective_uuid,
            check=check,
        )


def _check_of(event: TraceEvent) -> CheckResult:
    kept = event.details.get("check", {})
    residues = [
        Residue(r["substance"], Decimal(r["value"]), Decimal(r["limit"]), r["unit"])
        for r in kept.get("residues", [])
    ]
    return CheckResult(
        kept.get("conformant"), kept.get("laboratory", ""), kept.get("sample", ""), residues
    )
