"""A phone resends what it sent while the first attempt is still being applied: every
create keyed by a client UUID applies once, and every copy answers with its result."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
from graphql_relay import to_global_id

from tests.factories import converts, kg, moment
from tests.mobile_api.conftest import token_for
from traceability.models import Batch, BatchLink, LabelSheet, TraceEvent
from traceability.services.batches import create_batch

COPIES = 20

SPLIT = """mutation($input: SplitBatchInput!) { splitBatch(input: $input) {
  errors { code } batches { id } } }"""
TRANSFORM = """mutation($input: TransformBatchesInput!) { transformBatches(input: $input) {
  errors { code } batch { id } } }"""
CREATE = """mutation($input: CreateBatchInput!) { createBatch(input: $input) {
  errors { code } batch { id } } }"""
RECORD = """mutation($input: RecordEventInput!) { recordEvent(input: $input) {
  errors { code } event { uuid } } }"""
LABELS = """mutation($input: OrderLabelsInput!) { orderLabels(input: $input) {
  errors { code } labelSheet { uuid } } }"""
SYNC = """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
  errors { code } results { errors { code } batches { id } } } }"""


@pytest.fixture
def ten_kg(owner, coop, product, plot, transactional_db):
    return create_batch(
        owner,
        producer=coop,
        product=product,
        plots=[plot],
        harvested_at=moment(1),
        quantity=kg(10),
    )


@pytest.fixture
def send_copies(live_server, owner, rf):
    """Send one request COPIES times at once; the answers' payloads."""
    headers = {"Authorization": f"Bearer {token_for(owner, rf)}"}

    def post(query, variables):
        body = {"query": query, "variables": variables}
        response = requests.post(
            f"{live_server.url}/graphql", json=body, headers=headers, timeout=60
        )
        assert response.status_code == 200, response.text[:300]
        return next(iter(response.json()["data"].values()))

    def send(query, variables):
        with ThreadPoolExecutor(max_workers=COPIES) as pool:
            return list(pool.map(lambda _i: post(query, variables), range(COPIES)))

    return send


def node(batch) -> str:
    return to_global_id("BatchNode", batch.pk)


def same_answer(answers, key):
    assert all(answer["errors"] == [] for answer in answers), answers
    assert len({repr(answer[key]) for answer in answers}) == 1
    return answers[0][key]


def test_a_split_sent_many_times_at_once_splits_once(ten_kg, send_copies):
    split = {
        "clientId": str(uuid.uuid4()),
        "batchId": node(ten_kg),
        "quantities": ["1", "1"],
        "occurredAt": moment(0.5).isoformat(),
    }
    children = same_answer(send_copies(SPLIT, {"input": split}), "batches")
    assert len(children) == 2
    ten_kg.refresh_from_db()
    assert ten_kg.remaining_quantity == Decimal(8)
    assert BatchLink.objects.filter(parent=ten_kg).count() == 2
    assert TraceEvent.objects.filter(batch=ten_kg, transformation_id__isnull=False).count() == 1


def test_a_transformation_sent_many_times_at_once_applies_once(ten_kg, product, send_copies):
    converts(product, product, "0.8", "0.9")  # trimmed and washed
    transform = {
        "clientId": str(uuid.uuid4()),
        "parts": [{"batchId": node(ten_kg), "quantity": "4"}],
        "productId": to_global_id("ProductNode", product.pk),
        "quantity": "3.5",
        "occurredAt": moment(0.5).isoformat(),
    }
    same_answer(send_copies(TRANSFORM, {"input": transform}), "batch")
    ten_kg.refresh_from_db()
    assert ten_kg.remaining_quantity == Decimal(6)
    assert Batch.objects.filter(parent_links__parent=ten_kg).count() == 1


def test_a_sync_queue_sent_many_times_at_once_applies_once(ten_kg, send_copies):
    split = {
        "clientId": str(uuid.uuid4()),
        "batchId": node(ten_kg),
        "quantities": ["2", "3"],
        "occurredAt": moment(0.5).isoformat(),
    }
    answers = send_copies(SYNC, {"ops": [{"splitBatch": split}]})
    results = [answer["results"][0] for answer in answers]
    same_answer(results, "batches")
    ten_kg.refresh_from_db()
    assert ten_kg.remaining_quantity == Decimal(5)


def test_creates_sent_many_times_at_once_create_once(ten_kg, coop, product, plot, send_copies):
    batch_uuid, event_uuid, sheet_uuid = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    create = {
        "clientId": str(batch_uuid),
        "producerId": to_global_id("ProducerNode", coop.pk),
        "productId": to_global_id("ProductNode", product.pk),
        "plotIds": [to_global_id("PlotNode", plot.pk)],
    }
    same_answer(send_copies(CREATE, {"input": create}), "batch")
    assert Batch.objects.filter(uuid=batch_uuid).count() == 1

    packing = {
        "clientId": str(event_uuid),
        "batchId": node(ten_kg),
        "step": "PACKING",
        "occurredAt": moment(0.5).isoformat(),
        "quantity": "1",
    }
    same_answer(send_copies(RECORD, {"input": packing}), "event")
    assert TraceEvent.objects.filter(batch=ten_kg, business_step="packing").count() == 1

    order = {"clientId": str(sheet_uuid), "batchId": node(ten_kg), "count": 3}
    same_answer(send_copies(LABELS, {"input": order}), "labelSheet")
    assert LabelSheet.objects.filter(batch=ten_kg).count() == 1
