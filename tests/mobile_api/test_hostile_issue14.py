"""Hostile tests of issue 14's later slices: the recall workbench (recallScope), land
handovers (handOverPlot), partners on shippings and returns, the admin's recall,
release, withdraw and hand-over pages, and certificates on mixed offers.

Every case goes through the real endpoints (/graphql with a bearer token, the admin with
a logged-in session, the market pages) and states the safe answer: a typed code, no
change to the data, never a 500.
"""

import base64
import json
import time
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from graphql_relay import to_global_id

from farms.models import Membership, PlotHandover, Producer
from farms.permissions import EXTENSION_STAFF_GROUP
from farms.roles import COOPERATIVE_STAFF_GROUP
from farms.services import hand_over_plot, save_plot
from tests import factories
from tests.factories import (
    CertificationFactory,
    PlotFactory,
    ProducerFactory,
    UserFactory,
    harvested_lot,
    kg,
    member,
    moment,
    ship,
)
from tests.mobile_api.conftest import Api, token_for
from traceability.models import Batch, Party, RecallNotice, TraceEvent
from traceability.services.batches import recall_batch
from traceability.services.parties import register_party
from traceability.services.transformations import merge_batches

# --------------------------------------------------------------------------- helpers

SCOPE = """query($id: ID!) { recallScope(batchId: $id) {
  lots { code producer relation remainingQuantity onHold }
  reached { party { uuid name kind phone } lot shipped returned stillOut unit }
  hiddenReaches } }"""

HAND_OVER = """mutation($input: HandOverPlotInput!) { handOverPlot(input: $input) {
  errors { field code } plot { name handedOverTo } } }"""

SAVE_PLOT = """mutation($input: SavePlotInput!) { savePlot(input: $input) {
  errors { field code } plot { id } } }"""

CREATE_BATCH = """mutation($input: CreateBatchInput!) { createBatch(input: $input) {
  errors { field code } batch { id } } }"""

RECORD = """mutation($input: RecordEventInput!) { recordEvent(input: $input) {
  errors { field code } event { uuid party { uuid name kind phone } }
  batch { remainingQuantity } } }"""

OFFERS = """query { offers(first: 50) { edges { node {
  uuid certification lots { code certification } } } } }"""


def gid(kind: str, pk) -> str:
    return to_global_id(kind, pk)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def code_of(body: dict) -> str:
    """The code of a refused query (the first error's extensions)."""
    return body["errors"][0]["extensions"]["code"]


def api_for(client, rf, user) -> Api:
    return Api(client, token_for(user, rf))


def producer_of(user) -> Producer:
    return user.memberships.get().producer


def geojson(geometry) -> dict:
    return json.loads(geometry.geojson)


def staff(user, group=COOPERATIVE_STAFF_GROUP):
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


def snapshot(batch: Batch) -> tuple:
    batch.refresh_from_db()
    return (
        batch.status,
        batch.remaining_quantity,
        batch.on_hold,
        batch.recall_reason,
        TraceEvent.objects.filter(batch=batch).count(),
    )


@pytest.fixture
def other(db):
    """Another producer, with its own owner (not related to ``coop``)."""
    producer = ProducerFactory(name="HTX Rau sạch Thanh Trì")
    return producer, member(UserFactory(), producer)


@pytest.fixture
def third(db):
    producer = ProducerFactory(name="Hộ ông Ba")
    return producer, member(UserFactory(), producer)


@pytest.fixture
def stall(coop):
    """A partner the cooperative registered, with a private phone."""
    return Party.objects.create(
        name="Sạp rau chị Lan",
        kind=Party.Kind.WHOLESALE_STALL,
        district="Long Biên",
        phone="+84987654321",
        registered_by=coop,
    )


@pytest.fixture
def foreign_partner(other):
    """A partner another producer registered, with its private phone."""
    producer, _owner = other
    return Party.objects.create(
        name="Thương lái Sáu (của HTX khác)",
        kind=Party.Kind.TRADER,
        district="Thanh Trì",
        phone="+84912999888",
        registered_by=producer,
    )


@pytest.fixture
def member_farm(coop):
    """A member farm of ``coop`` with its own owner, plot and 30 kg lot."""
    farm = ProducerFactory(
        name="Hộ bà Tư", kind=Producer.Kind.HOUSEHOLD, cooperative=coop, registration_code=""
    )
    farmer = member(UserFactory(), farm)
    return farm, farmer


# ============================================================ 1. recallScope (GraphQL)


def test_scope_for_a_member_role_is_permission_denied(client, rf, coop, harvested):
    worker = member(UserFactory(), coop, Membership.Role.MEMBER)
    body = api_for(client, rf, worker)(SCOPE, {"id": gid("BatchNode", harvested.pk)})
    assert body["data"]["recallScope"] is None
    assert code_of(body) == "permission_denied"


def test_scope_for_a_stranger_is_not_found(stranger_api, harvested, stall, owner):
    ship(owner, harvested, kg(10), moment(0.5), to=stall)
    body = stranger_api(SCOPE, {"id": gid("BatchNode", harvested.pk)})
    assert body["data"]["recallScope"] is None
    assert code_of(body) == "not_found"
    assert body["errors"][0]["extensions"]["field"] == "batchId"
    assert "Sạp rau" not in json.dumps(body, ensure_ascii=False)


def test_scope_for_anonymous_is_refused_without_data(anonymous_api, harvested):
    body = anonymous_api(SCOPE, {"id": gid("BatchNode", harvested.pk)})
    assert body["data"]["recallScope"] is None
    assert code_of(body) in ("not_found", "permission_denied")


