"""Label sheets built by a real Celery worker through the Redis broker (no eager mode)."""

import os
import time
import uuid

import pytest
from celery import Celery, current_app
from celery.contrib.testing.worker import start_worker

from traceability.models import LabelSheet
from traceability.services.labels import order_label_sheet

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def broker_app():
    """A Celery app of its own on the real broker and a queue of its own, made current
    so that the product's shared tasks are sent through it; the default app is left
    untouched for the other tests."""
    previous = current_app._get_current_object()
    app = Celery("nongsan-worker-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=BROKER,
        task_always_eager=False,
        task_default_queue=f"test-{uuid.uuid4().hex[:12]}",
    )
    app.set_current()
    yield app
    previous.set_current()
    previous.set_default()  # start_worker made the test app the process default
    app.close()


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
def test_a_worker_builds_a_large_sheet_while_the_request_returns(broker_app, owner, harvested):
    with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        sheet = order_label_sheet(owner, harvested, 300, "a4_4x10")
        assert sheet.status == LabelSheet.Status.PENDING  # the request did not wait
        sheet = wait_for(sheet)
    assert sheet.status == LabelSheet.Status.READY, sheet.error
    assert sheet.file.size > 10_000
    assert sheet.labels.count() == 300
