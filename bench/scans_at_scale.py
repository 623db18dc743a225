"""Scans at scale: recording a scan and serving the scan page, with the scans table
holding 10,000 rows and then 10,000,000, and the plans that read the indexes.

    .venv/bin/python -m bench.scans_at_scale

Each request comes from another address, so each one is a counted scan (an insert, and
copy detection reading the label's latest scans from the index).
"""

import statistics
import time

from bench.common import harvested_batch, setup

REQUESTS = 400
LABELS = 100_000  # the other labels the filler scans belong to


def fill_scans(total: int) -> None:
    """Bring the scans table to ``total`` rows, spread over ``LABELS`` other labels."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM traceability_scan")
        missing = total - cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO traceability_scan (label_id, scanned_at, source)
            SELECT (SELECT min(id) FROM traceability_label) + 1 + n %% %s,
                   now() - (n || ' seconds')::interval, n %% 65536
            FROM generate_series(1, %s) AS n
            """,
            [LABELS, missing],
        )
        cursor.execute("ANALYZE traceability_scan")


def copy_history(label, scans: int) -> None:
    """The scanned label's own long history, from one network: flagged for staff but
    not for consumers, so every scan is still weighed (the costliest case)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO traceability_scan (label_id, scanned_at, source)
            SELECT %s, now() - (n || ' seconds')::interval, 7 FROM generate_series(1, %s) AS n
            """,
            [label.pk, scans],
        )


def make_labels(batch) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO traceability_label (batch_id, serial, spread_km, suspicion,
                                            public_warning, created_at)
            SELECT %s, 'F' || n, 0, '', false, now() FROM generate_series(1, %s) AS n
            """,
            [batch.pk, LABELS],
        )


def scan_latency(serial: str, round_: int) -> str:
    from django.test import Client

    client = Client()
    durations = []
    for number in range(REQUESTS):
        client.cookies.clear()
        address = f"10.{round_}.{number // 250}.{number % 250 + 1}"
        start = time.perf_counter()
        response = client.get(f"/s/{serial}", REMOTE_ADDR=address)
        durations.append(time.perf_counter() - start)
        assert response.status_code == 200
    ordered = sorted(durations)
    p95 = ordered[int(len(ordered) * 0.95)]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def plan(label) -> str:
    from django.db import connection
    from django.utils import timezone

    from traceability.services.scans import _RECORD_SCAN, NEVER

    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(f"PREPARE planned AS {_RECORD_SCAN}")
        cursor.execute(
            "EXPLAIN (ANALYZE, COSTS OFF) EXECUTE planned(%s, %s, %s, %s, %s)",
            [label.pk, timezone.now(), 1, NEVER, 500],
        )
        lines = [row[0] for row in cursor.fetchall()]
        cursor.execute("ROLLBACK")
        cursor.execute("DEALLOCATE planned")
    return "\n".join(f"    {line}" for line in lines)


def main() -> None:
    setup()
    from django.core.cache import cache

    from traceability.models import Label
    from traceability.services.labels import new_serials

    _owner, batch = harvested_batch(3, 1000)
    label = Label.objects.create(batch=batch, serial=new_serials(1)[0])
    make_labels(batch)
    print(f"Scan page, {REQUESTS} counted scans each, Django in one process")
    for round_, total in enumerate((10_000, 10_000_000), start=1):
        started = time.perf_counter()
        if round_ == 2:
            copy_history(label, 100_000)
        fill_scans(total)
        filled = time.perf_counter() - started
        cache.clear()
        latency = scan_latency(label.serial, round_)
        own = "100,000 of them" if round_ == 2 else "a few"
        print(f"  {total:>10,} scans in the table, {own} the label's (filled in {filled:.0f} s)")
        print(f"      {latency}")
    print("  Recording a scan (insert, and the label's latest scans read from the index):")
    print(plan(label))


if __name__ == "__main__":
    main()
