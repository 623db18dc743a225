"""Counting label scans and flagging serials that look copied.

A scan keeps only a time and, if the consumer chooses to share it, a location rounded
to about 10 km. No IP address, device or person is stored. A browser counts once per
label every 12 hours (it keeps a signed list of the serials it scanned), and link
previews and crawlers do not count, so nobody can get a genuine label flagged by
reloading its page.
"""

import re

from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from farms.permissions import Action, require
from traceability.models import Label, Scan

COARSE_DEGREES = 0.1  # about 11 km of latitude
REPEAT_WINDOW_SECONDS = 12 * 3600  # one browser counts once per label in this window
RECENT_SERIALS_KEPT = 20
# Link previews and crawlers fetch pages nobody scanned.
_AUTOMATED = re.compile(
    r"bot|crawl|spider|preview|facebookexternalhit|zalo|whatsapp|telegram|slack|discord|"
    r"skype|headless|python-requests|curl|wget",
    re.IGNORECASE,
)
_SIGNING_SALT = "traceability.scan-location"
LOCATION_TOKEN_MAX_AGE = 3600


def find_label(serial: str, *, gtin: str | None = None, lot: str | None = None) -> Label | None:
    """The label for a serial; with a Digital Link, its GTIN and lot must match too."""
    label = (
        Label.objects.select_related("batch__product", "batch__producer")
        .filter(serial=serial)
        .first()
    )
    if label is None or (lot is not None and label.batch.code != lot):
        return None
    if gtin is not None and label.batch.product.gtin.zfill(14) != gtin:
        return None
    return label


def counts_as_scan(serial: str, user_agent: str, recently_scanned: list[str]) -> bool:
    return serial not in recently_scanned and not _AUTOMATED.search(user_agent or "")


def remember(serial: str, recently_scanned: list[str]) -> list[str]:
    return ([serial, *(s for s in recently_scanned if s != serial)])[:RECENT_SERIALS_KEPT]


@transaction.atomic
def clear_suspicion(actor, label: Label) -> Label:
    """After checking a flagged label (e.g. with the shop), start counting afresh."""
    require(actor, Action.RECALL, label.batch.producer)
    label.suspicion, label.scan_count, label.reviewed_at = "", 0, timezone.now()
    label.save(update_fields=["suspicion", "scan_count", "reviewed_at"])
    return label


@transaction.atomic
def record_scan(label: Label) -> Scan:
    """Count a scan; flag the label when it is scanned far more often than its batch allows."""
    now = timezone.now()
    Label.objects.filter(pk=label.pk).update(scan_count=F("scan_count") + 1, last_scanned_at=now)
    label.refresh_from_db(fields=["scan_count", "last_scanned_at", "suspicion"])
    if not label.suspicion and label.scan_count > label.batch.max_scans_per_label:
        _flag(label, Label.Suspicion.TOO_MANY_SCANS)
    return Scan.objects.create(label=label)


def _flag(label: Label, reason: str) -> None:
    label.suspicion = reason
    Label.objects.filter(pk=label.pk, suspicion="").update(suspicion=reason)


def location_token(scan: Scan) -> str:
    """A short-lived token that lets the page that recorded ``scan`` add its location."""
    return signing.dumps(scan.pk, salt=_SIGNING_SALT)


def coarse_point(latitude: float, longitude: float) -> Point:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError(_("That is not a position on Earth."), code="invalid_position")

    def coarse(value: float) -> float:
        return round(round(value / COARSE_DEGREES) * COARSE_DEGREES, 4)

    return Point(coarse(longitude), coarse(latitude), srid=4326)


@transaction.atomic
def share_location(token: str, latitude: float, longitude: float) -> Label:
    """Attach a coarse location to a scan; flag the label if scans are too far apart."""
    try:
        scan_id = signing.loads(token, salt=_SIGNING_SALT, max_age=LOCATION_TOKEN_MAX_AGE)
    except signing.BadSignature as error:
        raise ValidationError(
            _("This page is too old: scan the label again."), code="expired_token"
        ) from error
    scan = (
        Scan.objects.select_related("label__batch").select_for_update(of=("self",)).get(pk=scan_id)
    )
    if scan.location is not None:
        return scan.label
    scan.location = coarse_point(latitude, longitude)
    scan.save(update_fields=["location"])
    label = scan.label
    spread = D(km=label.batch.max_scan_spread_km)
    far = Scan.objects.filter(label=label, location__distance_gt=(scan.location, spread))
    if label.reviewed_at:
        far = far.filter(scanned_at__gt=label.reviewed_at)
    if not label.suspicion and far.exists():
        _flag(label, Label.Suspicion.FAR_APART)
    return label
