"""The farmer's "my batches" query at 100 batches: p50/p95 latency and SQL queries."""

import json

from bench.common import describe, harvested_batch, load_post, serve, setup, timed

BATCHES = 100
QUERY = """{ myBatches(first: 100) { edges { node { code status quantity harvestDate
  product { name } producer { name }
  events { businessStep occurredAt quantity inputs { name dose } photos { url } } } } } }"""


def build() -> str:
    from django.test import RequestFactory

    from accounts.services import sign_in
    from tests.factories import PesticideFactory, kg, moment
    from traceability.services.batches import create_batch
    from traceability.services.events import InputUse, record_event

    owner, first = harvested_batch(30, 100)
    pesticide = PesticideFactory()
    plots = list(first.origin_plots.all())
    for index in range(BATCHES):
        batch = create_batch(owner, producer=first.producer, product=first.product, plots=plots)
        record_event(owner, batch, "seeding", occurred_at=moment(90 - index * 0.01))
        record_event(
            owner,
            batch,
            "spraying",
            occurred_at=moment(60 - index * 0.01),
            inputs=[InputUse(agricultural_input=pesticide, dose=kg(5))],
        )
        record_event(owner, batch, "irrigating", occurred_at=moment(40 - index * 0.01))
    owner.set_password("bench-passphrase-2026")
    owner.save()
    request = RequestFactory().post("/graphql")
    return sign_in(request, owner.phone, "bench-passphrase-2026").access_token


def main() -> None:
    setup()
    from django.db import connection
    from django.test import Client

    token = build()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.dumps({"query": QUERY})

    def ask():
        response = client.post("/graphql", body, content_type="application/json")
        assert response.status_code == 200 and "errors" not in response.json()
        return response

    connection.force_debug_cursor = True
    edges = ask().json()["data"]["myBatches"]["edges"]
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    events = sum(len(edge["node"]["events"]) for edge in edges)
    print(f"myBatches: {len(edges)} batches, {events} events, {queries} SQL queries")
    print(f"  in one process (Django test client): {describe(timed(ask, 50))}")
    server = serve()
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        result = load_post(8765, "/graphql", body, headers, clients=4, seconds=10)
        print(f"  over HTTP (gunicorn, 2 workers, 4 clients): {result}")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
