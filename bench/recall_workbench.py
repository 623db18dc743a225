"""The recall workbench over a record of 100,000 lots and 1,000,000 events: latency of one
lot's recall scope (p50, p95), its SQL queries, the plans of its heaviest queries, and the
inspector's mass-balance check over the whole record.

    .venv/bin/python -m bench.recall_workbench [families]   # 5 lots each; default 20,000
"""

import sys
import time

from bench.common import describe, setup, timed

SAMPLES = 200
PLANS_SHOWN = 3


def counts() -> str:
    from traceability.models import Batch, BatchLink, Party, TraceEvent

    return (
        f"{Batch.objects.count():,} lots, {TraceEvent.objects.count():,} events, "
        f"{BatchLink.objects.count():,} links, {Party.objects.count():,} partners"
    )


def heaviest_plans(capture) -> list[tuple[float, str]]:
    """EXPLAIN ANALYZE of the slowest queries one scope ran: (milliseconds, plan)."""
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for query in capture.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT TEXT) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
            total = float(lines[-1].split(":")[1].split("ms")[0])
            plans.append((total, "\n".join(lines)))
    return sorted(plans, reverse=True)[:PLANS_SHOWN]


def main() -> None:
    families = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bench.record_dataset import generate
    from traceability.models import Batch
    from traceability.services.recall_scope import recall_scope

    start = time.perf_counter()
    generate(families)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Record: {counts()} (generated in {time.perf_counter() - start:.0f} s)")

    inspector = User.objects.create_superuser("0900000002", "bench-passphrase-2026")
    lots = list(Batch.objects.order_by("?").select_related("producer")[:SAMPLES])
    sizes = []

    def scope_of_next():
        lot = lots[len(sizes) % len(lots)]
        scope = recall_scope(inspector, lot)
        sizes.append((len(scope.lots), len(scope.reached)))

    durations = timed(scope_of_next, SAMPLES)
    reached = sorted(size[1] for size in sizes)
    print(f"Recall scope of {SAMPLES} random lots: {describe(durations)}")
    print(
        f"  lots in a scope: up to {max(size[0] for size in sizes)}; partners reached: "
        f"median {reached[len(reached) // 2]}, up to {reached[-1]}"
    )
    with CaptureQueriesContext(connection) as capture:
        recall_scope(inspector, lots[0])
    print(f"  SQL queries per scope: {len(capture.captured_queries)}")
    for milliseconds, plan in heaviest_plans(capture):
        print(f"\n  Plan of a query taking {milliseconds:.2f} ms:\n{plan}")

    start = time.perf_counter()
    call_command("check_mass_balance")
    print(f"\nMass-balance check over the whole record: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
