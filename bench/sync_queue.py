"""The app's offline queue sent through `sync`: 200 steps recorded offline on 10 lots,
sent as the app sends them (4 requests of 50), then the same queue sent again (as when
the app was closed before the answer came): seconds and SQL queries for each.

    .venv/bin/python -m bench.sync_queue
"""

import json
import time
import uuid

from bench.common import setup

LOTS, STEPS_PER_LOT, PER_REQUEST = 10, 20, 50
SYNC = """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
  errors { code } results { index errors { code message } event { uuid } } } }"""


def build() -> tuple[str, list[dict]]:
    from django.test import RequestFactory

    from accounts.services import sign_in
    from tests.factories import (
        PlotFactory,
        ProducerFactory,
        ProductFactory,
        UserFactory,
        member,
        moment,
    )
    from traceability.services.batches import create_batch

    coop = ProducerFactory()
    owner = member(UserFactory(), coop)
    plot, product = PlotFactory(producer=coop), ProductFactory()
    lots = [create_batch(owner, producer=coop, product=product, plots=[plot]) for _ in range(LOTS)]
    operations = [
        {
            "recordEvent": {
                "clientId": str(uuid.uuid4()),
                "batchId": str(lot.uuid),
                "step": "IRRIGATING",
                "occurredAt": moment(2 - step * 0.05).isoformat(),
                "notes": f"Tưới lần {step + 1}",
            }
        }
        for step in range(STEPS_PER_LOT)
        for lot in lots
    ]
    owner.set_password("bench-passphrase-2026")
    owner.save()
    token = sign_in(RequestFactory().post("/graphql"), owner.phone, "bench-passphrase-2026")
    return token.access_token, operations


def send_queue(client, operations: list[dict]) -> tuple[float, int, int]:
    """Seconds, SQL queries and refusals for the whole queue, 50 items a request."""
    from django.db import connection, reset_queries

    reset_queries()
    connection.force_debug_cursor = True
    refused = 0
    start = time.perf_counter()
    for first in range(0, len(operations), PER_REQUEST):
        body = json.dumps(
            {"query": SYNC, "variables": {"ops": operations[first : first + PER_REQUEST]}}
        )
        answer = client.post("/graphql", body, content_type="application/json").json()
        refused += sum(bool(result["errors"]) for result in answer["data"]["sync"]["results"])
    seconds = time.perf_counter() - start
    connection.force_debug_cursor = False
    return seconds, len(connection.queries), refused


def main() -> None:
    setup()
    from django.test import Client

    from traceability.models import TraceEvent

    token, operations = build()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    before = TraceEvent.objects.count()
    seconds, queries, refused = send_queue(client, operations)
    print(f"sync of {len(operations)} queued steps on {LOTS} lots, {PER_REQUEST} per request:")
    per_step = queries / len(operations)
    print(f"  first: {seconds:.2f} s, {queries} SQL ({per_step:.1f} a step), {refused} refused")
    written = TraceEvent.objects.count() - before
    seconds, queries, refused = send_queue(client, operations)
    again = TraceEvent.objects.count() - before - written
    print(f"  again: {seconds:.2f} s, {queries} SQL, {refused} refused, {again} new rows")


if __name__ == "__main__":
    main()
