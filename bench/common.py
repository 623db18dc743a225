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


def serve(port: int = 8765, workers: int = 2):
    """Start gunicorn on the benchmark database; the caller terminates it."""
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    from django.db import connection

    settings_dict = connection.settings_dict
    # A socket folder goes in the query string, which psycopg2 receives as ``host``.
    url = f"postgis://{settings_dict['USER']}@/{settings_dict['NAME']}?host={settings_dict['HOST']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(  # noqa: S603
        [
            gunicorn,
            "backend.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def load(port: int, path: str, clients: int = 8, seconds: float = 10.0, status: int = 200) -> str:
    """Requests per second and latency from ``clients`` keep-alive connections (GET)."""
    return load_post(port, path, None, {}, clients, seconds, status)


def load_post(
    port: int,
    path: str,
    body: str | None,
    headers: dict,
    clients: int = 8,
    seconds: float = 10.0,
    status: int = 200,
) -> str:
    """Requests per second and latency; POST ``body`` when given, else GET."""
    import http.client
    import threading

    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            connection.request("POST" if body else "GET", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == status, response.status
            latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return (
        f"{len(ordered) / seconds:.0f} req/s, p50 {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {ordered[int(len(ordered) * 0.95)] * 1000:.0f} ms"
    )
