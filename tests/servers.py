"""The product as it runs in production, for tests: gunicorn processes and Celery
workers started from the checkout, on the test database, a Redis cache and broker."""

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

import requests
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS = "redis://127.0.0.1:6379"


def database_url() -> str:
    """The test database, as a URL another process can use."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = db["HOST"] or ""
    if host.startswith("/"):  # a Unix socket folder
        return f"postgis://{credentials}@/{db['NAME']}?host={host}"
    return f"postgis://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def product_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Settings shared by every process of one test: its own cache database, broker
    queue and media folders."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "*",
        "CACHE_URL": f"{REDIS}/14",
        "CELERY_BROKER_URL": os.environ.get("CELERY_TEST_BROKER_URL", f"{REDIS}/15"),
        "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:12]}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "WEATHER_FORECAST_URL": "",
        **overrides,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _process(command: list[str], env: dict, log: Path):
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (our own programs)
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until(ready, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not start")


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=2).status_code == 200
    except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still booting
        return False


@contextmanager
def web_servers(env: dict, tmp_path: Path, count: int = 1, workers: int = 1):
    """``count`` gunicorn servers (with the project's gunicorn.conf.py); their URLs."""
    with ExitStack() as stack:
        urls = []
        for index in range(count):
            port = _free_port()
            command = [str(BIN / "gunicorn"), "backend.wsgi", "-b", f"127.0.0.1:{port}"]
            command += ["-w", str(workers), "--access-logfile", "-"]
            stack.enter_context(_process(command, env, tmp_path / f"web-{index}.log"))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            _wait_until(lambda url=url: _answers(url), url)
        yield urls


@contextmanager
def celery_workers(env: dict, tmp_path: Path, count: int = 1):
    """``count`` Celery worker processes on the test's queue; their log files."""
    with ExitStack() as stack:
        logs = []
        for index in range(count):
            log = tmp_path / f"worker-{index}.log"
            command = [str(BIN / "celery"), "-A", "backend", "worker", "-l", "info", "-c", "1"]
            command += ["-Q", env["CELERY_QUEUE"], "-n", f"test{index}-{env['CELERY_QUEUE']}@%h"]
            command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            stack.enter_context(_process(command, env, log))
            logs.append(log)
        for log in logs:
            _wait_until(lambda log=log: "ready." in log.read_text(), str(log))
        yield logs
