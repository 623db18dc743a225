"""Counting label scans and weighing the evidence that a serial was copied.

A genuine label sits on one bag and is scanned by a handful of people; a copied serial
printed on many bags is scanned by many people in many places. But anyone can load a page
again and again, drop cookies or type coordinates, so evidence is counted per *source*:

- a browser (the page's signed cookie of the serials it scanned) counts once per label
  every 12 hours, and link previews and crawlers do not count: a device marker can only
  ever lower a count, since a new one costs nothing;
- what copy detection counts is *networks* (an IPv4 address or an IPv6 /64, read behind
  the trusted proxies). Each scan keeps its network as a 16-bit bucket of an HMAC keyed
  with SECRET_KEY and the label: tens of thousands of addresses share each bucket, so
  not even the key tells which network a bucket was, and one network cannot be followed
  from label to label;
- a network scanning one label at an abusive rate is not counted at all; the consumer
  still sees the page.

Many scans from few networks, or places far apart claimed from one network, is a signal
for the producer and inspectors (the admin). Consumers are warned only when the scans
came from ``LABEL_MIN_DISTINCT_SOURCES`` networks or more, or when two places further
apart than the batch allows were each shared from at least two networks. No IP address,
device or person is stored.
"""

import datetime
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from backend import prepared
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
# The latest scans (and, of those, located ones) a new scan is weighed with: bounded, so
# that detection costs the same however often a serial was copied.
SCANS_WEIGHED = LOCATED_SCANS_WEIGHED = 500
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
NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # before any scan: never checked


def find_label(serial: str) -> Label | None:
    return (
        Label.objects.select_related("batch__product", "batch__producer")
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
    """After checking a flagged label (e.g. with the shop), start counting afresh: the
    evidence is what was scanned since ``reviewed_at``."""
    require(actor, Action.RECALL, label.batch.producer)
    label.suspicion, label.public_warning, label.reviewed_at = "", False, timezone.now()
    label.spread_km = 0
    label.save(update_fields=["suspicion", "public_warning", "reviewed_at", "spread_km"])
    return label


@dataclass(frozen=True)
class Evidence:
    """A label's scans since it was last checked, and the distinct networks among them."""

    scans: int
    networks: int
    last_scanned_at: datetime.datetime | None


def _since_checked() -> Q:
    return Q(scanned_at__gt=Coalesce(OuterRef("reviewed_at"), Value(NEVER)))


def with_evidence(labels: QuerySet[Label]) -> QuerySet[Label]:
    """``labels`` with their evidence as ``scans_counted``, ``networks`` and
    ``last_scanned_at``, read from the scans' index for each label shown."""
    own = Scan.objects.filter(label=OuterRef("pk")).order_by()
    counted = own.filter(_since_checked()).values("label")
    return labels.annotate(
        scans_counted=Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0),
        networks=Coalesce(
            Subquery(counted.annotate(n=Count("source", distinct=True)).values("n")), 0
        ),
        last_scanned_at=Subquery(own.order_by("-scanned_at").values("scanned_at")[:1]),
    )


def evidence(label: Label) -> Evidence:
    row = with_evidence(Label.objects.filter(pk=label.pk)).get()
    return Evidence(row.scans_counted, row.networks, row.last_scanned_at)


# Recording a scan is one insert, whatever the tables hold (no counter row to update,
# which thousands of phones scanning one copied serial would queue on). In the same
# statement, copy detection reads the label's latest scans since its last check from the
# index, at most $5 of them: enough to tell whether there are more than the batch allows,
# and from how many networks. (The new row is not in the statement's snapshot: + 1.)
_RECORD_SCAN = """
WITH recorded AS (
    INSERT INTO traceability_scan (label_id, scanned_at, source) VALUES ($1, $2, $3)
    RETURNING id
)
SELECT recorded.id, latest.scans + 1, latest.networks + 1
FROM recorded, (
    SELECT count(*) AS scans, count(DISTINCT source) FILTER (WHERE source <> $3) AS networks
    FROM (
        SELECT source FROM traceability_scan
        WHERE label_id = $1 AND scanned_at > $4
        ORDER BY scanned_at DESC LIMIT $5
    ) AS since_checked
) AS latest
"""


def record_scan(label: Label, network: str) -> Scan | None:
    """Count a scan from ``network`` (see ``backend.throttle.network_of``). None when that
    network is over its rate for this label: the scan is no evidence at all."""
    if not hit("scan", f"{label.pk}:{throttle_key(network)}", SCAN_RATE):
        return None
    bucket, now = source_bucket(label, network), timezone.now()
    limit = label.batch.max_scans_per_label
    # Consumers already warned: nothing left to decide, the scan is only kept.
    window = 0 if label.public_warning else max(limit, SCANS_WEIGHED)
    since = label.reviewed_at or NEVER
    row = prepared.fetch_one("record_scan", _RECORD_SCAN, [label.pk, now, bucket, since, window])
    scan_id, scans_counted, networks = row
    if window and scans_counted > limit:
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
    suspected = with_evidence(batch.labels.exclude(suspicion=""))
    return suspected.order_by("-public_warning", "-scans_counted", "pk")


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
