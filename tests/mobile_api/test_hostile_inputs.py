"""What a hostile sweep of the API found, each answered in plain, typed words and at once."""

import io
import struct
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from graphql_relay import to_global_id
from PIL import Image

from backend.images import pixel_count
from backend.throttle import client_address, network_of
from farms.models import Plot
from tests.factories import PlotFactory, UserFactory, moment
from tests.mobile_api.conftest import Api, token_for
from traceability.models import Batch

MERGE = """mutation($input: MergeBatchesInput!) { mergeBatches(input: $input) {
  errors { field code } } }"""
SPLIT = """mutation($input: SplitBatchInput!) { splitBatch(input: $input) {
  errors { field code } batches { quantity } } }"""
UPDATE_PRODUCER = """mutation($input: UpdateProducerInput!) { updateProducer(input: $input) {
  errors { field code } } }"""
SAVE_PLOT = """mutation($input: SavePlotInput!) { savePlot(input: $input) {
  errors { field code } plot { id } } }"""
SOIL = """mutation($input: RecordSoilSampleInput!) { recordSoilSample(input: $input) {
  errors { field code } } }"""


def codes(payload) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def test_a_merge_of_thousands_of_parts_is_refused_before_any_lookup(api, coop, harvested):
    part = {"batchId": to_global_id("BatchNode", harvested.pk), "quantity": "0.001"}
    started = time.monotonic()
    body = api(
        MERGE,
        {
            "input": {
                "producerId": to_global_id("ProducerNode", coop.pk),
                "parts": [part] * 5000,
                "occurredAt": moment(0.5).isoformat(),
            }
        },
    )
    assert codes(body["data"]["mergeBatches"]) == ["too_many_parts"]
    assert time.monotonic() - started < 1.5


def test_long_notes_and_descriptions_are_refused(api, coop, harvested):
    split = {
        "batchId": to_global_id("BatchNode", harvested.pk),
        "quantities": ["1", "1"],
        "occurredAt": moment(0.5).isoformat(),
        "notes": "x" * 2001,
    }
    assert codes(api(SPLIT, {"input": split})["data"]["splitBatch"]) == ["notes_too_long"]
    producer = to_global_id("ProducerNode", coop.pk)
    updates = [
        ({"description": "x" * 2001}, "max_length"),
        ({"name": "\x1b[31m"}, "control_character"),
        ({"name": "  "}, "required"),
    ]
    for fields, code in updates:
        body = api(UPDATE_PRODUCER, {"input": {"id": producer, **fields}})
        assert codes(body["data"]["updateProducer"]) == [code]
    assert Batch.objects.count() == 1


def test_a_first_answer_reads_like_its_replay(api, harvested):
    split = {
        "clientId": str(uuid.uuid4()),
        "batchId": to_global_id("BatchNode", harvested.pk),
        "quantities": ["5", "7"],
        "occurredAt": moment(0.5).isoformat(),
    }
    first = api.ok(SPLIT, {"input": split})["splitBatch"]["batches"]
    again = api.ok(SPLIT, {"input": split})["splitBatch"]["batches"]
    assert first == again == [{"quantity": "5.000"}, {"quantity": "7.000"}]


@pytest.mark.parametrize(
    ("measures", "code"),
    [({"ph": "1e1000000"}, "out_of_range"), ({"ph": "6", "note": "x" * 301}, "note_too_long")],
)
def test_absurd_soil_tests_are_refused_in_words(api, coop, measures, code):
    plot = PlotFactory(producer=coop)
    body = api(
        SOIL,
        {
            "input": {
                "plotId": str(plot.uuid),
                "sampledOn": "2026-10-02",
                "laboratory": "Phòng thí nghiệm",
                **measures,
            }
        },
    )
    assert codes(body["data"]["recordSoilSample"]) == [code]


def test_odd_ids_in_filters_and_paging_on_plots_are_answered(api, harvested):
    body = api.ok(
        '{ myBatches(first: 5, producer: "UHJvZHVjZXJOb2RlOmFi") { edges { node { code } } } }'
    )
    assert body["myBatches"]["edges"] == []
    plots = api.ok(
        "query($c: String!) { batchByCode(code: $c) { originPlots(first: 1) { edges { node "
        "{ name } } } } }",
        {"c": harvested.code},
    )
    assert len(plots["batchByCode"]["originPlots"]["edges"]) == 1