def test_scope_by_uuid_of_another_producers_lot_is_not_found(stranger_api, harvested):
    body = stranger_api(SCOPE, {"id": str(harvested.uuid)})
    assert body["data"]["recallScope"] is None
    assert code_of(body) == "not_found"


def test_scope_for_an_extension_officer_is_permission_denied(client, rf, harvested):
    officer = UserFactory()
    officer.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    body = api_for(client, rf, officer)(SCOPE, {"id": gid("BatchNode", harvested.pk)})
    assert body["data"]["recallScope"] is None
    assert code_of(body) == "permission_denied"


def test_a_member_farm_owner_does_not_read_its_cooperatives_lot(client, rf, member_farm, harvested):
    _farm, farmer = member_farm
    body = api_for(client, rf, farmer)(SCOPE, {"id": gid("BatchNode", harvested.pk)})
    assert body["data"]["recallScope"] is None
    assert code_of(body) == "not_found"


def test_the_cooperative_reads_its_member_farms_lot_and_its_partners_phone(
    client, rf, owner, coop, member_farm, product, api
):
    farm, farmer = member_farm
    field = PlotFactory(producer=farm)
    lot = harvested_lot(farmer, farm, field, product, quantity=30)
    neighbour_stall = register_party(
        farmer,
        farm,
        name="Sạp cô Hoa",
        kind="retail_shop",
        district="Đông Anh",
        phone="0987 222 333",
    )
    ship(farmer, lot, kg(5), moment(0.5), to=neighbour_stall)

    scope = api.ok(SCOPE, {"id": gid("BatchNode", lot.pk)})["recallScope"]

    (reach,) = scope["reached"]
    # The cooperative's owner acts for its member farm: it sees the farm's partner.
    assert reach["party"]["phone"] == "+84987222333"
    assert scope["hiddenReaches"] == 0


def test_a_member_farm_sees_what_the_cooperative_made_but_not_its_partners(
    client, rf, owner, coop, member_farm, product, plot, stall
):
    farm, farmer = member_farm
    field = PlotFactory(producer=farm)
    farm_lot = harvested_lot(farmer, farm, field, product, days_ago=2, quantity=30)
    coop_lot = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=30)
    merged = merge_batches(
        owner, [(farm_lot, kg(20)), (coop_lot, kg(20))], producer=coop, occurred_at=moment(1)
    )
    ship(owner, merged, kg(15), moment(0.5), to=stall)

    body = api_for(client, rf, farmer)(SCOPE, {"id": gid("BatchNode", farm_lot.pk)})

    scope = body["data"]["recallScope"]
    assert "errors" not in body
    relations = {lot["code"]: lot["relation"] for lot in scope["lots"]}
    assert relations[merged.code] == "MADE_FROM_IT"
    assert scope["reached"] == []  # the cooperative's shipping is not the farm's to see
    assert scope["hiddenReaches"] == 1
    text = json.dumps(body, ensure_ascii=False)
    assert "Sạp rau chị Lan" not in text and "987654321" not in text


def test_the_scope_hides_the_phone_of_a_partner_another_producer_registered(
    api, owner, harvested, foreign_partner, stall
):
    ship(owner, harvested, kg(10), moment(0.5), to=foreign_partner)
    ship(owner, harvested, kg(10), moment(0.5), to=stall)

    scope = api.ok(SCOPE, {"id": gid("BatchNode", harvested.pk)})["recallScope"]

    phones = {reach["party"]["name"]: reach["party"]["phone"] for reach in scope["reached"]}
    assert phones == {"Thương lái Sáu (của HTX khác)": None, "Sạp rau chị Lan": "+84987654321"}


def test_an_inspector_reads_any_scope(client, rf, inspector, harvested, owner, stall):
    ship(owner, harvested, kg(10), moment(0.5), to=stall)
    scope = api_for(client, rf, inspector).ok(SCOPE, {"id": gid("BatchNode", harvested.pk)})
    assert len(scope["recallScope"]["reached"]) == 1


MALFORMED_IDS = [
    "",
    " ",
    "not base64 at all!!",
    b64("BatchNode:"),
    b64("BatchNode:abc"),
    b64("BatchNode:-1"),
    b64("BatchNode:0"),
    b64("BatchNode:1.5"),
    b64("BatchNode:99999999999999999999999999"),
    b64("BatchNode:" + "9" * 5000),
    b64("batchnode:1"),
    b64("ProducerNode:1"),
    b64(":1"),
    str(uuid.uuid4()),
    "00000000-0000-0000-0000-000000000000",
    "A" * 200_000,
    "🙂" * 1000,
    "%00",
]


@pytest.mark.parametrize("batch_id", MALFORMED_IDS, ids=range(len(MALFORMED_IDS)))
def test_malformed_or_huge_batch_ids_are_not_found(api, harvested, batch_id):
    body = api(SCOPE, {"id": batch_id})
    assert body["data"]["recallScope"] is None
    assert code_of(body) == "not_found"
    assert body["errors"][0]["extensions"]["field"] == "batchId"


def test_a_plot_id_of_the_same_number_is_not_a_batch(api, harvested, plot):
    body = api(SCOPE, {"id": gid("PlotNode", harvested.pk)})
    assert code_of(body) == "not_found"


def test_a_nul_in_the_batch_id_is_refused_before_graphql(api, harvested):
    body = api(SCOPE, {"id": "QmF0Y2hOb2RlOjE\x00"})
    assert body.get("data") is None
    assert code_of(body) == "control_character"


