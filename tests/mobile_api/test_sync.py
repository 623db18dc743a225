"""Operations recorded offline and sent later, maybe several times."""

import uuid

import pytest
from graphql_relay import to_global_id

from farms.models import Plot
from tests.factories import moment
from traceability.models import Batch, LabelSheet, TraceEvent

SYNC = """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
  errors { code }
  results { index operation clientId errors { field code message }
            batch { code } batches { code } event { sequence occurredAt } plot { name } } } }"""
POLYGON = {
    "type": "Polygon",
    "coordinates": [
        [
            [105.801, 21.151],
            [105.8015, 21.151],
            [105.8015, 21.1515],
            [105.801, 21.1515],
            [105.801, 21.151],
        ]
    ],
}


@pytest.fixture
def queue(coop, product):
    """A day in the field without signal: a plot, a batch on it, three events, labels.
    Later operations refer to earlier ones by the UUIDs the phone gave them."""
    plot_id, batch_id = str(uuid.uuid4()), str(uuid.uuid4())
    coop_id = to_global_id("ProducerNode", coop.pk)
    return [
        {
            "savePlot": {
                "clientId": plot_id,
                "producerId": coop_id,
                "name": "Bãi ven đê",
                "geometry": POLYGON,
            }
        },
        {
            "createBatch": {
                "clientId": batch_id,
                "producerId": coop_id,
                "productId": to_global_id("ProductNode", product.pk),
                "plotIds": [plot_id],
            }
        },
        {
            "recordEvent": {
                "clientId": str(uuid.uuid4()),
                "batchId": batch_id,
                "step": "SEEDING",
                "occurredAt": moment(25).isoformat(),
            }
        },
        {
            "recordEvent": {
                "clientId": str(uuid.uuid4()),
                "batchId": batch_id,
                "step": "HARVESTING",
                "quantity": "42.5",
                "occurredAt": moment(2).isoformat(),
            }
        },
        {
            "recordEvent": {
                "clientId": str(uuid.uuid4()),
                "batchId": batch_id,
                "step": "PACKING",
                "occurredAt": moment(1.9).isoformat(),
            }
        },
        {"orderLabels": {"clientId": str(uuid.uuid4()), "batchId": batch_id, "count": 3}},
        {
            "splitBatch": {
                "clientId": str(uuid.uuid4()),
                "batchId": batch_id,
                "quantities": ["20", "22.5"],
                "occurredAt": moment(1.8).isoformat(),
            }
        },
    ]


def rows() -> tuple:
    return (
        Plot.objects.count(),
        Batch.objects.count(),
        TraceEvent.objects.count(),
        LabelSheet.objects.count(),
    )


def test_a_queue_sent_three_times_writes_one_set_of_rows(api, queue):
    first = api.ok(SYNC, {"ops": queue})["sync"]
    assert [r["errors"] for r in first["results"]] == [[]] * len(queue)
    after_first = rows()
    # One plot; the batch and its two split halves; 4 events on the batch (seeding,
    # harvesting, packing, split) and 1 on each half; one label sheet.
    assert after_first == (1, 3, 6, 1)
    for _ in range(2):
        again = api.ok(SYNC, {"ops": queue})["sync"]
        assert [r["errors"] for r in again["results"]] == [[]] * len(queue)
        assert rows() == after_first
        assert again["results"][1]["batch"] == first["results"][1]["batch"]
        assert again["results"][6]["batches"] == first["results"][6]["batches"]


def test_events_keep_the_time_they_happened_on_the_phone(api, queue):
    results = api.ok(SYNC, {"ops": queue})["sync"]["results"]
    harvest = TraceEvent.objects.get(uuid=queue[3]["recordEvent"]["clientId"])
    assert harvest.occurred_at == moment(2)
    assert harvest.recorded_at > harvest.occurred_at
    assert results[3]["event"]["sequence"] == 2


def test_one_bad_item_is_reported_and_the_rest_apply(api, queue):
    queue[4]["recordEvent"]["occurredAt"] = moment(10).isoformat()  # packing before harvest
    results = api.ok(SYNC, {"ops": queue})["sync"]["results"]
    failed = [r for r in results if r["errors"]]
    assert [r["index"] for r in failed] == [4]
    (error,) = failed[0]["errors"]
    assert (error["field"], error["code"]) == ("occurredAt", "event_order")
    assert "trước thời điểm bắt đầu của lô" in error["message"]  # packing before the harvest
    assert failed[0]["clientId"] == queue[4]["recordEvent"]["clientId"]
    assert TraceEvent.objects.filter(business_step="packing").count() == 0
    assert Batch.objects.count() == 3  # the split after it still applied


def test_an_item_must_hold_exactly_one_operation(api, queue):
    results = api.ok(SYNC, {"ops": [{**queue[0], **queue[1]}, {}]})["sync"]["results"]
    assert [r["errors"][0]["code"] for r in results] == ["one_operation", "one_operation"]
    assert rows() == (0, 0, 0, 0)


def test_the_queue_length_is_capped(api, queue, settings):
    settings.GRAPHQL_MAX_SYNC_OPERATIONS = 3
    body = api(SYNC, {"ops": queue})["data"]["sync"]
    assert body["errors"] == [{"code": "too_many_operations"}]
    assert rows() == (0, 0, 0, 0)


def test_someone_elses_client_id_is_refused_without_revealing_anything(
    stranger_api, coop, harvested, product, stranger
):
    other = stranger.memberships.get().producer
    from tests.factories import PlotFactory

    plot = PlotFactory(producer=other)
    body = stranger_api(
        """mutation($input: CreateBatchInput!) { createBatch(input: $input) {
      errors { field code message } batch { code } } }""",
        {
            "input": {
                "clientId": str(harvested.uuid),
                "producerId": to_global_id("ProducerNode", other.pk),
                "productId": to_global_id("ProductNode", product.pk),
                "plotIds": [to_global_id("PlotNode", plot.pk)],
            }
        },
    )["data"]["createBatch"]
    assert body["batch"] is None
    assert body["errors"][0]["code"] == "uuid_taken"
    assert "duplicate" not in body["errors"][0]["message"]