def _png_with_text_bomb() -> bytes:
    """A 10×10 PNG carrying a compressed text chunk that expands to 50 MB."""
    data = io.BytesIO()
    Image.new("L", (10, 10)).save(data, format="PNG")
    png = data.getvalue()
    body = b"Comment\x00\x00" + zlib.compress(b"\x00" * 50_000_000, 9)
    chunk = struct.pack(">I", len(body)) + b"zTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"zTXt" + body) & 0xFFFFFFFF)
    return png[:33] + chunk + png[33:]  # after the header chunk


def test_a_hostile_image_is_no_crash():
    assert pixel_count(io.BytesIO(_png_with_text_bomb())) in (0, 100)


def test_ipv4_clients_behind_a_dual_stack_socket_are_told_apart(rf):
    request = rf.get("/", REMOTE_ADDR="::ffff:198.51.100.9")
    assert client_address(request) == "198.51.100.9"
    assert network_of("::ffff:198.51.100.9") != network_of("::ffff:203.0.113.5")


@pytest.mark.django_db(transaction=True)
def test_a_plot_sent_many_times_at_once_is_saved_once(live_server, owner, coop, rf):
    headers = {"Authorization": f"Bearer {token_for(owner, rf)}"}
    middle = (105.80, 21.15)
    ring = [
        [middle[0], middle[1]],
        [middle[0] + 0.001, middle[1]],
        [middle[0] + 0.001, middle[1] + 0.001],
        [middle[0], middle[1] + 0.001],
        [middle[0], middle[1]],
    ]
    plot = {
        "clientId": str(uuid.uuid4()),
        "producerId": to_global_id("ProducerNode", coop.pk),
        "name": "Ruộng sau nhà",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }

    def send(_attempt):
        body = {"query": SAVE_PLOT, "variables": {"input": plot}}
        answer = requests.post(f"{live_server.url}/graphql", json=body, headers=headers, timeout=60)
        return answer.json()["data"]["savePlot"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(send, range(10)))
    assert all(answer["errors"] == [] for answer in answers), answers
    assert len({answer["plot"]["id"] for answer in answers}) == 1
    assert Plot.objects.filter(uuid=plot["clientId"]).count() == 1


def test_pending_labels_per_producer_are_bounded(api, harvested, settings):
    settings.LABEL_MAX_PENDING_PER_PRODUCER = 30
    order = """mutation($input: OrderLabelsInput!) { orderLabels(input: $input) {
      errors { code } } }"""
    batch = to_global_id("BatchNode", harvested.pk)
    assert api.ok(order, {"input": {"batchId": batch, "count": 20}})  # drawn at commit: waiting
    refused = api(order, {"input": {"batchId": batch, "count": 20}})["data"]["orderLabels"]
    assert codes(refused) == ["too_many_pending_labels"]
    assert api(order, {"input": {"batchId": batch, "count": 1001}})["data"]["orderLabels"][
        "errors"
    ] == [{"code": "invalid_count"}]  # drawn inside the request without a broker: kept small


def test_labels_too_small_for_the_names_are_refused_and_nothing_is_made(api, harvested):
    """The longest names a product and a producer may have, on the smallest stickers."""
    harvested.product.name_vi = ("Gạo Bắc Hương Hải Hậu hữu cơ loại đặc biệt " * 4)[:120]
    harvested.product.save(update_fields=["name_vi"])
    harvested.producer.name = ("Hợp tác xã Nông nghiệp Hữu cơ Vân Nội Đông Anh " * 5)[:200]
    harvested.producer.save(update_fields=["name"])
    order = """mutation($input: OrderLabelsInput!) { orderLabels(input: $input) {
      errors { code field message } } }"""
    batch = to_global_id("BatchNode", harvested.pk)
    for _retry in range(2):
        refused = api(order, {"input": {"batchId": batch, "count": 40, "layout": "A4_4X10"}})
        errors = refused["data"]["orderLabels"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("label_text_too_long", "layout")]
        assert "cỡ tem lớn hơn" in errors[0]["message"]
    assert not harvested.labels.exists() and not harvested.label_sheets.exists()
    assert api.ok(order, {"input": {"batchId": batch, "count": 14, "layout": "A4_2X7"}})


def test_the_api_throttles_a_whole_network_not_one_client(client, db, settings):
    settings.LOGIN_FAILURES_PER_NETWORK = 3
    UserFactory(phone="+84912000555")
    sign_in = """mutation { signIn(input: {phone: "0912000555", password: "wrong"}) {
      errors { code } } }"""
    anonymous = Api(client)
    for host in range(3):
        anonymous(sign_in, REMOTE_ADDR=f"::ffff:198.51.100.{host + 1}")
    other = anonymous(sign_in, REMOTE_ADDR="::ffff:203.0.113.5")["data"]["signIn"]
    assert codes(other) == ["wrong_credentials"]  # another network: not locked out