def test_a_wide_selection_is_refused_past_the_limit(api, harvested):
    fields = " ".join(f"a{n}: recallScope(batchId: $id) {{ hiddenReaches }}" for n in range(151))
    body = api(f"query($id: ID!) {{ {fields} }}", {"id": gid("BatchNode", harvested.pk)})
    assert body.get("data") is None
    assert code_of(body) == "query_too_wide"


def test_many_aliased_scopes_stay_within_the_request_deadline(
    api, owner, harvested, stall, settings
):
    ship(owner, harvested, kg(10), moment(0.5), to=stall)
    fragments = " ".join(
        "... on Query { "
        + " ".join(f"f{k}a{n}: recallScope(batchId: $id) {{ hiddenReaches }}" for n in range(140))
        + " }"
        for k in range(3)
    )
    started = time.monotonic()
    body = api(f"query($id: ID!) {{ {fragments} }}", {"id": gid("BatchNode", harvested.pk)})
    elapsed = time.monotonic() - started
    assert elapsed < settings.GRAPHQL_DEADLINE_SECONDS + 5
    if "errors" in body:
        assert {e["extensions"]["code"] for e in body["errors"]} <= {
            "request_too_long",
            "too_many_tokens",
            "query_too_costly",
            "query_too_long",
        }


def test_a_deep_selection_is_refused(api, harvested):
    # recallScope's own types are shallow; pad the depth through the batch's node.
    deep = (
        "query($id: ID!) { node(id: $id) { ... on BatchNode { producer { "
        + ("cooperative { " * 12)
        + "name"
        + " }" * 12
        + " } } } }"
    )
    body = api(deep, {"id": gid("BatchNode", harvested.pk)})
    assert body.get("data") is None
    assert code_of(body) == "query_too_deep"


# ============================================================ 2. handOverPlot


def hand_over_input(plot, code: str, note: str = "") -> dict:
    return {"input": {"plotId": gid("PlotNode", plot.pk), "toRegistrationCode": code, "note": note}}


def test_a_stranger_cannot_hand_over_anothers_plot(stranger, stranger_api, plot):
    code = producer_of(stranger).registration_code
    payload = stranger_api(HAND_OVER, hand_over_input(plot, code))["data"]["handOverPlot"]
    assert payload["errors"] == [{"field": "plotId", "code": "not_found"}]
    assert payload["plot"] is None
    assert not PlotHandover.objects.exists()


def test_a_member_role_cannot_hand_over_land(client, rf, coop, plot, other):
    worker = member(UserFactory(), coop, Membership.Role.MEMBER)
    answer = api_for(client, rf, worker)(
        HAND_OVER, hand_over_input(plot, other[0].registration_code)
    )
    assert answer["data"]["handOverPlot"]["errors"][0]["code"] == "permission_denied"
    assert not PlotHandover.objects.exists()


def test_anonymous_cannot_hand_over_land(anonymous_api, plot, other):
    answer = anonymous_api(HAND_OVER, hand_over_input(plot, other[0].registration_code))
    assert answer["data"]["handOverPlot"]["errors"][0]["code"] == "sign_in_required"
    assert not PlotHandover.objects.exists()


def test_handing_land_to_itself_is_refused(api, coop, plot):
    payload = api(HAND_OVER, hand_over_input(plot, coop.registration_code))["data"]["handOverPlot"]
    assert [e["code"] for e in payload["errors"]] == ["same_producer"]
    assert not PlotHandover.objects.exists()


def test_handing_land_to_itself_names_the_input_field(api, coop, plot):
    payload = api(HAND_OVER, hand_over_input(plot, coop.registration_code))["data"]["handOverPlot"]
    assert payload["errors"] == [{"field": "toRegistrationCode", "code": "same_producer"}]


BAD_CODES = [
    "",
    "   ",
    "\t\n",
    "x" * 100_000,
    "0108' OR '1'='1",
    "%",
    "_",
    "*",
    "０１０８",  # full-width digits
    "🙂",
]


@pytest.mark.parametrize("code", BAD_CODES, ids=range(len(BAD_CODES)))
def test_unknown_empty_or_huge_codes_are_not_found(api, plot, code, other):
    payload = api(HAND_OVER, hand_over_input(plot, code))["data"]["handOverPlot"]
    assert payload["errors"] == [{"field": "toRegistrationCode", "code": "not_found"}]
    assert payload["plot"] is None
    assert not PlotHandover.objects.exists()


def test_a_code_with_spaces_around_it_is_read(api, plot, other):
    payload = api.ok(HAND_OVER, hand_over_input(plot, f"  {other[0].registration_code}\t"))
    assert payload["handOverPlot"]["plot"]["handedOverTo"] == other[0].name


def test_a_nul_in_the_code_is_refused_before_graphql(api, plot, other):
    body = api(HAND_OVER, hand_over_input(plot, other[0].registration_code + "\x00"))
    assert code_of(body) == "control_character"
    assert not PlotHandover.objects.exists()


def test_a_note_too_long_or_with_control_characters_is_refused(api, plot, other):
    code = other[0].registration_code
    long = api(HAND_OVER, hand_over_input(plot, code, "x" * 2001))["data"]["handOverPlot"]
    control = api(HAND_OVER, hand_over_input(plot, code, "hợp đồng\x1b[2J"))["data"]["handOverPlot"]
    assert long["errors"] == [{"field": "note", "code": "max_length"}]
    assert control["errors"] == [{"field": "note", "code": "control_character"}]
    assert not PlotHandover.objects.exists()


