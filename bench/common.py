"""Shared set-up for benchmarks: Django on a dedicated database, kept between runs.

Benchmarks print numbers; they are not tests. Run them with the project's virtualenv:
    .venv/bin/python -m bench.scan_page
"""

import os
import statistics
import time
from collections.abc import Callable

import django

BENCH_DATABASE = "bench_nongsan"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    connection.settings_dict["TEST"]["NAME"] = BENCH_DATABASE
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def harvested_batch(days_ago: float, quantity: int, gtin: str = ""):
    """A cooperative, its owner, and a batch harvested ``days_ago`` days ago."""
    from tests.factories import (
        PlotFactory,
        ProducerFactory,
        ProductFactory,
        UserFactory,
        kg,
        member,
        moment,
    )
    from traceability.services.batches import create_batch

    coop = ProducerFactory()
    owner = member(UserFactory(), coop)
    batch = create_batch(
        owner,
        producer=coop,
        product=ProductFactory(gtin=gtin),
        plots=[PlotFactory(producer=coop)],
        harvested_at=moment(days_ago),
        quantity=kg(quantity),
    )
    return owner, batch


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    """Seconds taken by each of ``repeat`` calls."""
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return durations


def describe(durations: list[float]) -> str:
    ordered = sorted(durations)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (
        f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"{len(ordered) / sum(ordered):.0f} req/s (one process)"
    )
