"""The production settings pass Django's deployment checklist and our own."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 60 + "production-secret-for-the-check",
    "DJANGO_ALLOWED_HOSTS": "truyxuat.example.vn",
    "SITE_URL": "https://truyxuat.example.vn",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "TEXT_MESSAGE_BACKEND": "backend.text_messages.MemoryTextBackend",
}


def manage(*args: str, without: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run manage.py with the production environment, less the variables ``without``."""
    env = {**os.environ, **PRODUCTION}
    for name in without:
        env.pop(name, None)
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_in_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", without=("DJANGO_SECRET_KEY",))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_deploy_check_names_what_a_production_site_lacks():
    result = manage(
        "check", "--deploy", without=("CACHE_URL", "CELERY_BROKER_URL", "TEXT_MESSAGE_BACKEND")
    )
    for check in ("nongsan.W001", "nongsan.W002", "nongsan.W003"):
        assert check in result.stdout + result.stderr


def test_the_demo_is_never_loaded_in_production():
    result = manage("load_demo")
    assert result.returncode != 0
    assert "never loaded with DJANGO_ENV=production" in result.stderr


def test_web_processes_have_postgresql_cancel_slow_statements():
    conf = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, runpy; runpy.run_path('gunicorn.conf.py');"
            "print(os.environ['DATABASE_STATEMENT_TIMEOUT_MS'])",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_STATEMENT_TIMEOUT_MS"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert conf.stdout.strip() == "5000"
    env = {**os.environ, "DATABASE_STATEMENT_TIMEOUT_MS": "200"}
    sleep = "from django.db import connection; connection.cursor().execute('SELECT pg_sleep(2)')"
    slow = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", sleep],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert slow.returncode != 0 and "statement timeout" in slow.stderr
    workers = subprocess.run(  # noqa: S603 (the same statement without the setting)
        [sys.executable, "manage.py", "shell", "-c", sleep.replace("2)", "0.3)")],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_STATEMENT_TIMEOUT_MS"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert workers.returncode == 0, workers.stderr