def test_handing_over_twice_to_different_producers_is_refused(api, plot, other, third):
    api.ok(HAND_OVER, hand_over_input(plot, other[0].registration_code))
    again = api(HAND_OVER, hand_over_input(plot, third[0].registration_code))["data"]
    assert again["handOverPlot"]["errors"] == [{"field": "plotId", "code": "plot_handed_over"}]
    assert PlotHandover.objects.get().to_producer == other[0]


def test_the_same_handover_sent_twice_is_recorded_once(api, plot, other):
    first = api.ok(HAND_OVER, hand_over_input(plot, other[0].registration_code, "Hết hạn thuê"))
    second = api.ok(HAND_OVER, hand_over_input(plot, other[0].registration_code, "gửi lại"))
    assert first == second
    handover = PlotHandover.objects.get()
    assert handover.note == "Hết hạn thuê"


def test_the_same_handover_through_sync_twice_is_recorded_once(api, plot, other):
    """Offline: the queued operation is retried (the connection dropped)."""
    sync = """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
      errors { code } results { errors { field code } plot { handedOverTo } } } }"""
    operation = {"handOverPlot": hand_over_input(plot, other[0].registration_code)["input"]}
    first = api.ok(sync, {"ops": [operation, operation]})["sync"]
    again = api.ok(sync, {"ops": [operation]})["sync"]
    for result in [*first["results"], *again["results"]]:
        assert result == {"errors": [], "plot": {"handedOverTo": other[0].name}}
    assert PlotHandover.objects.count() == 1


def test_a_third_producer_cannot_register_land_handed_to_another(
    api, client, rf, plot, other, third
):
    api.ok(HAND_OVER, hand_over_input(plot, other[0].registration_code))
    as_third = api_for(client, rf, third[1])
    given = {
        "producerId": gid("ProducerNode", third[0].pk),
        "name": "Ruộng chiếm",
        "geometry": geojson(plot.geometry),
    }
    payload = as_third(SAVE_PLOT, {"input": given})["data"]["savePlot"]
    assert payload["errors"] == [{"field": "geometry", "code": "land_of_another_producer"}]
    # The new holder may register it.
    as_new = api_for(client, rf, other[1])
    given["producerId"], given["name"] = gid("ProducerNode", other[0].pk), "Ruộng thuê"
    assert as_new.ok(SAVE_PLOT, {"input": given})["savePlot"]["plot"]["id"]


def test_land_handed_on_a_second_time_can_be_registered(owner, plot, other, third):
    b, b_owner = other
    c, c_owner = third
    hand_over_plot(owner, plot, b)
    rented = save_plot(b_owner, b, name="Ruộng thuê", geometry=plot.geometry)
    hand_over_plot(b_owner, rented, c)

    again = save_plot(c_owner, c, name="Ruộng thuê lại", geometry=plot.geometry)

    assert again.pk


def test_land_handed_back_to_its_first_holder_can_be_farmed_again(owner, coop, plot, other):
    b, b_owner = other
    hand_over_plot(owner, plot, b)
    rented = save_plot(b_owner, b, name="Ruộng thuê", geometry=plot.geometry)
    hand_over_plot(b_owner, rented, coop)

    back = save_plot(owner, coop, name="Ruộng nhận lại", geometry=plot.geometry)

    assert back.pk


@pytest.mark.parametrize("harvested_now", [True, False], ids=["harvest", "growing"])
def test_a_handed_over_plot_takes_no_new_batch(api, coop, plot, product, other, harvested_now):
    api.ok(HAND_OVER, hand_over_input(plot, other[0].registration_code))
    given = {
        "producerId": gid("ProducerNode", coop.pk),
        "productId": gid("ProductNode", product.pk),
        "plotIds": [gid("PlotNode", plot.pk)],
    }
    if harvested_now:
        given.update(harvestedAt=moment(0.5).isoformat(), quantity="10")
    payload = api(CREATE_BATCH, {"input": given})["data"]["createBatch"]
    assert payload["errors"] == [{"field": "plotIds", "code": "plot_handed_over"}]
    assert payload["batch"] is None
    assert not Batch.objects.exists()


def test_the_new_holder_cannot_open_a_batch_on_the_old_plot(api, client, rf, plot, product, other):
    api.ok(HAND_OVER, hand_over_input(plot, other[0].registration_code))
    given = {
        "producerId": gid("ProducerNode", other[0].pk),
        "productId": gid("ProductNode", product.pk),
        "plotIds": [gid("PlotNode", plot.pk)],
    }
    payload = api_for(client, rf, other[1])(CREATE_BATCH, {"input": given})["data"]["createBatch"]
    assert payload["errors"] == [{"field": "plotIds", "code": "not_found"}]
    assert not Batch.objects.exists()


def test_the_old_holder_cannot_move_a_handed_over_plot(api, coop, plot, other):
    api.ok(HAND_OVER, hand_over_input(plot, other[0].registration_code))
    elsewhere = factories.square(105.70, 21.05, 50)
    given = {
        "id": gid("PlotNode", plot.pk),
        "producerId": gid("ProducerNode", coop.pk),
        "name": plot.name,
        "geometry": geojson(elsewhere),
    }
    payload = api(SAVE_PLOT, {"input": given})["data"]["savePlot"]
    plot.refresh_from_db()
    assert payload["errors"] and payload["errors"][0]["code"] == "plot_handed_over"


# ============================================================ 3. recordEvent with partners


def event_input(batch, step: str, quantity, when, **extra) -> dict:
    given = {
        "batchId": gid("BatchNode", batch.pk),
        "step": step,
        "occurredAt": when.isoformat(),
        "quantity": None if quantity is None else str(quantity),
        **extra,
    }
    return {"input": {key: value for key, value in given.items() if value is not None}}


