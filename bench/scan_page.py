"""Public scan page: requests per second and SQL queries per page, by journey length.

The page must cost the same number of queries however long the product's journey is.
"""

from bench.common import describe, harvested_batch, load, serve, setup, timed

JOURNEY_LENGTHS = (5, 50, 200)
REQUESTS = 200


def build_journey(events: int):
    from tests.factories import kg, moment
    from traceability.models import Label
    from traceability.services.events import record_event
    from traceability.services.labels import new_serials
    from traceability.services.transformations import split_batch

    owner, batch = harvested_batch(10, 1000)
    child = split_batch(owner, batch, [kg(500), kg(500)], occurred_at=moment(9))[0]
    for index in range(events - 3):
        record_event(owner, child, "storing", occurred_at=moment(8 - index * 0.03))
    return Label.objects.create(batch=child, serial=new_serials(1)[0])


def count_queries(client, url) -> tuple[int, object]:
    """SQL queries of one request (Django empties the query log when a request starts)."""
    from django.db import connection

    connection.force_debug_cursor = True
    try:
        response = client.get(url)
        return len(connection.queries), response
    finally:
        connection.force_debug_cursor = False


def measure(label) -> tuple[int, str, int]:
    from django.test import Client

    client = Client()
    url = f"/s/{label.serial}"
    queries, response = count_queries(client, url)
    assert response.status_code == 200
    durations = timed(lambda: client.get(url), REQUESTS)
    return queries, describe(durations), len(response.content)


def main() -> None:
    setup()
    print(f"Scan page, {REQUESTS} requests per journey, Django test client in one process")
    labels = {length: build_journey(length) for length in JOURNEY_LENGTHS}
    for length, label in labels.items():
        queries, speed, size = measure(label)
        print(
            f"  journey of {length:>3} events: {queries} SQL queries, {size / 1024:.1f} KB, {speed}"
        )

    print("Over HTTP: gunicorn, 2 workers (2 cores), 8 concurrent clients, 10 s each")
    server = serve()
    try:
        for length, label in labels.items():
            print(f"  journey of {length:>3} events: {load(8765, f'/s/{label.serial}')}")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
