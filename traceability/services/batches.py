"""Creating batches from the field, and recalling them with everything made from them."""

import datetime
import re
import secrets
import unicodedata
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import field_error, replayed
from backend.idempotency import once
from backend.numbers import checked_quantity
from backend.text import checked_text
from farms.error_codes import FarmsErrorCode
from farms.models import LOCATION_CODE_ALPHABET, Plot, Producer, Product, Unit
from farms.permissions import Action, require
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import Batch, TraceEvent
from traceability.services.chain import append_event
from traceability.services.events import check_time, record_event
from traceability.services.recall_notices import queue_recall_notices
from traceability.services.trace import descendant_ids
from traceability.signals import batches_recalled
from traceability.steps import BusinessStep

MAX_NOTICE = 2000  # a recall's public notice, read on a phone


def _product_prefix(product: Product) -> str:
    ascii_name = unicodedata.normalize("NFKD", product.code).encode("ascii", "ignore").decode()
    letters = re.sub(r"[^A-Za-z0-9]", "", ascii_name).upper()
    return (letters or "LOT")[:4]


def new_lot_code(product: Product, day: datetime.date) -> str:
    """A human-readable lot code, e.g. RAUM-261123-7K3Q: product, date, 4 random signs.

    At most 20 characters from GS1's character set, as Digital Link requires.
    """
    while True:
        suffix = "".join(secrets.choice(LOCATION_CODE_ALPHABET) for _ in range(4))
        code = f"{_product_prefix(product)}-{day:%y%m%d}-{suffix}"
        if not Batch.objects.filter(code=code).exists():
            return code


def _check_origin_plots(producer: Producer, plots: list[Plot]) -> None:
    if not plots:
        raise field_error(
            "plots",
            _("Choose the plots this batch comes from."),
            TraceabilityErrorCode.PLOTS_REQUIRED,
        )
    allowed = {producer.pk}
    if producer.kind == Producer.Kind.COOPERATIVE:
        allowed |= set(producer.member_farms.values_list("pk", flat=True))
    if any(plot.producer_id not in allowed for plot in plots):
        raise field_error(
            "plots",
            _(
                "A batch can only come from the producer's own plots "
                "(or, for a cooperative, its member farms' plots)."
            ),
            TraceabilityErrorCode.FOREIGN_PLOT,
        )
    if given_away := next((plot for plot in plots if hasattr(plot, "handover")), None):
        raise field_error(
            "plots",
            _("The plot “%(plot)s” was handed over to %(holder)s: it takes no new crops.")
            % {"plot": given_away.name, "holder": given_away.handover.to_producer.name},
            FarmsErrorCode.PLOT_HANDED_OVER,
        )


def create_batch(
    actor,
    *,
    producer: Producer,
    product: Product,
    plots: list[Plot],
    unit: str | None = None,
    harvested_at: datetime.datetime | None = None,
    quantity: Decimal | None = None,
    batch_uuid: uuid.UUID | None = None,
) -> Batch:
    """Open a batch on its plots: growing, or already harvested when ``harvested_at`` is given."""
    require(actor, Action.OPERATE, producer)
    _check_origin_plots(producer, plots)
    if unit and unit not in Unit.values:
        raise field_error(
            "unit", _("Choose one of the catalogue's units."), TraceabilityErrorCode.INVALID_UNIT
        )
    if harvested_at:
        check_time(harvested_at)
    if harvested_at and quantity is not None:
        checked_quantity(quantity)

    def create() -> Batch:
        start = timezone.localdate(harvested_at) if harvested_at else timezone.localdate()
        batch = Batch.objects.create(
            uuid=batch_uuid or uuid.uuid4(),
            code=new_lot_code(product, start),
            product=product,
            producer=producer,
            unit=unit or product.unit,
            created_by=actor,
        )
        batch.origin_plots.set(plots)
        if harvested_at:
            record_event(
                actor, batch, BusinessStep.HARVESTING, occurred_at=harvested_at, quantity=quantity
            )
            batch.refresh_from_db()
        return batch

    return once(lambda: replayed(Batch, batch_uuid, producer_id=producer.pk), create)


def next_steps(batch: Batch) -> set[str]:
    """What may still be done with a lot, for the screens that offer it (the services
    check each step again): a recalled or used-up lot is only recorded on (returns,
    destruction, tests), never split, processed or labelled again."""
    steps = {"event"}
    if batch.status in (Batch.Status.GROWING, Batch.Status.ACTIVE):
        steps.add("recall")
    if batch.status == Batch.Status.ACTIVE:
        steps |= {"split", "merge", "transform"}
        if not batch.on_hold:
            steps.add("labels")
    if batch.status == Batch.Status.RECALLED:
        steps.add("withdraw")
    if batch.on_hold:
        steps.add("release")
    return steps