NEW_TRADER = {"name": "Thương lái Bảy", "kind": "TRADER", "district": "Đông Anh"}


def test_a_return_larger_than_shipped_to_that_party_is_refused(api, owner, harvested, stall):
    ship(owner, harvested, kg(30), moment(0.5), to=stall)
    before = snapshot(harvested)
    answer = api(
        RECORD, event_input(harvested, "RETURNED", 31, moment(0.25), partyId=str(stall.uuid))
    )
    payload = answer["data"]["recordEvent"]
    assert payload["errors"] == [{"field": "quantity", "code": "return_exceeds_shipped"}]
    assert snapshot(harvested) == before


def test_a_return_from_a_party_that_never_received_is_refused(api, owner, harvested, stall, coop):
    ship(owner, harvested, kg(30), moment(0.5), to=stall)
    elsewhere = register_party(owner, coop, name="Sạp khác", kind="retail_shop", district="Hà Đông")
    before = snapshot(harvested)
    payload = api(
        RECORD, event_input(harvested, "RETURNED", 5, moment(0.25), partyId=str(elsewhere.uuid))
    )["data"]["recordEvent"]
    assert payload["errors"] == [{"field": "quantity", "code": "return_exceeds_shipped"}]
    assert snapshot(harvested) == before


def test_a_return_from_a_new_party_is_refused_and_registers_nobody(api, owner, harvested, stall):
    ship(owner, harvested, kg(30), moment(0.5), to=stall)
    parties = Party.objects.count()
    payload = api(RECORD, event_input(harvested, "RETURNED", 5, moment(0.25), newParty=NEW_TRADER))[
        "data"
    ]["recordEvent"]
    assert payload["errors"] == [{"field": "quantity", "code": "return_exceeds_shipped"}]
    assert Party.objects.count() == parties


@pytest.mark.parametrize("quantity", [0, -5, None], ids=["zero", "negative", "missing"])
def test_a_return_of_nothing_is_refused(api, owner, harvested, stall, quantity):
    ship(owner, harvested, kg(30), moment(0.5), to=stall)
    before = snapshot(harvested)
    payload = api(
        RECORD, event_input(harvested, "RETURNED", quantity, moment(0.25), partyId=str(stall.uuid))
    )["data"]["recordEvent"]
    assert len(payload["errors"]) == 1 and payload["errors"][0]["field"] == "quantity"
    assert payload["errors"][0]["code"] in (
        "return_exceeds_shipped",
        "invalid_quantity",
        "min_value",
    )
    assert snapshot(harvested) == before


def test_returns_add_up_to_what_went_out_and_no_more(api, owner, harvested, stall):
    ship(owner, harvested, kg(30), moment(0.5), to=stall)
    first = api.ok(
        RECORD, event_input(harvested, "RETURNED", 20, moment(0.3), partyId=str(stall.uuid))
    )
    assert first["recordEvent"]["batch"]["remainingQuantity"] == "90.000"
    api.ok(RECORD, event_input(harvested, "RETURNED", 10, moment(0.2), partyId=str(stall.uuid)))
    before = snapshot(harvested)
    more = api(
        RECORD, event_input(harvested, "RETURNED", "0.001", moment(0.1), partyId=str(stall.uuid))
    )["data"]["recordEvent"]
    assert more["errors"] == [{"field": "quantity", "code": "return_exceeds_shipped"}]
    assert snapshot(harvested) == before and before[1] == Decimal("100.000")


def test_a_return_dated_before_the_shipping_is_refused(api, owner, harvested, stall):
    ship(owner, harvested, kg(30), moment(0.2), to=stall)  # shipped 0.2 days ago
    before = snapshot(harvested)
    payload = api(
        RECORD,
        event_input(
            harvested,
            "RETURNED",
            10,
            moment(0.6),  # before it
            partyId=str(stall.uuid),
        ),
    )["data"]["recordEvent"]
    assert payload["errors"] and payload["event"] is None
    assert snapshot(harvested) == before


@pytest.mark.parametrize("step", ["SHIPPING", "RETURNED"])
def test_a_shipping_or_return_without_a_party_is_refused(api, harvested, step):
    before = snapshot(harvested)
    payload = api(RECORD, event_input(harvested, step, 5, moment(0.5)))["data"]["recordEvent"]
    assert payload["errors"] == [{"field": "partyId", "code": "recipient_required"}]
    assert snapshot(harvested) == before


@pytest.mark.parametrize("step", ["SHIPPING", "RETURNED"])
def test_an_unknown_party_uuid_is_not_found(api, harvested, step):
    before = snapshot(harvested)
    payload = api(RECORD, event_input(harvested, step, 5, moment(0.5), partyId=str(uuid.uuid4())))[
        "data"
    ]["recordEvent"]
    assert payload["errors"] == [{"field": "partyId", "code": "not_found"}]
    assert snapshot(harvested) == before


def test_a_malformed_party_uuid_is_a_graphql_error(api, harvested):
    body = api(RECORD, event_input(harvested, "SHIPPING", 5, moment(0.5), partyId="' OR 1=1"))
    assert body.get("data") is None and body["errors"]


def test_a_partner_another_producer_registered_is_not_found(api, harvested, foreign_partner):
    before = snapshot(harvested)
    answer = api(
        RECORD,
        event_input(harvested, "SHIPPING", 5, moment(0.5), partyId=str(foreign_partner.uuid)),
    )
    assert answer["data"]["recordEvent"]["errors"] == [{"field": "partyId", "code": "not_found"}]
    assert "912999888" not in json.dumps(answer)
    assert snapshot(harvested) == before


