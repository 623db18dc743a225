"""A batch's trace as a GS1 EPCIS 2.0 JSON-LD document (CBV 2.0 vocabulary).

Lots are class-level identifiers: a GS1 Digital Link (01 + 10) where the product has a
GTIN, otherwise the lot's page on this site. Farm steps missing from CBV and our own
fields (inputs, hashes, actor) use the product's vocabulary, declared in @context.
"""

import uuid
from datetime import UTC, datetime, timedelta, timezone

from django.conf import settings
from django.utils import timezone as django_timezone

from backend.gs1 import encode_segment, gtin14
from farms.models import Plot
from traceability.models import Batch, TraceEvent
from traceability.services.trace import Trace
from traceability.steps import BusinessStep, EventType, rule_for

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
PREFIX = "nongsan"
UNIT_CODES = {"kg": "KGM", "tan": "TNE", "lit": "LTR"}  # UN/CEFACT Rec 20; counts have none


def event_uuid(event_id: str) -> uuid.UUID:
    """Our key for an eventID: a ``urn:uuid:`` is kept as it is; any other ID (a partner's
    hash ID) names a stable UUID of its own."""
    if event_id[:9].lower() == "urn:uuid:":  # RFC 8141 and 4122: any case
        try:
            return uuid.UUID(event_id[9:])
        except ValueError:
            pass
    return uuid.uuid5(uuid.NAMESPACE_URL, event_id)


def vocabulary_base() -> str:
    return settings.TRACE_VOCABULARY_URL.rstrip("/") + "/"


def lot_uri(code: str, gtin: str = "") -> str:
    if gtin:
        return f"https://id.gs1.org/01/{gtin14(gtin)}/10/{encode_segment(code)}"
    return f"{settings.SITE_URL}/lot/{encode_segment(code)}"


def location_uri(where) -> str:
    if where.gln:
        return f"https://id.gs1.org/414/{where.gln}"
    return f"{settings.SITE_URL}/loc/{where.location_code}"


def party_uri(producer) -> str:
    if producer.gln:
        return f"https://id.gs1.org/417/{producer.gln}"
    return f"{settings.SITE_URL}/party/{producer.uuid}"


def bizstep(step: str) -> str:
    return rule_for(step).cbv or f"{vocabulary_base()}bizstep/{step}"


def _time(moment: datetime, offset: str) -> str:
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return moment.astimezone(zone).isoformat(timespec="milliseconds")


def _quantity(uri: str, quantity, unit: str) -> dict:
    element = {"epcClass": uri}
    if quantity is not None:
        element["quantity"] = float(quantity)
        if unit in UNIT_CODES:
            element["uom"] = UNIT_CODES[unit]
    return element


def _common(event: TraceEvent) -> dict:
    data = {
        "eventTime": _time(event.occurred_at, event.time_zone_offset),
        "recordTime": event.recorded_at.astimezone(UTC).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": event.time_zone_offset,
        # A partner's captured event keeps the ID it was sent with.
        "eventID": event.details.get("eventID") or f"urn:uuid:{event.uuid}",
        "bizStep": bizstep(event.business_step),
        f"{PREFIX}:actor": party_uri(event.actor if event.actor_id else event.producer),
        f"{PREFIX}:hash": event.hash,
        f"{PREFIX}:previousHash": event.previous_hash,
    }
    if event.disposition:
        data["disposition"] = event.disposition
    where = event.plot or event.place
    if where:
        data["readPoint"] = data["bizLocation"] = {"id": location_uri(where)}
    elif event.details.get("bizLocation"):  # a partner's own place, as it named it
        data["bizLocation"] = {"id": event.details["bizLocation"]}
    inputs = [
        {
            f"{PREFIX}:name": row.name,
            f"{PREFIX}:activeIngredient": row.active_ingredient,
            f"{PREFIX}:dose": float(row.dose) if row.dose is not None else None,
            f"{PREFIX}:doseUnit": row.dose_unit,
            f"{PREFIX}:preHarvestIntervalDays": row.pre_harvest_interval_days,
        }
        for row in event.inputs.all()
    ]
    if inputs:
        data[f"{PREFIX}:inputs"] = inputs
    if event.notes:
        data[f"{PREFIX}:notes"] = event.notes
    if "check" in event.details:  # an inspection's or a laboratory's result
        data[f"{PREFIX}:check"] = event.details["check"]
    return data


