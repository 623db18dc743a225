"""Keys for other systems on the EPCIS interface: made by staff, shown once, stored as a
SHA-256 digest (a key is 32 random bytes, so a plain digest is as strong as a slow hash),
revoked rather than deleted so that what a key did stays attributable."""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from farms.models import Producer
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import ApiKey, Party

KEY_PREFIX = "ns_"
# last_used_at is written at most this often, not on every request.
USE_RECORDED_EVERY = datetime.timedelta(minutes=10)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(
    actor,
    name: str,
    *,
    party: Party | None = None,
    producer: Producer | None = None,
    inspection: bool = False,
) -> tuple[ApiKey, str]:
    """A new key for one holder; returns the key's row and the key, which is not kept."""
    holders = [holder for holder in (party, producer, inspection or None) if holder]
    if len(holders) != 1:
        raise ValidationError(
            _("A key is for one trading partner, one producer or an inspection body."),
            code=TraceabilityErrorCode.API_KEY_HOLDER,
        )
    scope = (
        ApiKey.Scope.PARTNER
        if party
        else ApiKey.Scope.PRODUCER
        if producer
        else ApiKey.Scope.INSPECTION
    )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey.objects.create(
        name=name,
        scope=scope,
        party=party,
        producer=producer,
        prefix=key[:8],
        digest=_digest(key),
        created_by=actor,
    )
    return row, key


def authenticate(authorization: str) -> ApiKey | None:
    """The live key an ``Authorization: Bearer <key>`` header carries, or None."""
    parts = authorization.split() if len(authorization) <= 200 else []
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    key = parts[1]
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    row = (
        ApiKey.objects.select_related("party", "producer")
        .filter(digest=_digest(key), revoked_at__isnull=True)
        .first()
    )
    if row is not None:
        _record_use(row)
    return row


def _record_use(row: ApiKey) -> None:
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > USE_RECORDED_EVERY:
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=now)


def revoke_key(row: ApiKey) -> None:
    ApiKey.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
