"""Serialized QR labels: unguessable serials, their URLs, and PDF sheets built by Celery."""

import datetime
import io
import logging
import secrets
import uuid

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import field_error, replayed
from backend.gs1 import digital_link_path
from backend.idempotency import once
from backend.tasks import queue_after_commit
from farms.models import LOCATION_CODE_ALPHABET
from farms.permissions import Action, require
from traceability import printing
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import Batch, Label, LabelSheet
from traceability.services.events import check_not_expired
from traceability.services.holds import check_not_held

logger = logging.getLogger(__name__)
SERIAL_LENGTH = 12  # 60 random bits: a serial cannot be guessed from another
DOWNLOAD_LINK_SECONDS = 3600
_DOWNLOAD_SALT = "traceability.label-sheet-download"
SHEET_STUCK_AFTER = datetime.timedelta(minutes=15)  # a 20,000-label sheet takes a few
SHEET_GIVE_UP_AFTER = datetime.timedelta(hours=6)


def _random_serial() -> str:
    return "".join(secrets.choice(LOCATION_CODE_ALPHABET) for _ in range(SERIAL_LENGTH))


def new_serials(count: int) -> list[str]:
    serials: set[str] = set()
    while len(serials) < count:
        wanted = {_random_serial() for _ in range(count - len(serials))}
        taken = set(Label.objects.filter(serial__in=wanted).values_list("serial", flat=True))
        serials |= wanted - taken
    return list(serials)


def label_url(serial: str, batch: Batch) -> str:
    """GS1 Digital Link when the product has a GTIN, otherwise a short URL."""
    if batch.product.gtin:
        return settings.SITE_URL + digital_link_path(batch.product.gtin, batch.code, serial)
    return f"{settings.SITE_URL}/s/{serial}"


def order_label_sheet(
    actor,
    batch: Batch,
    count: int,
    layout: str = printing.DEFAULT_LAYOUT,
    sheet_uuid: uuid.UUID | None = None,
) -> LabelSheet:
    """Order ``count`` labels for a batch: the order is saved at once, and a Celery task
    makes the labels and draws their PDF sheet. An order sent again with the same
    ``sheet_uuid`` returns the first one, even while the first is still being saved."""
    require(actor, Action.OPERATE, batch.producer)
    batch = Batch.objects.get(pk=batch.pk)  # the current status, not a caller's stale copy
    if layout not in printing.LAYOUTS:
        raise field_error(
            "layout", _("Unknown sticker layout."), TraceabilityErrorCode.INVALID_LAYOUT
        )
    if not printing.text_fits(layout, printing.LabelText.for_batch(batch)):
        raise field_error(
            "layout",
            _(
                "The product's name, the producer and the harvest date do not fit whole on "
                "these stickers: choose a larger layout."
            ),
            TraceabilityErrorCode.LABEL_TEXT_TOO_LONG,
        )
    largest = max_sheet_size()
    if not 1 <= count <= largest:
        raise field_error(
            "count",
            _("Order between 1 and %(max)d labels at a time.") % {"max": largest},
            TraceabilityErrorCode.INVALID_COUNT,
        )
    waiting = (
        LabelSheet.objects.filter(
            batch__producer=batch.producer, status=LabelSheet.Status.PENDING
        ).aggregate(labels=Sum("label_count"))["labels"]
        or 0
    )
    if waiting + count > settings.LABEL_MAX_PENDING_PER_PRODUCER:
        raise field_error(
            "count",
            _("%(waiting)d labels of yours are still being made: order more when they are ready.")
            % {"waiting": waiting},
            TraceabilityErrorCode.TOO_MANY_PENDING_LABELS,
        )
    check_not_expired(batch)
    check_not_held(batch)
    if batch.status not in (Batch.Status.ACTIVE, Batch.Status.DEPLETED):
        raise field_error(
            "batch",
            _("Labels can be printed only for a harvested batch that is not recalled."),
            TraceabilityErrorCode.BATCH_NOT_LABELLABLE,
        )

    def create() -> LabelSheet:
        sheet = LabelSheet.objects.create(
            uuid=sheet_uuid or uuid.uuid4(),
            batch=batch,
            layout=layout,
            label_count=count,
            requested_by=actor,
        )
        queue_after_commit("traceability.tasks.build_label_sheet", sheet.pk)
        return sheet

    return once(lambda: replayed(LabelSheet, sheet_uuid, batch_id=batch.pk), create)


