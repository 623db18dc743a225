"""Label sheets built by a real Celery worker through the Redis broker (no eager mode)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from backend.celery import app
from traceability.models import LabelSheet
from traceability.services.labels import order_label_sheet

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _forget_connections():
    """Publishers are pooled per broker URL when first used: start afresh."""
    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def real_broker():
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=BROKER, task_always_eager=False)
    _forget_connections()
    yield
    app.conf.update(saved)
    _forget_connections()


def wait_for(sheet: LabelSheet, seconds: float = 60) -> LabelSheet:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sheet.refresh_from_db()
        if sheet.status != LabelSheet.Status.PENDING:
            return sheet
        time.sleep(0.2)
    return sheet


@pytest.mark.celery_broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_a_large_sheet_while_the_request_returns(real_broker, owner, harvested):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        sheet = order_label_sheet(owner, harvested, 300, "a4_4x10")
        assert sheet.status == LabelSheet.Status.PENDING  # the request did not wait
        sheet = wait_for(sheet)
    assert sheet.status == LabelSheet.Status.READY, sheet.error
    assert sheet.file.size > 10_000
    assert sheet.labels.count() == 300