def _harvest_ilmd(batch: Batch) -> dict:
    ilmd = {"cbvmda:countryOfOrigin": "VN"}
    if batch.harvest_date:
        ilmd["cbvmda:harvestStartDate"] = batch.harvest_date.isoformat()
        ilmd["cbvmda:harvestEndDate"] = batch.harvest_date.isoformat()
    if batch.certification:
        certificate = batch.certification
        ilmd[f"{PREFIX}:certification"] = {
            f"{PREFIX}:standard": certificate.scheme,
            f"{PREFIX}:number": certificate.number,
            f"{PREFIX}:issuedBy": certificate.issued_by,
            f"{PREFIX}:validFrom": certificate.valid_from.isoformat(),
            f"{PREFIX}:validTo": certificate.valid_to.isoformat(),
        }
    return ilmd


def _object_event(event: TraceEvent) -> dict:
    batch = event.batch
    data = {
        "type": "ObjectEvent",
        **_common(event),
        "action": event.action or "OBSERVE",
        "quantityList": [
            _quantity(lot_uri(batch.code, batch.product.gtin), event.quantity, batch.unit)
        ],
    }
    if event.business_step == BusinessStep.HARVESTING:
        data["ilmd"] = _harvest_ilmd(batch)
    data.update(_parties(event))
    return data


def _parties(event: TraceEvent) -> dict:
    """One step before and one step after: whom a shipping went to, whom a receiving or a
    return came from (partners by their own URI: a GLN, or their public page)."""
    producer = event.details.get("seller") or party_uri(event.producer)
    partner = party_uri(event.party) if event.party_id else None
    if event.business_step == BusinessStep.SHIPPING and partner:
        ends = (producer, partner)
    elif event.business_step == BusinessStep.RECEIVING:
        receiver = party_uri(event.actor) if event.actor_id else party_uri(event.producer)
        ends = (partner or producer, receiver)
    elif event.business_step == BusinessStep.RETURNED and partner:
        ends = (partner, party_uri(event.producer))
    else:
        return {}
    data = {
        "sourceList": [{"type": "owning_party", "source": ends[0]}],
        "destinationList": [{"type": "owning_party", "destination": ends[1]}],
    }
    if "order" in event.details:
        data[f"{PREFIX}:order"] = event.details["order"]
    return data


def _transformation_event(event: TraceEvent, lots: dict[str, Batch]) -> dict:
    """One TransformationEvent from the events stored on every lot it touched."""

    def quantities(entries):
        return [
            _quantity(
                lot_uri(e["lot"], lots[e["lot"]].product.gtin), e["quantity"], lots[e["lot"]].unit
            )
            for e in entries
        ]

    return {
        "type": "TransformationEvent",
        **_common(event),
        "inputQuantityList": quantities(event.details["inputs"]),
        "outputQuantityList": quantities(event.details["outputs"]),
        "transformationID": f"urn:uuid:{event.transformation_id}",
    }


def _referenced_lots(events: list[TraceEvent], known: dict[str, Batch]) -> dict[str, Batch]:
    """The lots the events name, by code: those known already and the transformations'."""
    lots = dict(known)
    codes = {
        entry["lot"]
        for event in events
        for key in ("inputs", "outputs")
        for entry in event.details.get(key, [])
    } - lots.keys()
    if codes:
        found = Batch.objects.filter(code__in=codes).select_related("product")
        lots.update({batch.code: batch for batch in found})
    return lots


