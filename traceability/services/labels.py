"""Serialized QR labels: unguessable serials, their URLs, and PDF sheets built by Celery."""

import io
import logging
import secrets
import uuid

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import field_error, replayed
from backend.gs1 import digital_link_path
from farms.models import LOCATION_CODE_ALPHABET
from farms.permissions import Action, require
from traceability import printing
from traceability.models import Batch, Label, LabelSheet

logger = logging.getLogger(__name__)
SERIAL_LENGTH = 12  # 60 random bits: a serial cannot be guessed from another
DOWNLOAD_LINK_SECONDS = 3600
_DOWNLOAD_SALT = "traceability.label-sheet-download"


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
    """Create ``count`` labels for a batch; a Celery task draws their PDF sheet.
    An order sent again with the same ``sheet_uuid`` returns the first one."""
    require(actor, Action.OPERATE, batch.producer)
    if existing := replayed(LabelSheet, sheet_uuid, batch_id=batch.pk):
        return existing
    batch = Batch.objects.get(pk=batch.pk)  # the current status, not a caller's stale copy
    if layout not in printing.LAYOUTS:
        raise field_error("layout", _("Unknown sticker layout."), "invalid_layout")
    if not 1 <= count <= settings.LABEL_MAX_SHEET_SIZE:
        raise field_error(
            "count",
            _("Order between 1 and %(max)d labels at a time.")
            % {"max": settings.LABEL_MAX_SHEET_SIZE},
            "invalid_count",
        )
    if batch.status not in (Batch.Status.ACTIVE, Batch.Status.DEPLETED):
        raise field_error(
            "batch",
            _("Labels can be printed only for a harvested batch that is not recalled."),
            "batch_not_labellable",
        )
    from traceability.tasks import build_label_sheet

    with transaction.atomic():
        sheet = LabelSheet.objects.create(
            uuid=sheet_uuid or uuid.uuid4(),
            batch=batch,
            layout=layout,
            label_count=count,
            requested_by=actor,
        )
        Label.objects.bulk_create(
            [Label(batch=batch, sheet=sheet, serial=serial) for serial in new_serials(count)],
            batch_size=2000,
        )
        transaction.on_commit(lambda: build_label_sheet.delay(sheet.pk))
    return sheet


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