def test_a_shipping_larger_than_the_lot_is_refused_and_registers_nobody(api, harvested):
    parties = Party.objects.count()
    payload = api(
        RECORD, event_input(harvested, "SHIPPING", "100.001", moment(0.5), newParty=NEW_TRADER)
    )["data"]["recordEvent"]
    assert payload["errors"] == [{"field": "quantity", "code": "quantity_exceeds_stock"}]
    assert Party.objects.count() == parties


BAD_NAMES = [
    ("x" * 201, "max_length"),
    ("Thương lái " * 10_000, "max_length"),
    ("   ", "required"),
    ("", "required"),
    ("Tư\x1b[31m", "control_character"),
    ("Tư\x07", "control_character"),
    ("Tư\nBảy", "control_character"),
    ("Tư\x7f", "control_character"),
]


@pytest.mark.parametrize("name,code", BAD_NAMES, ids=range(len(BAD_NAMES)))
def test_a_new_partys_bad_name_is_refused(api, harvested, name, code):
    before, parties = snapshot(harvested), Party.objects.count()
    party = {**NEW_TRADER, "name": name}
    payload = api(RECORD, event_input(harvested, "SHIPPING", 5, moment(0.5), newParty=party))[
        "data"
    ]["recordEvent"]
    assert [e["code"] for e in payload["errors"]] == [code]
    assert snapshot(harvested) == before and Party.objects.count() == parties


@pytest.mark.parametrize("name", ["Tư\x9b31m", "Tư\x85Bảy"], ids=["csi", "nel"])
def test_a_new_partys_name_with_c1_controls_is_refused(api, harvested, name):
    payload = api(
        RECORD,
        event_input(harvested, "SHIPPING", 5, moment(0.5), newParty={**NEW_TRADER, "name": name}),
    )
    assert [e["code"] for e in payload["data"]["recordEvent"]["errors"]] == ["control_character"]


GOOD_PHONES = [
    ("0987 111 222", "+84987111222"),
    ("0987.111.222", "+84987111222"),
    ("+84 987 111 222", "+84987111222"),
    ("(024) 3826 1234", "+842438261234"),
    ("  0987111222  ", "+84987111222"),
]


@pytest.mark.parametrize("phone,stored", GOOD_PHONES, ids=range(len(GOOD_PHONES)))
def test_a_new_partys_phone_is_kept_in_e164(api, harvested, phone, stored):
    payload = api.ok(
        RECORD,
        event_input(harvested, "SHIPPING", 5, moment(0.5), newParty={**NEW_TRADER, "phone": phone}),
    )
    assert payload["recordEvent"]["event"]["party"]["phone"] == stored


BAD_PHONES = ["abc", "0987", "1900 1234", "call 0987111222", "0987111222 ext 3", "+84+84987"]


@pytest.mark.parametrize("phone", BAD_PHONES)
def test_a_new_partys_bad_phone_is_refused(api, harvested, phone):
    before, parties = snapshot(harvested), Party.objects.count()
    payload = api(
        RECORD,
        event_input(harvested, "SHIPPING", 5, moment(0.5), newParty={**NEW_TRADER, "phone": phone}),
    )
    errors = payload["data"]["recordEvent"]["errors"]
    assert len(errors) == 1 and errors[0]["field"] == "phone"
    assert snapshot(harvested) == before and Party.objects.count() == parties


def test_a_new_partys_bad_phone_has_its_own_code(api, harvested):
    payload = api(
        RECORD,
        event_input(harvested, "SHIPPING", 5, moment(0.5), newParty={**NEW_TRADER, "phone": "abc"}),
    )
    assert payload["data"]["recordEvent"]["errors"] == [{"field": "phone", "code": "invalid_phone"}]


def test_a_huge_phone_is_refused(api, harvested):
    parties = Party.objects.count()
    payload = api(
        RECORD,
        event_input(
            harvested, "SHIPPING", 5, moment(0.5), newParty={**NEW_TRADER, "phone": "0" * 100_000}
        ),
    )
    errors = payload["data"]["recordEvent"]["errors"]
    assert len(errors) == 1 and errors[0]["field"] == "phone"
    assert Party.objects.count() == parties


def test_a_bad_tax_code_is_refused(api, harvested):
    payload = api(
        RECORD,
        event_input(
            harvested, "SHIPPING", 5, moment(0.5), newParty={**NEW_TRADER, "taxCode": "12345"}
        ),
    )
    assert payload["data"]["recordEvent"]["errors"] == [
        {"field": "taxCode", "code": "invalid_tax_code"}
    ]


def test_a_new_party_may_not_take_another_producers_party_uuid(api, harvested, foreign_partner):
    party = {**NEW_TRADER, "clientId": str(foreign_partner.uuid)}
    payload = api(RECORD, event_input(harvested, "SHIPPING", 5, moment(0.5), newParty=party))
    assert payload["data"]["recordEvent"]["errors"] == [{"field": "clientId", "code": "uuid_taken"}]
    foreign_partner.refresh_from_db()
    assert foreign_partner.name == "Thương lái Sáu (của HTX khác)"


def test_a_stranger_cannot_ship_anothers_lot_to_its_own_party(stranger_api, harvested):
    before = snapshot(harvested)
    payload = stranger_api(
        RECORD, event_input(harvested, "SHIPPING", 5, moment(0.5), newParty=NEW_TRADER)
    )["data"]["recordEvent"]
    assert payload["errors"] == [{"field": "batchId", "code": "not_found"}]
    assert snapshot(harvested) == before


