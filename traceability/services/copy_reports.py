"""Consumers report labels that look copied, from the page the label opened.

A report is evidence for the producer and inspectors, never a public accusation: one
person can send it. The page hands out a token naming its label (signed, valid a day),
so reports come only from people who opened that label's page; each network counts
once per label, however often it sends."""

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from backend.text import checked_text
from backend.throttle import Rate, hit
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import CopyReport, Label
from traceability.services.scans import flag, source_bucket, throttle_key

_SALT = "traceability.copy-report"
TOKEN_MAX_AGE = 24 * 3600
REPORT_RATE = Rate(10, 3600)  # per network, across labels


def report_token(label: Label) -> str:
    return signing.dumps(label.pk, salt=_SALT)


def _label_for(token: str) -> Label:
    expired = ValidationError(
        _("This page is too old: scan the label again."),
        code=TraceabilityErrorCode.EXPIRED_TOKEN,
    )
    try:
        label_id = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as error:
        raise expired from error
    label = Label.objects.select_related("batch").filter(pk=label_id).first()
    if label is None:  # gone since the page was opened
        raise expired
    return label


@transaction.atomic
def report_copy(token: str, network: str, *, bought_at: str = "", note: str = "") -> CopyReport:
    """Record a consumer's report; sent again from the same network, it is kept once
    (the latest words replace the earlier ones)."""
    if not hit("copy-report", throttle_key(network), REPORT_RATE):
        raise ValidationError(
            _("Too many reports from your network: try again later."),
            code=TraceabilityErrorCode.THROTTLED,
        )
    words = {
        "bought_at": checked_text(bought_at, "bought_at", 200),
        "note": checked_text(note, "note", 1000, paragraph=True),
    }
    label = _label_for(token)
    report, _created = CopyReport.objects.update_or_create(
        label=label, source=source_bucket(label, network), defaults=words
    )
    flag(label, Label.Suspicion.REPORTED, public=False)
    return report
