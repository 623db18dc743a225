"""No request does unbounded work, and values no farm record could hold are refused
with a typed error before anything is stored."""

import datetime
import io
import json
import time

import pytest
from django.utils import timezone
from graphql_relay import to_global_id
from PIL import Image

from tests.factories import moment
from traceability.models import Batch, Label, LabelSheet
from traceability.services.labels import requeue_stuck_sheets

CREATE = """mutation($input: CreateBatchInput!) { createBatch(input: $input) {
  errors { field code } batch { id } } }"""
SPLIT = """mutation($input: SplitBatchInput!) { splitBatch(input: $input) {
  errors { field code } batches { id } } }"""
LABELS = """mutation($input: OrderLabelsInput!) { orderLabels(input: $input) {
  errors { code } labelSheet { status labelCount } } }"""
RECORD = """mutation($input: RecordEventInput!) { recordEvent(input: $input) {
  errors { field code } event { uuid } } }"""


@pytest.fixture
def new_batch(coop, product, plot):
    def create(**fields):
        return {
            "producerId": to_global_id("ProducerNode", coop.pk),
            "productId": to_global_id("ProductNode", product.pk),
            "plotIds": [to_global_id("PlotNode", plot.pk)],
            **fields,
        }

    return create


def codes(payload) -> list[tuple]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"unit": "xyz"}, ("unit", "invalid_unit")),
        (
            {"harvestedAt": "0001-01-01T08:00:00+07:00", "quantity": "5"},
            ("occurredAt", "implausible_time"),
        ),
        (
            {"harvestedAt": "9999-12-31T23:59:00-07:00", "quantity": "5"},
            ("occurredAt", "future_event"),
        ),
        (
            {"harvestedAt": "2026-11-01T08:00:00", "quantity": "5"},
            ("occurredAt", "naive_time"),
        ),
    ],
)
def test_implausible_batches_are_refused_and_nothing_is_stored(api, new_batch, fields, expected):
    payload = api(CREATE, {"input": new_batch(**fields)})["data"]["createBatch"]
    assert codes(payload) == [expected]
    assert not Batch.objects.exists()


def test_a_split_into_thousands_of_lots_is_refused_at_once(api, harvested):
    split = {
        "batchId": to_global_id("BatchNode", harvested.pk),
        "quantities": ["0.01"] * 10_000,
        "occurredAt": moment(0.5).isoformat(),
    }
    started = time.monotonic()
    payload = api(SPLIT, {"input": split})["data"]["splitBatch"]
    assert codes(payload) == [("quantities", "too_many_parts")]
    assert time.monotonic() - started < 2
    assert Batch.objects.count() == 1


def test_a_label_order_returns_before_any_label_is_made(
    api, harvested, django_capture_on_commit_callbacks
):
    order = {"batchId": to_global_id("BatchNode", harvested.pk), "count": 40}
    with django_capture_on_commit_callbacks() as queued:
        payload = api(LABELS, {"input": order})["data"]["orderLabels"]
    assert payload["labelSheet"] == {"status": "PENDING", "labelCount": 40}
    assert not Label.objects.exists()  # made by the worker, not the request
    for callback in queued:
        callback()
    sheet = LabelSheet.objects.get()
    assert sheet.status == LabelSheet.Status.READY and sheet.labels.count() == 40


def test_sheets_left_waiting_are_queued_again_or_failed_visibly(
    owner, harvested, django_capture_on_commit_callbacks
):
    now = timezone.now()
    stuck = LabelSheet.objects.create(batch=harvested, layout="a4_3x8", label_count=3)
    hopeless = LabelSheet.objects.create(batch=harvested, layout="a4_3x8", label_count=3)
    fresh = LabelSheet.objects.create(batch=harvested, layout="a4_3x8", label_count=3)
    LabelSheet.objects.filter(pk=stuck.pk).update(created_at=now - datetime.timedelta(minutes=20))
    LabelSheet.objects.filter(pk=hopeless.pk).update(created_at=now - datetime.timedelta(hours=7))
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_sheets() == (1, 1)
    statuses = dict(LabelSheet.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: "ready", hopeless.pk: "failed", fresh.pk: "pending"}
    assert "đặt lại" in LabelSheet.objects.get(pk=hopeless.pk).error


def png(width: int, height: int) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("L", (width, height), 128).save(data, format="PNG")
    data.seek(0)
    return data


def upload(client, token, files: dict) -> dict:
    operations = {
        "query": RECORD,
        "variables": {"input": {"photos": [None] * len(files)}},
    }
    files_map = {key: [f"variables.input.photos.{i}"] for i, key in enumerate(files)}
    response = client.post(
        "/graphql",
        {"operations": json.dumps(operations), "map": json.dumps(files_map), **files},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response


def test_too_many_files_in_one_request_are_refused_before_decoding(client, api, db):
    files = {str(i): png(8, 8) for i in range(13)}
    response = upload(client, api.token, files)
    assert response.status_code == 400
    assert "13" not in response.json()["errors"][0]["message"]


def test_too_many_pixels_in_one_request_are_refused_before_decoding(client, api, db):
    files = {"0": png(6000, 5000), "1": png(6000, 5000)}  # 60 Mpx in all
    started = time.monotonic()
    response = upload(client, api.token, files)
    assert response.status_code == 400
    assert "quá lớn" in response.json()["errors"][0]["message"]
    assert time.monotonic() - started < 2
