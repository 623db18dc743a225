"""The EPCIS interface over 1,000,000 events: query latency (p50, p95) for an inspection
body and for a trading partner, the plans that show the indexes at work, and the capture
throughput of a 1,000-event document.

    .venv/bin/python -m bench.epcis_interface

The million events are written by SQL from one real lot (10,000 lots of 100 events); they
are not hash-chained, which no query reads.
"""

import json
import time
import uuid
from urllib.parse import urlencode

from bench.common import describe, harvested_batch, setup, timed

LOTS = 10_000
EVENTS_PER_LOT = 100
REQUESTS = 200
CAPTURED = 1_000


def build_million(template, partner) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO traceability_batch (uuid, code, unit, quantity, remaining_quantity,
                status, harvest_date, recall_reason, max_scans_per_label, max_scan_spread_km,
                event_count, chain_head, created_at, producer_id, product_id,
                reserved_quantity, on_hold)
            SELECT gen_random_uuid(), 'BENCH' || lpad(i::text, 8, '0'), unit, quantity,
                remaining_quantity, status, harvest_date, '', max_scans_per_label,
                max_scan_spread_km, %(events)s, '', now(), producer_id, product_id, 0, false
            FROM traceability_batch, generate_series(1, %(lots)s) AS i
            WHERE id = %(template)s
            """,
            {"lots": LOTS, "events": EVENTS_PER_LOT, "template": template.pk},
        )
        cursor.execute(
            """
            INSERT INTO traceability_traceevent (uuid, batch_id, sequence, event_type, action,
                business_step, disposition, occurred_at, time_zone_offset, recorded_at,
                producer_id, quantity, notes, details, previous_hash, hash, party_id)
            SELECT gen_random_uuid(), b.id, s, 'ObjectEvent', 'OBSERVE',
                (ARRAY['storing', 'inspecting', 'shipping', 'packing', 'sampling'])[1 + s %% 5],
                '', now() - make_interval(hours => s, mins => (b.id %% 1440)::int), '+07:00',
                now() - make_interval(hours => s, mins => (b.id %% 1440)::int),
                b.producer_id, 1, '', '{}', repeat('0', 64), md5(b.id::text || s::text),
                CASE WHEN s %% 5 = 2 AND b.id %% 100 = 0 THEN %(partner)s END
            FROM traceability_batch b, generate_series(1, %(events)s) AS s
            WHERE b.code LIKE 'BENCH%%'
            """,
            {"events": EVENTS_PER_LOT, "partner": partner.pk},
        )
        cursor.execute("ANALYZE traceability_batch; ANALYZE traceability_traceevent")


def measure(client, path: str, params: dict) -> str:
    url = f"{path}?{urlencode(params)}"
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return describe(timed(lambda: client.get(url), REQUESTS))


def plan(key, params: dict) -> str:
    """The plan of a page's query, from PostgreSQL's EXPLAIN ANALYZE."""
    from django.http import QueryDict

    from traceability.services.epcis_query import filter_events, order_of, visible_events

    query = QueryDict(urlencode(params))
    order = order_of(query)
    sign = "-" if order.descending else ""
    events = filter_events(visible_events(key), query)
    events = events.order_by(f"{sign}{order.column}", f"{sign}pk")[:31]
    text = events.explain(analyze=True)
    useful = [line.strip() for line in text.splitlines() if "Index" in line or "Execution" in line]
    return "\n      ".join(useful[:6])


def _document(lot) -> dict:
    from traceability import epcis

    events = [
        {
            "type": "ObjectEvent",
            "eventID": f"urn:uuid:{uuid.uuid4()}",
            "eventTime": "2026-12-01T08:00:00+07:00",
            "eventTimeZoneOffset": "+07:00",
            "action": "OBSERVE",
            "bizStep": "storing",
            "quantityList": [{"epcClass": epcis.lot_uri(lot.code, lot.product.gtin)}],
        }
        for _ in range(CAPTURED)
    ]
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-12-01T08:00:00+07:00",
        "epcisBody": {"eventList": events},
    }


def capture_throughput(partner_key, lot) -> list[str]:
    from django.test import Client

    from traceability.models import CaptureJob
    from traceability.services import epcis_capture
    from traceability.services.api_keys import authenticate

    key = authenticate(f"Bearer {partner_key}")
    job = CaptureJob.objects.create(api_key=key, document=_document(lot))
    start = time.perf_counter()
    job = epcis_capture.run(job.pk)  # what the worker does
    worked = time.perf_counter() - start
    assert job.success and job.captured == CAPTURED, job.errors[:3]
    body = json.dumps(_document(lot))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {partner_key}")
    start = time.perf_counter()
    response = client.post("/epcis/capture", body, content_type="application/json")
    posted = time.perf_counter() - start
    assert response.status_code == 202
    return [
        f"the worker: {worked:.2f} s, {CAPTURED / worked:.0f} events/s (schema, checks, chain)",
        f"POST of {len(body) / 1024:.0f} KB with eager Celery (the embedded default, which "
        f"captures before answering): {posted * 1000:.0f} ms",
    ]


def main() -> None:
    setup()
    from django.test import Client

    from tests.factories import kg, moment, ship
    from traceability import epcis
    from traceability.models import Batch, TraceEvent
    from traceability.services.api_keys import issue_key
    from traceability.services.parties import register_party

    owner, lot = harvested_batch(5, 1000, gtin="4006381333931")
    partner = register_party(
        owner, lot.producer, name="Siêu thị", kind="supermarket", district="Cầu Giấy"
    )
    ship(owner, lot, kg(100), moment(1), to=partner)
    start = time.perf_counter()
    build_million(lot, partner)
    print(
        f"{TraceEvent.objects.count():,} events in {Batch.objects.count():,} lots, "
        f"written in {time.perf_counter() - start:.0f} s"
    )
    inspection_row, inspection = issue_key(owner, "QLCL", inspection=True)
    partner_row, partner_key = issue_key(owner, "Siêu thị", party=partner)
    sample = Batch.objects.filter(code__startswith="BENCH").order_by("pk")[LOTS // 2]
    lot_class = epcis.lot_uri(sample.code, sample.product.gtin)
    queries = {
        "a lot's events (MATCH_epcClass)": {"MATCH_epcClass": lot_class},
        "shipping in one day (EQ_bizStep, GE/LT_eventTime)": {
            "EQ_bizStep": "shipping",
            "GE_eventTime": moment(3).isoformat(),
            "LT_eventTime": moment(2).isoformat(),
        },
        "the first page of everything": {},
    }
    print(f"GET /epcis/events, {REQUESTS} requests each, Django test client in one process")
    for holder, key, row in (
        ("inspection body", inspection, inspection_row),
        ("partner", partner_key, partner_row),
    ):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        for name, params in queries.items():
            print(f"  {holder}, {name}: {measure(client, '/epcis/events', params)}")
            print(f"      {plan(row, params)}")
    print(f"Capture of a {CAPTURED:,}-event document")
    for line in capture_throughput(partner_key, lot):
        print(f"  {line}")


if __name__ == "__main__":
    main()
