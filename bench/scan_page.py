"""Public scan and lot pages: SQL queries per page by journey length, and throughput as
a share of a trivial view's (``/healthz``, one ``SELECT 1``) measured side by side.

    .venv/bin/python -m bench.scan_page

Measured as issue 18 asks: gunicorn with 2 workers, DJANGO_DEBUG=0, the shared cache in
Redis, ``wrk -t2 -c8`` (install wrk: apt-get install wrk), every scan from another address
so that each one is counted.
"""

from bench.common import harvested_batch, serve, setup, side_by_side

JOURNEY_LENGTHS = (5, 200)
PORT = 8765


def build_journey(events: int, gtin: str):
    from tests.factories import kg, moment
    from traceability.models import Label
    from traceability.services.events import record_event
    from traceability.services.labels import new_serials
    from traceability.services.transformations import split_batch

    owner, batch = harvested_batch(10, 1000, gtin)
    child = split_batch(owner, batch, [kg(500), kg(500)], occurred_at=moment(9))[0]
    for index in range(events - 3):
        record_event(owner, child, "storing", occurred_at=moment(8 - index * 0.03))
    return Label.objects.create(batch=child, serial=new_serials(1)[0])


def count_queries(url: str) -> int:
    """SQL queries of one request once the lot's part is cached (the hot path)."""
    from django.db import connection
    from django.test import Client

    Client(REMOTE_ADDR="203.0.113.9").get(url)  # the first visit renders the lot's part
    connection.force_debug_cursor = True
    try:  # another visitor: the scan counts
        assert Client(REMOTE_ADDR="203.0.113.10").get(url).status_code in (200, 307)
        return len(connection.queries)
    finally:
        connection.force_debug_cursor = False


def pages(label) -> dict[str, str]:
    batch = label.batch
    return {
        "scan": f"/s/{label.serial}",
        "lot": f"/lot/{batch.code}",
        "digital link (307)": f"/01/{batch.product.gtin}/10/{batch.code}/21/{label.serial}",
    }


def main() -> None:
    setup()
    gtins = {5: "08938505974019", 200: "08938505974026"}
    labels = {length: build_journey(length, gtins[length]) for length in JOURNEY_LENGTHS}
    print("SQL queries on the hot path (the lot's part cached)")
    for length, label in labels.items():
        counts = {name: count_queries(url) for name, url in pages(label).items()}
        print(f"  journey of {length:>3} events: {counts}")

    print("Throughput as a share of /healthz: gunicorn, 2 workers, Redis cache, wrk -t2 -c8")
    from traceability.models import Scan

    server = serve(PORT, CACHE_URL="redis://127.0.0.1:6379/13", TRUSTED_PROXY_COUNT="1")
    try:
        for length, label in labels.items():
            before = Scan.objects.filter(label=label).count()
            named = {f"{name}, {length} events": url for name, url in pages(label).items()}
            made = side_by_side(PORT, named)[f"scan, {length} events"]
            counted = Scan.objects.filter(label=label).count() - before
            print(f"    scans counted: {counted:,} of {made:,} requests of the scan page")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
