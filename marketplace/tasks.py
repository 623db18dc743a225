import datetime

from celery import shared_task
from django.utils import timezone

from backend.notices import send_once
from marketplace.models import Notification
from marketplace.services import prices


@shared_task
def aggregate_daily_prices(day: str | None = None) -> int:
    """The day's prices from completed orders and market surveys (by default yesterday,
    in Viet Nam's time; give an ISO date, e.g. "2025-03-01", to redo another day)."""
    when = (
        datetime.date.fromisoformat(day)
        if day
        else timezone.localdate() - datetime.timedelta(days=1)
    )
    return prices.aggregate_daily_prices(when)


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=3600, max_retries=6)
def send_notification(notification_id: int) -> None:
    """Send one order notification; a failure (mail server, SMS provider) is retried with
    growing delays, and a notification already sent is not sent again."""
    from marketplace.services.notifications import deliver

    rows = Notification.objects.select_related(
        "recipient", "change__order__buyer", "change__order__producer"
    )
    send_once(rows, notification_id, deliver)