def test_a_shipping_sent_twice_with_one_client_id_is_recorded_once(api, harvested):
    given = event_input(
        harvested,
        "SHIPPING",
        5,
        moment(0.5),
        clientId=str(uuid.uuid4()),
        newParty={**NEW_TRADER, "clientId": str(uuid.uuid4())},
    )
    first = api.ok(RECORD, given)
    second = api.ok(RECORD, given)
    assert first["recordEvent"]["event"] == second["recordEvent"]["event"]
    assert second["recordEvent"]["batch"]["remainingQuantity"] == "95.000"
    assert Party.objects.filter(name="Thương lái Bảy").count() == 1


# ============================================================ 4. the admin pages


BATCH_ACTIONS = ["recall", "release", "withdraw"]


@pytest.mark.parametrize("action", BATCH_ACTIONS)
def test_another_producers_staff_get_404_on_batch_actions(client, other, harvested, action):
    _producer, outsider = other
    client.force_login(staff(outsider))
    before = snapshot(harvested)
    url = f"/admin/traceability/batch/{harvested.pk}/{action}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Thu hồi giả"}).status_code == 404
    assert snapshot(harvested) == before


def test_another_producers_staff_get_404_on_hand_over(client, other, plot):
    _producer, outsider = other
    client.force_login(staff(outsider))
    url = f"/admin/farms/plot/{plot.pk}/hand-over/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"to_registration_code": other[0].registration_code}).status_code == 404
    assert not PlotHandover.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/traceability/batch/99999999999999999999999/recall/",
        "/admin/traceability/batch/0/release/",
        "/admin/farms/plot/99999999999999999999999/hand-over/",
    ],
)
def test_unknown_or_huge_pks_are_404(client, owner, url):
    client.force_login(staff(owner))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["batch/{batch}/recall/", "batch/{batch}/withdraw/", "recallnotice/"]
)
def test_users_who_are_not_staff_are_sent_to_the_login(client, owner, harvested, url):
    client.force_login(owner)  # a member, not staff
    response = client.get("/admin/traceability/" + url.format(batch=harvested.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_member_role_staff_cannot_recall_from_the_admin(client, coop, harvested):
    worker = staff(member(UserFactory(), coop, Membership.Role.MEMBER))
    client.force_login(worker)
    before = snapshot(harvested)
    url = f"/admin/traceability/batch/{harvested.pk}/recall/"
    page = client.get(url)
    assert page.status_code == 200 and 'id="recall-scope"' not in page.content.decode()
    refused = client.post(url, {"reason": "Thu hồi"})
    assert refused.status_code == 200
    assert snapshot(harvested) == before


def test_another_producers_staff_do_not_see_recall_notices(client, owner, harvested, other):
    owner.email = "chu.htx@example.vn"
    owner.save()
    recall_batch(owner, harvested, "Dư lượng vượt ngưỡng cho phép")
    assert RecallNotice.objects.exists()
    client.force_login(staff(other[1]))
    listing = client.get("/admin/traceability/recallnotice/")
    assert listing.status_code == 200
    assert harvested.code not in listing.content.decode()
    notice = RecallNotice.objects.first()
    detail = client.get(f"/admin/traceability/recallnotice/{notice.pk}/change/")
    assert detail.status_code in (302, 404)


def test_a_member_role_staff_do_not_see_recall_notices(client, coop, owner, harvested):
    owner.email = "chu.htx@example.vn"
    owner.save()
    recall_batch(owner, harvested, "Dư lượng vượt ngưỡng cho phép")
    worker = staff(member(UserFactory(), coop, Membership.Role.MEMBER))
    client.force_login(worker)
    listing = client.get("/admin/traceability/recallnotice/")
    assert listing.status_code == 200
    assert harvested.code not in listing.content.decode()


def test_an_inspector_sees_the_scope_but_cannot_hand_over_land(
    client, inspector, harvested, plot, other, owner, stall
):
    ship(owner, harvested, kg(10), moment(0.5), to=stall)
    inspector.is_staff = True
    inspector.save()
    client.force_login(inspector)
    page = client.get(f"/admin/traceability/batch/{harvested.pk}/recall/")
    assert page.status_code == 200 and 'id="recall-scope"' in page.content.decode()
    url = f"/admin/farms/plot/{plot.pk}/hand-over/"
    refused = client.post(url, {"to_registration_code": other[0].registration_code})
    assert refused.status_code == 200
    assert not PlotHandover.objects.exists()


def test_an_inspector_withdraws_a_recall_only_with_a_reason(client, inspector, owner, harvested):
    recall_batch(owner, harvested, "Dư lượng vượt ngưỡng cho phép")
    inspector.is_staff = True
    inspector.save()
    client.force_login(inspector)
    url = f"/admin/traceability/batch/{harvested.pk}/withdraw/"
    before = snapshot(harvested)
    assert client.post(url, {"reason": "   "}).status_code == 200
    assert snapshot(harvested) == before


def test_the_admin_hand_over_refuses_giving_land_to_itself(client, owner, coop, plot):
    client.force_login(staff(owner))
    url = f"/admin/farms/plot/{plot.pk}/hand-over/"
    page = client.post(url, {"to_registration_code": coop.registration_code})
    assert page.status_code == 200
    assert not PlotHandover.objects.exists()


def test_the_admin_recall_page_hides_phones_of_partners_others_registered(
    client, owner, harvested, foreign_partner
):
    ship(owner, harvested, kg(10), moment(0.5), to=foreign_partner)
    client.force_login(staff(owner))
    page = client.get(f"/admin/traceability/batch/{harvested.pk}/recall/").content.decode()
    assert "Thương lái Sáu" in page  # named: the producer shipped to it
    assert "+84912999888" not in page


def test_a_member_farm_reads_no_phone_of_its_cooperatives_partner_in_the_admin(
    client, member_farm, product, stall, rf
):
    farm, farmer = member_farm
    lot = harvested_lot(farmer, farm, PlotFactory(producer=farm), product, quantity=30)
    client.force_login(staff(farmer))
    done = client.post(
        f"/admin/traceability/batch/{lot.pk}/event/",
        {
            "business_step": "shipping",
            "occurred_at": moment(0.5).strftime("%Y-%m-%d %H:%M"),
            "quantity": "5",
            "party": stall.pk,
        },
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    scope = api_for(client, rf, farmer).ok(SCOPE, {"id": gid("BatchNode", lot.pk)})
    assert scope["recallScope"]["reached"][0]["party"]["phone"] is None  # the API hides it
    page = client.get(f"/admin/traceability/batch/{lot.pk}/recall/").content.decode()
    assert "Sạp rau chị Lan" in page
    assert "+84987654321" not in page


# ============================================================ 5. certificates on offers


@pytest.fixture
def vietgap(coop, plot, product):
    certificate = CertificationFactory(producer=coop, products=[product], max_volume_kg=1000)
    certificate.plots.add(plot)
    return certificate


def offer_of(owner, coop, product, *lots):
    from marketplace.services.offers import LotShare, create_offer
    from tests.marketplace.conftest import offer_terms

    return create_offer(
        owner,
        producer=coop,
        product=product,
        shares=[LotShare(lot, kg(5)) for lot in lots],
        **offer_terms(),
    )


def offers_by_uuid(api) -> dict:
    edges = api.ok(OFFERS)["offers"]["edges"]
    return {edge["node"]["uuid"]: edge["node"] for edge in edges}


def market_card(client, offer) -> str:
    """The offer's card on the public /market/ list."""
    page = client.get("/market/").content.decode()
    link = page.index(str(offer.uuid))
    return page[page.rindex('<div class="card">', 0, link) : page.index("</div>", link)]


def test_a_mixed_offer_shows_no_certification(client, api, owner, coop, plot, product, vietgap):
    certified = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=20)
    uncovered = harvested_lot(owner, coop, PlotFactory(producer=coop), product, quantity=20)
    assert certified.certification == vietgap and uncovered.certification is None
    mixed = offer_of(owner, coop, product, certified, uncovered)
    pure = offer_of(owner, coop, product, harvested_lot(owner, coop, plot, product, days_ago=2))

    found = offers_by_uuid(api)

    assert found[str(mixed.uuid)]["certification"] is None
    assert found[str(pure.uuid)]["certification"] == "VietGAP"
    lots = {lot["code"]: lot["certification"] for lot in found[str(mixed.uuid)]["lots"]}
    assert lots == {certified.code: "VietGAP", uncovered.code: None}
    detail = client.get(f"/market/offers/{mixed.uuid}/")
    assert detail.status_code == 200


def test_a_mixed_offer_is_not_found_by_the_standard(api, owner, coop, plot, product, vietgap):
    certified = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=20)
    uncovered = harvested_lot(owner, coop, PlotFactory(producer=coop), product, quantity=20)
    mixed = offer_of(owner, coop, product, certified, uncovered)
    query = """query { offers(first: 50, certification: VIETGAP) { edges { node { uuid } } } }"""
    found = {edge["node"]["uuid"] for edge in api.ok(query)["offers"]["edges"]}
    assert str(mixed.uuid) not in found


def test_the_market_card_of_a_mixed_offer_claims_no_standard(
    client, owner, coop, plot, product, vietgap
):
    certified = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=20)
    uncovered = harvested_lot(owner, coop, PlotFactory(producer=coop), product, quantity=20)
    mixed = offer_of(owner, coop, product, certified, uncovered)
    response = client.get("/market/")
    assert response.status_code == 200
    assert str(mixed.uuid) in response.content.decode()
    assert "VietGAP" not in market_card(client, mixed)