def _location(where) -> dict:
    district = where.producer.district if isinstance(where, Plot) else where.district
    attributes = [{"id": "cbvmda:name", "attribute": where.name}]
    if district:
        attributes.append({"id": "cbvmda:city", "attribute": district})
    attributes.append({"id": "cbvmda:countryCode", "attribute": "VN"})
    return {"id": location_uri(where), "attributes": attributes}


def _locations(trace: Trace) -> list[dict]:
    places = {location_uri(w): w for e in trace.events for w in (e.plot, e.place) if w}
    return [_location(where) for where in places.values()]


def _error_declarations(events: list[TraceEvent]) -> dict[str, dict]:
    """EPCIS 2.0 error declarations, by the uuid of the event each declares wrong: our
    corrections are not events of their own but these."""
    declarations = {}
    for event in events:
        if event.business_step != BusinessStep.CORRECTING:
            continue
        declarations[event.details["corrects"]] = {
            "declarationTime": event.recorded_at.astimezone(UTC).isoformat(timespec="milliseconds"),
            "reason": event.details["reason"],
            "correctiveEventIDs": [f"urn:uuid:{uid}" for uid in event.details["corrective"]],
            f"{PREFIX}:explanation": event.notes,
            f"{PREFIX}:declaredBy": party_uri(event.producer),
            # The correction is a link of the lot's hash chain too.
            f"{PREFIX}:hash": event.hash,
            f"{PREFIX}:previousHash": event.previous_hash,
        }
    return declarations


def _event(
    event: TraceEvent,
    lots: dict[str, Batch],
    declarations: dict[str, dict],
    with_notes: bool = True,
) -> dict:
    data = (
        _transformation_event(event, lots)
        if event.event_type == EventType.TRANSFORMATION
        else _object_event(event)
    )
    declaration = declarations.get(str(event.uuid))
    if declaration is not None:
        data["errorDeclaration"] = declaration
    if not with_notes:  # a farm's own words: its notes and why it corrected a record
        data.pop(f"{PREFIX}:notes", None)
        if declaration is not None:
            data["errorDeclaration"] = {
                k: v for k, v in declaration.items() if k != f"{PREFIX}:explanation"
            }
    return data


def _context() -> list:
    return [EPCIS_CONTEXT, {PREFIX: vocabulary_base()}]


def _now() -> str:
    return django_timezone.now().astimezone(UTC).isoformat(timespec="milliseconds")


def with_export_fields(events):
    """A queryset of events with what their export reads, in a fixed number of queries."""
    return events.select_related(
        "batch__product", "batch__certification", "plot", "place", "producer", "party", "actor"
    ).prefetch_related("inputs")


def query_document(events: list[TraceEvent], *, with_notes: bool) -> dict:
    """An EPCISQueryDocument of these events (a page of a query's result). Free-text notes
    are left out for trading partners: a farm's words are its own."""
    corrections = list(TraceEvent.objects.filter(corrects__in=events).select_related("producer"))
    lots = _referenced_lots(events, {event.batch.code: event.batch for event in events})
    declarations = _error_declarations(corrections)
    return {
        "@context": _context(),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": _now(),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {
                    "eventList": [_event(e, lots, declarations, with_notes) for e in events]
                },
            }
        },
    }


def document(trace: Trace) -> dict:
    known = {batch.code: batch for batch in trace.batches.values()}
    lots = _referenced_lots(trace.events, known)
    declarations = _error_declarations(trace.events)
    events = [
        _event(e, lots, declarations)
        for e in trace.events
        if e.business_step != BusinessStep.CORRECTING
    ]
    return {
        "@context": _context(),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _now(),
        "epcisHeader": {
            "epcisMasterData": {
                "vocabularyList": [
                    {
                        "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                        "vocabularyElementList": _locations(trace),
                    }
                ]
            }
        },
        "epcisBody": {"eventList": events},
    }