def max_sheet_size() -> int:
    """Labels one order may ask for: fewer when sheets are drawn inside the request."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return min(settings.LABEL_MAX_SHEET_SIZE, settings.LABEL_MAX_EAGER_SHEET_SIZE)
    return settings.LABEL_MAX_SHEET_SIZE


def _make_labels(sheet: LabelSheet) -> None:
    """The sheet's serialized labels, made once (the sheet row is locked by the caller)."""
    missing = sheet.label_count - sheet.labels.count()
    Label.objects.bulk_create(
        [Label(batch=sheet.batch, sheet=sheet, serial=serial) for serial in new_serials(missing)],
        batch_size=2000,
    )


def requeue_stuck_sheets() -> tuple[int, int]:
    """Sheets still waiting long after their order (a worker died, the broker lost the
    message) are queued again; those waiting far too long are marked failed, so that
    the farmer sees it and orders again. Returns (queued again, failed)."""
    now = timezone.now()
    waiting = LabelSheet.objects.filter(status=LabelSheet.Status.PENDING)
    given_up = waiting.filter(created_at__lt=now - SHEET_GIVE_UP_AFTER)
    failed = given_up.update(
        status=LabelSheet.Status.FAILED,
        finished_at=now,
        error=_("The sheet could not be made in time: please order it again."),
    )
    stuck = list(
        waiting.filter(created_at__lt=now - SHEET_STUCK_AFTER).values_list("pk", flat=True)
    )
    for sheet_id in stuck:
        queue_after_commit("traceability.tasks.build_label_sheet", sheet_id)
    return len(stuck), failed


def signed_download_path(sheet: LabelSheet) -> str:
    """A link to the sheet's PDF that works without a browser session, for an hour: the
    app hands it to the phone's PDF viewer or printer."""
    token = signing.dumps(str(sheet.uuid), salt=_DOWNLOAD_SALT)
    return f"/labels/sheets/{sheet.uuid}.pdf?token={token}"


def download_link(sheet: LabelSheet, operable_producer_ids: set[int]) -> str | None:
    """The signed link, once the sheet is ready, for those who operate its producer only:
    a printable sheet is genuine labels."""
    if sheet.status != LabelSheet.Status.READY:
        return None
    if sheet.batch.producer_id not in operable_producer_ids:
        return None
    return signed_download_path(sheet)


def download_token_valid(sheet: LabelSheet, token: str) -> bool:
    try:
        return signing.loads(token, salt=_DOWNLOAD_SALT, max_age=DOWNLOAD_LINK_SECONDS) == str(
            sheet.uuid
        )
    except signing.BadSignature:
        return False


@transaction.atomic
def build_sheet(sheet_id: int) -> LabelSheet:
    """Draw a sheet's PDF and store it; the sheet says ready or failed. The sheet row is
    locked, so a retried task cannot draw it twice, and a batch recalled since the
    order gets no labels."""
    sheet = (
        LabelSheet.objects.select_for_update(of=("self",))
        .select_related("batch__product", "batch__producer", "batch__certification")
        .get(pk=sheet_id)
    )
    if sheet.status != LabelSheet.Status.PENDING:
        return sheet
    batch = sheet.batch
    if batch.status == Batch.Status.RECALLED:
        return _failed(sheet, _("The batch was recalled: no labels are printed."))
    _make_labels(sheet)
    serials = sheet.labels.order_by("pk").values_list("serial", flat=True)
    labels = [(label_url(serial, batch), serial) for serial in serials]
    output = io.BytesIO()
    try:
        printing.render_sheet(output, sheet.layout, printing.LabelText.for_batch(batch), labels)
    except Exception as error:  # a broken sheet must say so, not stay "waiting" forever
        logger.exception("Label sheet %s could not be drawn", sheet.pk)
        return _failed(sheet, str(error)[:1000])
    sheet.file.save(f"{batch.code}-{sheet.uuid}.pdf", ContentFile(output.getvalue()), save=False)
    sheet.status, sheet.finished_at, sheet.error = LabelSheet.Status.READY, timezone.now(), ""
    sheet.save(update_fields=["file", "status", "finished_at", "error"])
    return sheet


def _failed(sheet: LabelSheet, reason: str) -> LabelSheet:
    sheet.status, sheet.error, sheet.finished_at = LabelSheet.Status.FAILED, reason, timezone.now()
    sheet.save(update_fields=["status", "error", "finished_at"])
    return sheet