def recall_batch(
    actor, batch: Batch, reason: str, recall_uuid: uuid.UUID | None = None
) -> list[Batch]:
    """Recall a batch and every batch made from it; each gets a recall event. The reason
    is a public notice: consumers read it on the scan page. Sent again with the same
    ``recall_uuid`` (the uuid of the lot's recall event), it answers the lot as it is."""
    require(actor, Action.RECALL, batch.producer)
    reason = reason.strip()
    if not reason:
        raise field_error(
            "reason", _("Say why the batch is recalled."), TraceabilityErrorCode.REASON_REQUIRED
        )
    reason = checked_text(reason, "reason", MAX_NOTICE, paragraph=True)
    now = timezone.now()
    with transaction.atomic():
        root = Batch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
        # This recall sent again is answered; its key on anything else is refused.
        if replayed(
            TraceEvent, recall_uuid, batch_id=root.pk, business_step=BusinessStep.RECALLING
        ):
            return [root]
        if root.status == Batch.Status.RECALLED:
            raise field_error(
                "batch_id",
                _("This batch is already recalled."),
                TraceabilityErrorCode.ALREADY_RECALLED,
            )
        recalled = [b for b in _lock_family(root) if b.status != Batch.Status.RECALLED]
        recalls = {}
        for target in recalled:
            target.status, target.recall_reason = Batch.Status.RECALLED, reason
            target.save(update_fields=["status", "recall_reason"])
            recalls[target.pk] = append_event(
                target,
                TraceEvent(
                    uuid=(target.pk == root.pk and recall_uuid) or uuid.uuid4(),
                    business_step=BusinessStep.RECALLING,
                    occurred_at=now,
                    producer=target.producer,
                    recorded_by=actor,
                    notes=reason,
                    details={"recalled_because_of": root.code},
                ),
            )
        recall = recalls[root.pk]  # the event the notices tell of
        queue_recall_notices(recall, recalled)
        batches_recalled.send(sender=Batch, batches=recalled, recall=recall)
    return recalled


def withdraw_recall(actor, batch: Batch, reason: str) -> list[Batch]:
    """Undo a recall that was a mistake (the test was of another lot, say): the lot and
    the lots its recall reached return to stock, and each chain records the withdrawal
    and its reason beside the recall."""
    require(actor, Action.RECALL, batch.producer)
    reason = checked_text(reason, "reason", MAX_NOTICE, paragraph=True)
    if not reason:
        raise field_error(
            "reason", _("Say why the recall is withdrawn."), TraceabilityErrorCode.REASON_REQUIRED
        )
    now = timezone.now()
    with transaction.atomic():
        root = Batch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
        if root.status != Batch.Status.RECALLED:
            raise field_error(
                "batch_id", _("This batch is not recalled."), TraceabilityErrorCode.NOT_RECALLED
            )
        reached = [
            lot
            for lot in _lock_family(root)
            if lot.status == Batch.Status.RECALLED and lot.recall_reason == root.recall_reason
        ]
        for lot in reached:
            lot.status = _status_in_stock(lot)
            lot.recall_reason = ""
            lot.save(update_fields=["status", "recall_reason"])
            append_event(
                lot,
                TraceEvent(
                    business_step=BusinessStep.RECALL_WITHDRAWN,
                    occurred_at=now,
                    producer=lot.producer,
                    recorded_by=actor,
                    notes=reason,
                    details={"withdrawn_because_of": root.code},
                ),
            )
    return reached


def _status_in_stock(lot: Batch) -> str:
    if lot.quantity == 0:
        return Batch.Status.GROWING
    return Batch.Status.ACTIVE if lot.remaining_quantity > 0 else Batch.Status.DEPLETED


def _lock_family(root: Batch) -> list[Batch]:
    """Lock ``root`` (already locked) and everything made from it. A split that held the
    root's lock when we asked for it has finished by now, so its children are found."""
    locked = {root.pk: root}
    while True:
        new = set(descendant_ids(root.pk)) - locked.keys()
        if not new:
            return sorted(locked.values(), key=lambda batch: batch.pk)
        family = Batch.objects.select_for_update(of=("self",)).select_related("product")
        locked.update({b.pk: b for b in family.filter(pk__in=new).order_by("pk")})
