"""Talking to the EPCIS interface in tests: a client holding a key, a partner's events
and documents, capturing them, and a query document's events."""

import json
import uuid

from django.test import Client

from tests.factories import moment
from traceability import epcis

EPCIS_GTIN = "4006381333931"
STORE = "https://id.gs1.org/414/8930000000019"  # the supermarket's own location


def client_for(key: str, **extra) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


def event_list(answer) -> list[dict]:
    """The events of a query document, or of a response holding one."""
    document = answer if isinstance(answer, dict) else answer.json()
    return document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def partner_event(
    lot, step: str, days_ago: float, quantity=10, event_id=None, gtin: str = EPCIS_GTIN
) -> dict:
    return {
        "type": "ObjectEvent",
        "eventID": event_id or f"urn:uuid:{uuid.uuid4()}",
        "eventTime": moment(days_ago).isoformat(),
        "eventTimeZoneOffset": "+07:00",
        "action": "OBSERVE",
        "bizStep": step,
        "bizLocation": {"id": STORE},
        "quantityList": [
            {"epcClass": epcis.lot_uri(lot.code, gtin), "quantity": quantity, "uom": "KGM"}
        ],
    }


def document(*events) -> str:
    return json.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": moment(0).isoformat(),
            "epcisBody": {"eventList": list(events)},
        }
    )


def capture(client: Client, body: str, behaviour: str | None = None):
    headers = {"HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR": behaviour} if behaviour else {}
    return client.post("/epcis/capture", body, content_type="application/json", **headers)


def job_of(client: Client, response) -> dict:
    assert response.status_code == 202, response.content
    status = client.get(response["Location"])
    assert status.status_code == 200
    return status.json()
