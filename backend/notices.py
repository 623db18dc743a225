"""Messages to one recipient, written with the change they tell of and sent after commit
by a Celery task that retries on failure. Each app keeps its own rows (an order's
notifications, a recall's notices) on this base; a row sent once is never sent again."""

from collections.abc import Callable

from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS / Zalo")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        abstract = True


def send_once(rows: QuerySet, pk: int, deliver: Callable[[Notice], None]) -> None:
    """Deliver the unsent row ``pk`` of ``rows``, counting the attempt; a failure is noted
    on the row and raised again, for the task to retry."""
    notice = rows.filter(pk=pk, sent_at__isnull=True).first()
    if notice is None:
        return
    row = rows.model.objects.filter(pk=pk)
    row.update(attempts=F("attempts") + 1)
    try:
        deliver(notice)
    except Exception as error:
        row.update(last_error=str(error)[:300])
        raise
    row.update(sent_at=timezone.now(), last_error="")
