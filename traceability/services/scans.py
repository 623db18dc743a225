"""Counting label scans and weighing the evidence that a serial was copied.

A genuine label sits on one bag and is scanned by a handful of people; a copied serial
printed on many bags is scanned by many people in many places. But anyone can load a page
again and again, drop cookies or type coordinates, so evidence is counted per *source*:

- a browser (the page's signed cookie of the serials it scanned) counts once per label
  every 12 hours, and link previews and crawlers do not count: a device marker can only
  ever lower a count, since a new one costs nothing;
- what copy detection counts is *networks* (an IPv4 address or an IPv6 /64, read behind
  the trusted proxies). A label keeps the distinct networks that scanned it as 16-bit
  buckets of an HMAC keyed with SECRET_KEY and the label: tens of thousands of addresses
  share each bucket, so not even the key tells which network a bucket was, and one
  network cannot be followed from label to label;
- a network scanning one label at an abusive rate is not counted at all; the consumer
  still sees the page.

Many scans from few networks, or places far apart claimed from one network, is a signal
for the producer and inspectors (the admin). Consumers are warned only when the scans
came from ``LABEL_MIN_DISTINCT_SOURCES`` networks or more, or when two places further
apart than the batch allows were each shared from at least two networks. No IP address,
device or person is stored.
"""

import math
import re

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from backend.throttle import Rate, hit
from farms.permissions import Action, require
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import Batch, Label, Scan

COARSE_DEGREES = 0.1  # about 11 km of latitude
REPEAT_WINDOW_SECONDS = 12 * 3600  # one browser counts once per label in this window
RECENT_SERIALS_KEPT = 20
# One label scanned from one network more often than this is abuse: not counted at all.
SCAN_RATE = Rate(60, 3600)
# Locations shared from one network (a consumer shares one per scan, by pressing a button).
LOCATION_RATE = Rate(20, 3600)
SOURCES_KEPT = 200  # distinct networks remembered per label, far beyond any threshold
LOCATED_SCANS_WEIGHED = 500  # the latest located scans compared with a new one
FAR_APART_SOURCES_EACH = 2  # networks that must vouch for each of two far-apart places
# Viet Nam with Hoàng Sa and Trường Sa, and a margin of sea and border land.
REGION_LATITUDE = (6.0, 24.0)
REGION_LONGITUDE = (102.0, 118.0)
# Link previews and crawlers fetch pages nobody scanned.
_AUTOMATED = re.compile(
    r"bot|crawl|spider|preview|facebookexternalhit|zalo|whatsapp|telegram|slack|discord|"
    r"skype|headless|python-requests|curl|wget",
    re.IGNORECASE,
)
_SIGNING_SALT = "traceability.scan-location"
_SOURCE_SALT = "traceability.scan-source"
_THROTTLE_SALT = "traceability.scan-throttle"
LOCATION_TOKEN_MAX_AGE = 3600


def find_label(serial: str, *batch_relations: str) -> Label | None:
    """The label, its lot, and what a page shows with it (``batch_relations``) in one query."""
    relations = {"product", "producer", *batch_relations}
    return (
        Label.objects.select_related(*(f"batch__{name}" for name in relations))
        .filter(serial=serial)
        .first()
    )


def counts_as_scan(serial: str, user_agent: str, recently_scanned: list[str]) -> bool:
    return serial not in recently_scanned and not _AUTOMATED.search(user_agent or "")


def remember(serial: str, recently_scanned: list[str]) -> list[str]:
    return ([serial, *(s for s in recently_scanned if s != serial)])[:RECENT_SERIALS_KEPT]


def source_bucket(label: Label, network: str) -> int:
    """The label's 16-bit bucket for a network: two networks almost never share one, and
    each holds tens of thousands of addresses, so a bucket names no network."""
    digest = salted_hmac(_SOURCE_SALT, f"{label.pk}:{network}", algorithm="sha256").digest()
    return int.from_bytes(digest[:2], "big")


def throttle_key(network: str) -> str:
    # The shared cache holds a keyed hash of the network, not the address.
    return salted_hmac(_THROTTLE_SALT, network, algorithm="sha256").hexdigest()[:32]


@transaction.atomic
def clear_suspicion(actor, label: Label) -> Label:
    """After checking a flagged label (e.g. with the shop), start counting afresh."""
    require(actor, Action.RECALL, label.batch.producer)
    label.suspicion, label.public_warning, label.reviewed_at = "", False, timezone.now()
    label.scan_count, label.sources, label.spread_km = 0, [], 0
    label.save(
        update_fields=[
            "suspicion",
            "public_warning",
            "reviewed_at",
            "scan_count",
            "sources",
            "spread_km",
        ]
    )
    return label


# One statement per scan, whatever the tables hold: the label's row is counted (its
# networks gain the scan's bucket unless it is there or the list is full, computed on the
# row the UPDATE locks, so concurrent scans from one new network add it once) and the
# scan inserted, with what copy detection needs back.
_COUNT_SCAN = """
WITH counted AS (
    UPDATE traceability_label
    SET scan_count = scan_count + 1,
        last_scanned_at = %(now)s,
        sources = CASE WHEN sources @> ARRAY[%(bucket)s]::integer[]
                         OR cardinality(sources) >= %(kept)s
                       THEN sources ELSE array_append(sources, %(bucket)s) END
    WHERE id = %(label)s
    RETURNING id, scan_count, cardinality(sources) AS networks, suspicion, public_warning
), recorded AS (
    INSERT INTO traceability_scan (label_id, scanned_at, source)
    SELECT id, %(now)s, %(bucket)s FROM counted
    RETURNING id
)
SELECT recorded.id, scan_count, networks, suspicion, public_warning FROM counted, recorded
"""


