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


def serve(port: int = 8765, workers: int = 2, **settings: str):
    """Start gunicorn on the benchmark database, with ``settings`` as extra environment
    variables (its access log silenced); the caller terminates it."""
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
        **settings,
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
        stdout=subprocess.DEVNULL,
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


# Each request from another IPv4 address (read behind one trusted proxy), so every scan
# counts and no throttle ever answers for the page. Each thread of each run draws its own
# addresses (wrk seeds every thread alike).
_WRK_SCRIPT = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + number)
end
request = function()
  local address = math.random(1, 223) .. "." .. math.random(0, 255) .. "."
    .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("GET", nil, {["X-Forwarded-For"] = address})
end
"""


def wrk(port: int, path: str, seconds: int = 4, connections: int = 8) -> tuple[float, int]:
    """Requests per second by ``wrk -t2 -c8`` (the load generator is C, not Python), and
    how many requests were made."""
    import re
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_WRK_SCRIPT)
        script.flush()
        command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name]
        output = subprocess.run(  # noqa: S603
            [*command, f"http://127.0.0.1:{port}{path}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"{path} answered errors:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rate, int(re.search(r"(\d+) requests in", output).group(1))


def side_by_side(
    port: int, pages: dict[str, str], rounds: int = 3, seconds: int = 4
) -> dict[str, int]:
    """Each page's throughput as a share of /healthz's, the two measured alternately in
    the same run (so that both see the same machine); the requests made of each page."""
    made = {}
    for path in ["/healthz", *pages.values()]:
        wrk(port, path, 2)  # warm up: connections, caches, the first page's render
    for name, path in pages.items():
        trivial, page = [], []
        for _ in range(rounds):
            trivial.append(wrk(port, "/healthz", seconds)[0])
            rate, requests = wrk(port, path, seconds)
            page.append(rate)
            made[name] = made.get(name, 0) + requests
        share = sum(page) / sum(trivial)
        print(
            f"  {name:<34} {statistics.mean(page):>7.0f} req/s  /healthz "
            f"{statistics.mean(trivial):>6.0f} req/s  share {share:>4.0%}"
        )
    return made