def test_an_offer_mixing_two_standards_claims_neither(api, owner, coop, plot, product, vietgap):
    from farms.models import Certification

    field = PlotFactory(producer=coop)
    globalgap = CertificationFactory(
        producer=coop, scheme=Certification.Scheme.GLOBALGAP, products=[product]
    )
    globalgap.plots.add(field)
    one = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=20)
    two = harvested_lot(owner, coop, field, product, days_ago=2, quantity=20)
    assert one.certification == vietgap and two.certification == globalgap
    offer = offer_of(owner, coop, product, one, two)
    assert offers_by_uuid(api)[str(offer.uuid)]["certification"] is None


def test_an_offer_with_a_lot_under_a_suspended_certificate_claims_nothing(
    client, api, owner, coop, plot, product, vietgap
):
    from farms.models import Certification

    field = PlotFactory(producer=coop)
    second = CertificationFactory(producer=coop, products=[product], max_volume_kg=1000)
    second.plots.add(field)
    one = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=20)
    two = harvested_lot(owner, coop, field, product, days_ago=2, quantity=20)
    assert (one.certification, two.certification) == (vietgap, second)
    offer = offer_of(owner, coop, product, one, two)
    second.status, second.status_note = Certification.Status.SUSPENDED, "Đánh giá giám sát"
    second.save()

    assert offers_by_uuid(api)[str(offer.uuid)]["certification"] is None
    assert "VietGAP" not in market_card(client, offer)