def record_scan(label: Label, network: str) -> Scan | None:
    """Count a scan from ``network`` (see ``backend.throttle.network_of``). None when that
    network is over its rate for this label: the scan is no evidence at all."""
    if not hit("scan", f"{label.pk}:{throttle_key(network)}", SCAN_RATE):
        return None
    bucket = source_bucket(label, network)
    now = timezone.now()
    # The threshold for warning consumers stays reachable, however many networks are kept.
    kept = max(SOURCES_KEPT, settings.LABEL_MIN_DISTINCT_SOURCES)
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SCAN, {"now": now, "bucket": bucket, "kept": kept, "label": label.pk})
        row = cursor.fetchone()
    scan_id, label.scan_count, networks, label.suspicion, label.public_warning = row
    label.last_scanned_at = now
    if label.scan_count > label.batch.max_scans_per_label:
        public = networks >= settings.LABEL_MIN_DISTINCT_SOURCES
        flag(label, Label.Suspicion.TOO_MANY_SCANS, public=public)
    return Scan(pk=scan_id, label=label, scanned_at=now, source=bucket)


def flag(label: Label, reason: str, *, public: bool) -> None:
    """Raise the staff signal, or the consumers' warning; neither is ever lowered here."""
    if public and not label.public_warning:
        label.suspicion, label.public_warning = reason, True
        Label.objects.filter(pk=label.pk).update(suspicion=reason, public_warning=True)
    elif not label.suspicion:
        label.suspicion = reason
        Label.objects.filter(pk=label.pk, suspicion="").update(suspicion=reason)


def suspected_labels(batch: Batch) -> QuerySet[Label]:
    """A batch's labels with a copy signal, those consumers are warned about first."""
    return batch.labels.exclude(suspicion="").order_by("-public_warning", "-scan_count", "pk")


def location_token(scan: Scan) -> str:
    """A short-lived token that lets the page that recorded ``scan`` add its location."""
    return signing.dumps(scan.pk, salt=_SIGNING_SALT)


def coarse_point(latitude: float, longitude: float) -> Point:
    """A position in our region, rounded to 0.1° (about 10 km)."""
    finite = math.isfinite(latitude) and math.isfinite(longitude)
    if not (finite and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError(
            _("That is not a position on Earth."), code=TraceabilityErrorCode.INVALID_POSITION
        )
    in_region = (
        REGION_LATITUDE[0] <= latitude <= REGION_LATITUDE[1]
        and REGION_LONGITUDE[0] <= longitude <= REGION_LONGITUDE[1]
    )
    if not in_region:
        raise ValidationError(
            _("This position is outside the region we cover."),
            code=TraceabilityErrorCode.OUTSIDE_REGION,
        )

    def coarse(value: float) -> float:
        return round(round(value / COARSE_DEGREES) * COARSE_DEGREES, 4)

    return Point(coarse(longitude), coarse(latitude), srid=4326)


def _scan_for_token(token: str) -> Scan:
    expired = ValidationError(
        _("This page is too old: scan the label again."), code=TraceabilityErrorCode.EXPIRED_TOKEN
    )
    try:
        scan_id = signing.loads(token, salt=_SIGNING_SALT, max_age=LOCATION_TOKEN_MAX_AGE)
    except signing.BadSignature as error:
        raise expired from error
    scan = (
        Scan.objects.select_related("label__batch")
        .select_for_update(of=("self",))
        .filter(pk=scan_id)
        .first()
    )
    if scan is None:
        raise expired
    return scan


@transaction.atomic
def share_location(token: str, latitude: float, longitude: float, network: str) -> Label:
    """Attach a coarse location to the scan the token names, once; weigh the spread."""
    if not hit("scan-location", throttle_key(network), LOCATION_RATE):
        raise ValidationError(
            _("Too many positions from your network: try again later."),
            code=TraceabilityErrorCode.THROTTLED,
        )
    point = coarse_point(latitude, longitude)
    scan = _scan_for_token(token)
    if scan.location is not None:
        raise ValidationError(
            _("This scan's area was already shared."), code=TraceabilityErrorCode.ALREADY_SHARED
        )
    scan.location = point
    scan.save(update_fields=["location"])
    _weigh_spread(scan)
    return scan.label


def _weigh_spread(scan: Scan) -> None:
    """Compare a newly located scan with the label's other located scans (since its last
    check). Far apart is a staff signal; consumers are warned only when each side (near
    the new scan, far from it) was shared from ``FAR_APART_SOURCES_EACH`` networks that
    claim no place on the other side: one network cannot be in two places."""
    label = scan.label
    others = Scan.objects.filter(label=label, location__isnull=False).exclude(pk=scan.pk)
    if label.reviewed_at:
        others = others.filter(scanned_at__gt=label.reviewed_at)
    rows = (
        others.annotate(distance=Distance("location", scan.location))
        .order_by("-scanned_at")
        .values_list("source", "distance")[:LOCATED_SCANS_WEIGHED]
    )
    distances = [(source, distance.km) for source, distance in rows]
    spread = round(max((km for _source, km in distances), default=0))
    if spread > label.spread_km:
        label.spread_km = spread
        Label.objects.filter(pk=label.pk, spread_km__lt=spread).update(spread_km=spread)
    limit = label.batch.max_scan_spread_km
    near = {scan.source} | {source for source, km in distances if km <= limit}
    far = {source for source, km in distances if km > limit}
    if far:
        both = near & far  # a network claiming both places vouches for neither
        public = min(len(near - both), len(far - both)) >= FAR_APART_SOURCES_EACH
        flag(label, Label.Suspicion.FAR_APART, public=public)
