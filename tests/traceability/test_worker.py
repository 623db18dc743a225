"""Label sheets built by a real Celery worker through the Redis broker (no eager mode)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from traceability.models import LabelSheet
from traceability.services.labels import order_label_sheet


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
