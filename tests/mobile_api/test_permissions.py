"""Nobody acts for, or reads the private data of, a producer they are not a member of."""

import pytest
from graphql_relay import to_global_id

from farms.models import Plot, Producer
from tests.factories import UserFactory, moment
from tests.mobile_api.conftest import Api, token_for
from traceability.models import Batch, LabelSheet, TraceEvent

POLYGON = {
    "type": "Polygon",
    "coordinates": [[[105.9, 21.2], [105.901, 21.2], [105.901, 21.201], [105.9, 21.2]]],
}


def gid(node: str, obj) -> str:
    return to_global_id(node, obj.pk)


def mutations(coop, plot, batch, product):
    """(name, input) for every mutation, each aimed at the owner's producer and data."""
    occurred = moment(0.5).isoformat()
    part = {"batchId": gid("BatchNode", batch), "quantity": "1"}
    return [
        (
            "updateProducer",
            "UpdateProducerInput",
            {"id": gid("ProducerNode", coop), "name": "Chiếm quyền"},
        ),
        (
            "registerProducer",
            "RegisterProducerInput",
            {
                "kind": "household",
                "name": "Hộ giả",
                "commune": "X",
                "district": "Y",
                "cooperativeId": gid("ProducerNode", coop),
            },
        ),
        (
            "savePlot",
            "SavePlotInput",
            {"producerId": gid("ProducerNode", coop), "name": "Lấn", "geometry": POLYGON},
        ),
        (
            "savePlot",
            "SavePlotInput",
            {
                "id": gid("PlotNode", plot),
                "name": "Đổi",
                "producerId": gid("ProducerNode", coop),
                "geometry": POLYGON,
            },
        ),
        (
            "createBatch",
            "CreateBatchInput",
            {
                "producerId": gid("ProducerNode", coop),
                "productId": gid("ProductNode", product),
                "plotIds": [gid("PlotNode", plot)],
            },
        ),
        (
            "recordEvent",
            "RecordEventInput",
            {"batchId": gid("BatchNode", batch), "step": "STORING", "occurredAt": occurred},
        ),
        (
            "splitBatch",
            "SplitBatchInput",
            {"batchId": gid("BatchNode", batch), "quantities": ["1", "1"], "occurredAt": occurred},
        ),
        (
            "mergeBatches",
            "MergeBatchesInput",
            {
                "parts": [part, part],
                "producerId": gid("ProducerNode", coop),
                "occurredAt": occurred,
            },
        ),
        (
            "transformBatches",
            "TransformBatchesInput",
            {
                "parts": [part],
                "productId": gid("ProductNode", product),
                "quantity": "1",
                "occurredAt": occurred,
            },
        ),
        ("orderLabels", "OrderLabelsInput", {"batchId": gid("BatchNode", batch), "count": 5}),
        (
            "recallBatch",
            "RecallBatchInput",
            {"batchId": gid("BatchNode", batch), "reason": "Phá hoại"},
        ),
    ]


def counts() -> tuple:
    return (
        Producer.objects.count(),
        Plot.objects.count(),
        Batch.objects.count(),
        TraceEvent.objects.count(),
        LabelSheet.objects.count(),
        Batch.objects.filter(status="recalled").count(),
        Producer.objects.filter(name="Chiếm quyền").count(),
    )


@pytest.fixture(params=["outsider", "member_of_another_producer"])
def intruder(request, client, rf, stranger):
    user = stranger if request.param == "member_of_another_producer" else UserFactory()
    return Api(client, token_for(user, rf))


def test_every_mutation_is_refused_to_intruders(intruder, coop, plot, harvested, product):
    before = counts()
    for name, input_type, data in mutations(coop, plot, harvested, product):
        query = (
            f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ errors {{ code }} }} }}"
        )
        errors = intruder(query, {"input": data})["data"][name]["errors"]
        assert {e["code"] for e in errors} <= {"not_found", "permission_denied"}, (name, errors)
        assert errors, name
    assert counts() == before


def test_the_sync_queue_is_refused_item_by_item(intruder, coop, plot, harvested, product):
    before = counts()
    operations = [
        {name[0].lower() + name[1:]: data}
        for name, _t, data in mutations(coop, plot, harvested, product)
    ]
    results = intruder(
        """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
      results { operation errors { code } } } }""",
        {"ops": operations},
    )["data"]["sync"]
    assert len(results["results"]) == len(operations)
    assert all(r["errors"] for r in results["results"])
    assert counts() == before


def test_intruders_read_nothing_private(intruder, coop, plot, harvested):
    data = intruder(
        """query($batch: ID!, $coop: ID!, $code: String!) {
      myBatches(first: 10) { edges { node { code } } }
      myPlots { name }
      batch: node(id: $batch) { id }
      byCode: batchByCode(code: $code) { code }
      coop: node(id: $coop) { ... on ProducerNode { name contactPhone streetAddress } } }""",
        {
            "batch": gid("BatchNode", harvested),
            "coop": gid("ProducerNode", coop),
            "code": harvested.code,
        },
    )["data"]
    assert data["myBatches"]["edges"] == [] and data["myPlots"] == []
    assert data["batch"] is None and data["byCode"] is None
    assert data["coop"] == {"name": coop.name, "contactPhone": None, "streetAddress": None}


def test_members_read_their_own_private_data(api, coop):
    data = api.ok(
        """query($coop: ID!) { coop: node(id: $coop) {
      ... on ProducerNode { contactPhone streetAddress } } }""",
        {"coop": gid("ProducerNode", coop)},
    )
    assert data["coop"] == {
        "contactPhone": coop.contact_phone,
        "streetAddress": coop.street_address,
    }


def test_anonymous_requests_are_asked_to_sign_in(anonymous_api, harvested):
    body = anonymous_api(
        "mutation($input: RecallBatchInput!) { recallBatch(input: $input) {"
        " errors { code message } } }",
        {"input": {"batchId": gid("BatchNode", harvested), "reason": "x"}},
    )
    assert body["data"]["recallBatch"]["errors"][0]["code"] == "sign_in_required"
    assert anonymous_api("{ myBatches(first: 1) { edges { node { code } } } }")["errors"]
