"""Holds: facts are recorded, and what they imply is a hold, not a refusal.

A lot whose produce may be unsafe (harvested inside a waiting period, failed a check) is
kept from sale and labels, with a notice on its scan page, and so is everything made
from it. The producer and inspectors are told; an inspector releases the hold (after a
residue test, say) or recalls the lot. Placing and lifting a hold are events in each
lot's chain, so the record shows both.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.errors import field_error
from backend.tasks import queue_after_commit
from backend.text_messages import send_text, texts_are_delivered
from farms.permissions import INSPECTOR_GROUP, Action, managing, require
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import Batch, Hold, TraceEvent
from traceability.services.chain import append_event
from traceability.services.trace import descendant_ids
from traceability.signals import batches_held
from traceability.steps import BusinessStep


def place_holds(
    batch_ids: set[int], reason: str, explanation: str, cause: TraceEvent | None = None
) -> list[Hold]:
    """Hold these lots and everything made from them (inside the caller's transaction).
    Lots already recalled need no hold."""
    family = set(batch_ids)
    for batch_id in batch_ids:
        family.update(descendant_ids(batch_id))
    lots = (
        Batch.objects.select_for_update(of=("self",))
        .filter(pk__in=family)
        .exclude(status=Batch.Status.RECALLED)
        .select_related("producer")
        .order_by("pk")
    )
    holds = []
    for batch in lots:
        own = batch.pk in batch_ids
        hold = Hold.objects.create(
            batch=batch,
            reason=reason if own else Hold.Reason.MADE_FROM_HELD_LOT,
            explanation=explanation,
            cause=cause,
        )
        batch.on_hold = True
        batch.save(update_fields=["on_hold"])
        append_event(batch, _notice(batch, BusinessStep.HOLDING, explanation, [hold]))
        holds.append(hold)
    if holds:
        batches_held.send(sender=Batch, batches=[hold.batch for hold in holds])
        queue_after_commit("traceability.tasks.send_hold_notices", [hold.pk for hold in holds])
    return holds


def release_hold(actor, batch: Batch, note: str) -> list[Hold]:
    """An inspector lifts the holds on ``batch`` and those its cause put on what was made
    from it; the note (a test's result, say) is on the record."""
    require(actor, Action.RELEASE, batch.producer)
    note = note.strip()
    if not note:
        raise field_error(
            "note",
            _("Say why the lot is safe to sell (the test, its result, the laboratory)."),
            TraceabilityErrorCode.REASON_REQUIRED,
        )
    with transaction.atomic():
        root = Batch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
        own = list(root.holds.filter(released_at=None))
        if not own:
            raise field_error(
                "batch_id", _("This lot is not on hold."), TraceabilityErrorCode.NOT_HELD
            )
        causes = {hold.cause_id for hold in own if hold.cause_id}
        derived = Hold.objects.filter(
            released_at=None,
            reason=Hold.Reason.MADE_FROM_HELD_LOT,
            cause_id__in=causes,
            batch_id__in=descendant_ids(root.pk),
        )
        released = own + list(derived.select_related("batch"))
        for lot_id in sorted({hold.batch_id for hold in released}):
            _lift(actor, lot_id, [hold for hold in released if hold.batch_id == lot_id], note)
    return released


def _lift(actor, batch_id: int, holds: list[Hold], note: str) -> None:
    lot = Batch.objects.select_for_update(of=("self",)).select_related("producer").get(pk=batch_id)
    now = timezone.now()
    for hold in holds:
        hold.released_at, hold.released_by, hold.release_note = now, actor, note
        hold.save(update_fields=["released_at", "released_by", "release_note"])
    lot.on_hold = lot.holds.filter(released_at=None).exists()
    lot.save(update_fields=["on_hold"])
    append_event(lot, _notice(lot, BusinessStep.RELEASING, note, holds, actor))


def _notice(batch: Batch, step: str, text: str, holds: list[Hold], actor=None) -> TraceEvent:
    """The chain's record of placing or lifting ``holds``: the scan page reads which holds
    stand from the chain, so clearing a flag in the database cannot hide one."""
    return TraceEvent(
        business_step=step,
        occurred_at=timezone.now(),
        producer=batch.producer,
        recorded_by=actor,
        notes=text,
        details={"holds": [hold.pk for hold in holds], "reason": holds[0].reason},
    )


def standing_holds(events: list[TraceEvent], batch_id: int) -> list[str]:
    """The explanations of the holds on a lot that its chain does not show lifted."""
    lifted = {
        hold
        for event in events
        if event.batch_id == batch_id and event.business_step == BusinessStep.RELEASING
        for hold in event.details.get("holds", [])
    }
    return [
        event.notes
        for event in events
        if event.batch_id == batch_id
        and event.business_step == BusinessStep.HOLDING
        and not set(event.details.get("holds", [])) <= lifted
    ]


def check_not_held(batch: Batch, field: str = "batch") -> None:
    """Intentions (selling, shipping a sale, printing labels) wait for the release."""
    if batch.on_hold:
        raise field_error(
            field,
            _("Lot %(lot)s is on hold until an inspector releases it.") % {"lot": batch.code},
            TraceabilityErrorCode.LOT_ON_HOLD,
        )


def notify(hold_ids: list[int]) -> int:
    """Tell each hold's producer (its managers, and its cooperative's) and the inspectors,
    by email and text message, in their language; each hold is told once. Returns how
    many holds were told about."""
    holds = list(
        Hold.objects.filter(pk__in=hold_ids, notified_at=None).select_related(
            "batch__producer__cooperative", "batch__product"
        )
    )
    for hold in holds:
        for person in _people_to_tell(hold.batch.producer):
            _tell(person, hold)
    Hold.objects.filter(pk__in=[hold.pk for hold in holds]).update(notified_at=timezone.now())
    return len(holds)


def _people_to_tell(producer):
    from accounts.models import User

    return User.objects.filter(
        managing(producer) | Q(groups__name=INSPECTOR_GROUP), is_active=True
    ).distinct()


def _tell(person, hold: Hold) -> None:
    with translation.override(person.preferred_language):
        text = _("Lot %(lot)s (%(product)s) is on hold: %(why)s %(page)s") % {
            "lot": hold.batch.code,
            "product": hold.batch.product.name,
            "why": hold.explanation,
            "page": f"{settings.SITE_URL}/lot/{hold.batch.code}",
        }
        subject = _("Lot %(lot)s is on hold") % {"lot": hold.batch.code}
    if person.email:
        send_mail(subject, text, None, [person.email])
    if texts_are_delivered():
        send_text(person.phone, text)
