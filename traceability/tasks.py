from celery import shared_task
from django.utils import translation

from backend.notices import send_once
from traceability.models import RecallNotice
from traceability.services import epcis_capture, holds, labels, photos, recall_notices


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def build_label_sheet(sheet_id: int) -> None:
    """Draw a label sheet's PDF (thousands of labels take a while)."""
    with translation.override("vi"):
        labels.build_sheet(sheet_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_thumbnails(photo_ids: list[int]) -> None:
    """Small versions of event photos for the app and the scan page."""
    photos.make_thumbnails(photo_ids)


@shared_task
def requeue_stuck_label_sheets() -> tuple[int, int]:
    """Queue again the label sheets a lost worker left waiting; fail the hopeless ones."""
    return labels.requeue_stuck_sheets()


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=3600, max_retries=6)
def send_hold_notices(hold_ids: list[int]) -> int:
    """Tell the producer and the inspectors that lots went on hold (retried while the mail
    server or text provider is down; a hold already told is not told again)."""
    return holds.notify(hold_ids)


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=3600, max_retries=6)
def send_recall_notice(notice_id: int) -> None:
    """Send one recall notice; a failure is retried with growing delays, and a notice
    already sent is not sent again."""
    rows = RecallNotice.objects.select_related(
        "recipient", "party", "recall__batch__product", "recall__batch__producer"
    )
    send_once(rows, notice_id, recall_notices.deliver)


@shared_task(acks_late=True)
def run_capture_job(job_id: int) -> bool:
    """Capture an EPCIS document a trading partner sent (validated, then written all or
    nothing); a job finished already is not run again."""
    with translation.override("en"):  # EPCIS problems are read by programs, in English
        return epcis_capture.run(job_id).success
