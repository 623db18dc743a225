"""Trading partners: one step before and one step after every lot (Circular 02/2024).
Most produce leaves through traders and wholesale stalls that will never have an account,
so a producer registers them as it ships; a market buyer is one too."""

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from backend.idempotency import once
from backend.text import checked_text
from farms.models import Producer
from farms.permissions import Action, require
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import Party, TraceEvent


def register_party(
    actor,
    producer: Producer,
    *,
    name: str,
    kind: str,
    district: str,
    commune: str = "",
    province: str = "Hà Nội",
    tax_code: str = "",
    gln: str = "",
    phone: str = "",
    party_uuid: uuid.UUID | None = None,
) -> Party:
    """A partner ``producer`` trades with; sent again with the same ``party_uuid``, it
    returns the first one."""
    require(actor, Action.OPERATE, producer)
    tax_code = checked_text(tax_code, "tax_code", 14)
    if tax_code and not (tax_code.replace("-", "").isdigit() and len(tax_code) in (10, 14)):
        raise field_error(
            "tax_code",
            _("A tax code has 10 digits, or 13 with a branch (0101234567-001)."),
            TraceabilityErrorCode.INVALID_TAX_CODE,
        )
    party = Party(
        uuid=party_uuid or uuid.uuid4(),
        name=checked_text(name, "name", 200, required=True),
        kind=kind,
        commune=checked_text(commune, "commune", 100),
        district=checked_text(district, "district", 100, required=True),
        province=checked_text(province, "province", 100, required=True),
        tax_code=tax_code,
        gln=checked_text(gln, "gln", 13),
        phone=phone.strip(),
        registered_by=producer,
    )

    def replay() -> Party | None:
        found = Party.objects.filter(uuid=party_uuid).first() if party_uuid else None
        if found and found.registered_by_id != producer.pk:
            raise field_error(
                "client_id", _("This identifier is already used."), CommonErrorCode.UUID_TAKEN
            )
        return found

    def create() -> Party:
        party.full_clean(exclude=["uuid"])  # the kind, the GLN's check digit, the phone
        party.save()
        return party

    return once(replay, create)


def party_for_buyer(buyer_uuid: uuid.UUID, *, name: str, kind: str, district: str) -> Party:
    """The partner a market buyer is, kept in step with its profile."""
    party, _created = Party.objects.update_or_create(
        buyer_uuid=buyer_uuid, defaults={"name": name, "kind": kind, "district": district}
    )
    return party


def partners_of(producer: Producer) -> QuerySet[Party]:
    """The partners ``producer`` may name on its lots' events: those it or its cooperative
    registered, and those its lots already went to (a market buyer returning a recall)."""
    dealt_with = TraceEvent.objects.filter(party=OuterRef("pk"), batch__producer=producer)
    registered = Q(registered_by__in=[producer.pk, producer.cooperative_id])
    return Party.objects.filter(registered | Q(Exists(dealt_with)))


def phone_visible_to(party: Party, producer_ids: set[int]) -> str | None:
    """A partner's phone is private to the producer that registered it."""
    return (party.phone or None) if party.registered_by_id in producer_ids else None
