"""Hostile tests of issue 16: the farmers' app (/app/) and the API changes made for it.

Attacked through the real endpoints with Django's test client: POST /graphql with bearer
tokens (``sync`` with createOffer, changeOrderStatus, proposeArticle and recallBatch and
their client UUIDs; myOffers; nextSteps; the sign_in_required code) and the app's own
views (/app/, its manifest, service worker and catalogues). Each case states the safe
answer: a typed refusal or "not found", nothing applied twice, nothing of another person
replayed or shown, never a 500.

170 cases (parametrized cases counted individually). The sweep found 8 defects (23 of
the cases), all fixed: a buyer resending the seller's change id was told it was done; a
change or recall id reused on another order or lot answered conflict, not uuid_taken; a
recall under the id of another step of the lot was reported done but not applied; the
same offer sent from four threads at once refused its copies; control characters were
kept in a question's title and body and in an offer's description; an offer naming
5,000 lots held a worker 14 s, one lookup a lot, before being refused.
"""

import json
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from graphql_relay import to_global_id

from farms.models import Membership
from knowledge.models import Proposal
from marketplace.models import Offer, Order, OrderStatusChange
from marketplace.services.offers import LotShare, create_offer, update_offer
from tests import factories
from tests.factories import harvested_lot, kg
from tests.farmapp.conftest import new_offer
from tests.marketplace.conftest import offer_terms, place
from tests.mobile_api.conftest import Api, token_for
from traceability.models import Batch, TraceEvent
from traceability.services.batches import recall_batch

# --------------------------------------------------------------------------- helpers

SYNC = """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
  errors { code }
  results { index operation clientId errors { field code }
    order { id status } offer { id uuid } batches { code status } proposalId status } } }"""

REASON = "Dư lượng thuốc vượt ngưỡng. Xin không sử dụng."


def gid(kind: str, pk) -> str:
    return to_global_id(kind, pk)


def api_for(client, rf, user) -> Api:
    return Api(client, token_for(user, rf))


def sync(api: Api, *operations) -> dict:
    """The ``sync`` payload of a request that GraphQL accepted."""
    body = api(SYNC, {"ops": list(operations)})
    assert "errors" not in body, body
    return body["data"]["sync"]


def results(api: Api, *operations) -> list[dict]:
    payload = sync(api, *operations)
    assert payload["errors"] == [], payload
    return payload["results"]


def codes(result: dict) -> list[str]:
    return [error["code"] for error in result["errors"]]


def refused_before_running(body: dict) -> bool:
    """GraphQL (or the view) refused the request as a whole: no mutation ran."""
    return bool(body.get("errors")) and not (body.get("data") or {}).get("sync")


def confirm(order, client_id, status="CONFIRMED", reason="") -> dict:
    return {
        "changeOrderStatus": {
            "clientId": str(client_id),
            "orderId": gid("OrderNode", order.pk),
            "status": status,
            "reason": reason,
        }
    }


def question(client_id, title="Lá rau muống bị thủng lỗ", body="Lá bị thủng nhiều lỗ, phun gì?"):
    return {
        "proposeArticle": {
            "clientId": str(client_id),
            "kind": "QUESTION",
            "category": "PESTS",
            "title": title,
            "body": body,
        }
    }


def recall(lot, client_id, reason=REASON) -> dict:
    return {"recallBatch": {"clientId": str(client_id), "batchId": str(lot.uuid), "reason": reason}}


def producer_of(user):
    return Membership.objects.filter(user=user).first().producer


@pytest.fixture
def order(chef, buyer, offer):
    """The chef's 10 kg of the owner's offer, placed, not yet confirmed."""
    return place(chef, buyer, offer)


@pytest.fixture
def chef_api(client, rf, chef):
    return api_for(client, rf, chef)


@pytest.fixture
def nobody_api(client):
    """No token at all."""
    return Api(client)


@pytest.fixture
def outsider(stranger):
    """A member of another producer."""
    return stranger


@pytest.fixture
def outsider_api(client, rf, outsider):
    return api_for(client, rf, outsider)


@pytest.fixture
def outsider_lot(outsider, product):
    producer = producer_of(outsider)
    plot = factories.PlotFactory(producer=producer)
    return harvested_lot(outsider, producer, plot, product, quantity=60)


@pytest.fixture
def outsider_order(outsider, outsider_lot, product, chef, buyer):
    """The same chef's order from the other producer."""
    theirs = create_offer(
        outsider,
        producer=producer_of(outsider),
        product=product,
        shares=[LotShare(outsider_lot, kg(20))],
        **offer_terms(),
    )
    return place(chef, buyer, theirs)


# --------------------------------------------------------------------------- 1. wrong roles


@pytest.mark.django_db
def test_a_stranger_resending_the_sellers_confirmation_finds_no_order(api, outsider_api, order):
    client_id = uuid.uuid4()
    assert [codes(r) for r in results(api, confirm(order, client_id))] == [[]]
    (answer,) = results(outsider_api, confirm(order, client_id))
    assert codes(answer) == ["not_found"]
    assert answer["order"] is None  # nothing of the order shown
    assert order.changes.filter(to_status="confirmed").count() == 1


@pytest.mark.django_db
def test_a_buyer_confirming_as_the_seller_through_sync_is_refused(chef_api, order):
    client_id = uuid.uuid4()
    (answer,) = results(chef_api, confirm(order, client_id))
    assert codes(answer) == ["permission_denied"]
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    assert not OrderStatusChange.objects.filter(uuid=client_id).exists()


@pytest.mark.parametrize("status", ["CONFIRMED", "CANCELLED"])
@pytest.mark.django_db
def test_a_buyer_resending_the_sellers_change_id_is_not_told_it_was_done(
    api, chef_api, order, status
):
    client_id = uuid.uuid4()
    results(api, confirm(order, client_id))  # the seller confirms
    (answer,) = results(chef_api, confirm(order, client_id, status, reason="Đổi ý"))
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert codes(answer) != []  # refused (uuid_taken or permission_denied), never "done"


@pytest.mark.django_db
def test_another_producer_resending_an_offers_id_for_our_producer_is_refused(
    api, outsider_api, coop, product, harvested
):
    client_id = uuid.uuid4()
    (mine,) = results(api, new_offer(coop, product, harvested, client_id))
    assert codes(mine) == []
    (answer,) = results(outsider_api, new_offer(coop, product, harvested, client_id))
    assert codes(answer) and set(codes(answer)) <= {"permission_denied", "not_found"}
    assert answer["offer"] is None
    assert Offer.objects.count() == 1


@pytest.mark.django_db
def test_another_producer_reusing_an_offers_id_for_its_own_lot_gets_uuid_taken(
    api, outsider_api, outsider, outsider_lot, coop, product, harvested
):
    client_id = uuid.uuid4()
    (mine,) = results(api, new_offer(coop, product, harvested, client_id))
    assert codes(mine) == []
    (answer,) = results(
        outsider_api, new_offer(producer_of(outsider), product, outsider_lot, client_id)
    )
    assert codes(answer) == ["uuid_taken"]
    assert answer["offer"] is None  # never the first producer's offer
    assert Offer.objects.get().producer == coop
    assert not Offer.objects.filter(shares__batch=outsider_lot).exists()


@pytest.mark.django_db
def test_another_person_reusing_a_questions_id_gets_uuid_taken(api, outsider_api, owner):
    client_id = uuid.uuid4()
    (mine,) = results(api, question(client_id))
    assert codes(mine) == []
    (answer,) = results(outsider_api, question(client_id, title="Câu hỏi của người khác"))
    assert codes(answer) == ["uuid_taken"]
    assert answer["proposalId"] is None and answer["status"] is None
    proposal = Proposal.objects.get()
    assert proposal.author == owner and proposal.title == "Lá rau muống bị thủng lỗ"


@pytest.mark.django_db
def test_a_stranger_resending_a_recall_of_our_lot_finds_no_lot(api, outsider_api, harvested):
    client_id = uuid.uuid4()
    results(api, recall(harvested, client_id))
    (answer,) = results(outsider_api, recall(harvested, client_id))
    assert codes(answer) == ["not_found"]
    assert answer["batches"] is None


@pytest.mark.django_db
def test_a_plain_member_resending_the_owners_recall_id_is_refused(client, rf, api, coop, harvested):
    client_id = uuid.uuid4()
    results(api, recall(harvested, client_id))
    worker = factories.member(factories.UserFactory(), coop, Membership.Role.MEMBER)
    (answer,) = results(api_for(client, rf, worker), recall(harvested, client_id))
    assert codes(answer) == ["permission_denied"]
    assert answer["batches"] is None


@pytest.mark.django_db
def test_a_stranger_recalling_an_active_lot_it_cannot_see_changes_nothing(outsider_api, harvested):
    (answer,) = results(outsider_api, recall(harvested, uuid.uuid4()))
    assert codes(answer) == ["not_found"]
    harvested.refresh_from_db()
    assert harvested.status == Batch.Status.ACTIVE


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic b3duZXI6cGFzcw==", "Bearer ", "bearer \x7f"],
)
@pytest.mark.django_db
def test_an_anonymous_sync_applies_nothing_and_says_sign_in(
    client, harvested, order, authorization
):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    body = client.post(
        "/graphql",
        json.dumps(
            {
                "query": SYNC,
                "variables": {
                    "ops": [
                        recall(harvested, uuid.uuid4()),
                        confirm(order, uuid.uuid4()),
                        question(uuid.uuid4()),
                    ]
                },
            }
        ),
        content_type="application/json",
        **headers,
    ).json()
    payload = body["data"]["sync"]
    assert [e["code"] for e in payload["errors"]] == ["sign_in_required"]
    assert payload["results"] == []
    harvested.refresh_from_db()
    order.refresh_from_db()
    assert harvested.status == Batch.Status.ACTIVE and order.status == Order.Status.PLACED
    assert not Proposal.objects.exists()


ANONYMOUS_QUERIES = [
    "{ myOffers(first: 5) { edges { node { id } } } }",
    "{ thisMonth { id } }",
    "{ myBatches(first: 5) { edges { node { nextSteps } } } }",
    "{ myOrders(first: 5) { edges { node { reviewText } } } }",
]


@pytest.mark.parametrize("query", ANONYMOUS_QUERIES)
@pytest.mark.django_db
def test_anonymous_reads_are_asked_to_sign_in(nobody_api, offer, query):
    body = nobody_api(query)
    assert body["errors"][0]["extensions"]["code"] == "sign_in_required"
    assert not any((body.get("data") or {}).values()), body


# ------------------------------------------------------ 2. one client id, another object


@pytest.mark.parametrize("whose", ["ours", "theirs"])
@pytest.mark.django_db
def test_a_change_id_reused_on_another_order_is_uuid_taken(
    client, rf, api, outsider, chef, buyer, offer, order, whose, request
):
    client_id = uuid.uuid4()
    results(api, confirm(order, client_id))
    if whose == "ours":
        other, sender = place(chef, buyer, offer), api
    else:
        other = request.getfixturevalue("outsider_order")
        sender = api_for(client, rf, outsider)
    (answer,) = results(sender, confirm(other, client_id))
    other.refresh_from_db()
    assert other.status == Order.Status.PLACED  # never applied under another's key
    assert answer["order"] is None or answer["order"]["id"] != gid("OrderNode", order.pk)
    assert codes(answer) == ["uuid_taken"]
    assert OrderStatusChange.objects.get(uuid=client_id).order_id == order.pk


@pytest.mark.django_db
def test_a_change_id_resent_with_another_status_does_not_move_the_order(api, order):
    client_id = uuid.uuid4()
    results(api, confirm(order, client_id))
    results(api, confirm(order, client_id, "REJECTED", reason="Hết hàng"))
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert order.changes.exclude(to_status="placed").count() == 1


@pytest.mark.django_db
def test_an_offer_id_resent_with_another_lot_makes_no_second_offer(
    api, owner, coop, product, plot, harvested
):
    client_id = uuid.uuid4()
    (first,) = results(api, new_offer(coop, product, harvested, client_id))
    second_lot = harvested_lot(owner, coop, plot, product, quantity=20)
    (again,) = results(api, new_offer(coop, product, second_lot, client_id, quantity="20"))
    assert Offer.objects.count() == 1
    assert again["offer"] is None or again["offer"]["id"] == first["offer"]["id"]
    assert not Offer.objects.filter(shares__batch=second_lot).exists()


@pytest.mark.django_db
def test_a_recall_id_reused_on_another_lot_is_uuid_taken(api, owner, coop, plot, product):
    first, second = (harvested_lot(owner, coop, plot, product) for _ in range(2))
    client_id = uuid.uuid4()
    results(api, recall(first, client_id))
    (answer,) = results(api, recall(second, client_id))
    second.refresh_from_db()
    assert second.status == Batch.Status.ACTIVE
    assert codes(answer) == ["uuid_taken"]


@pytest.mark.django_db
def test_a_recall_id_reused_by_another_producer_never_recalls_or_shows_our_lot(
    api, outsider_api, harvested, outsider_lot
):
    client_id = uuid.uuid4()
    results(api, recall(harvested, client_id))
    (answer,) = results(outsider_api, recall(outsider_lot, client_id))
    assert codes(answer) != [] and "internal_error" not in codes(answer)
    assert answer["batches"] is None
    outsider_lot.refresh_from_db()
    assert outsider_lot.status == Batch.Status.ACTIVE


@pytest.mark.django_db
def test_a_recall_under_the_id_of_another_step_of_the_lot_is_not_reported_done(api, harvested):
    client_id = uuid.uuid4()
    packing = {
        "recordEvent": {
            "clientId": str(client_id),
            "batchId": str(harvested.uuid),
            "step": "PACKING",
            "occurredAt": factories.moment(0.5).isoformat(),
        }
    }
    assert [codes(r) for r in results(api, packing)] == [[]]
    assert TraceEvent.objects.filter(uuid=client_id, batch=harvested).exists()
    (answer,) = results(api, recall(harvested, client_id))
    harvested.refresh_from_db()
    assert codes(answer) != [] or harvested.status == Batch.Status.RECALLED


# --------------------------------------------------------------------------- 3. malformed


BAD_UUIDS = [
    "not-a-uuid",
    "",
    "1234",
    "00000000-0000-0000-0000-00000000000g",
    "' OR 1=1 --",
    "12345678-1234-1234-1234-1234567890123",
    42,
    True,
    ["b4b0f1b4-6b5e-4a53-9a43-7f4f3a3b9d11"],
    {"uuid": "b4b0f1b4-6b5e-4a53-9a43-7f4f3a3b9d11"},
]


@pytest.mark.parametrize("bad", BAD_UUIDS, ids=range(len(BAD_UUIDS)))
@pytest.mark.django_db
def test_a_malformed_client_id_is_refused_before_anything_applies(api, order, harvested, bad):
    ops = [confirm(order, uuid.uuid4()), recall(harvested, uuid.uuid4())]
    ops[1]["recallBatch"]["clientId"] = bad
    body = api(SYNC, {"ops": ops})
    assert refused_before_running(body), body
    order.refresh_from_db()
    harvested.refresh_from_db()
    assert order.status == Order.Status.PLACED and harvested.status == Batch.Status.ACTIVE


SPELLINGS = {
    "upper": lambda u: str(u).upper(),
    "braces": lambda u: "{" + str(u) + "}",
    "urn": lambda u: f"urn:uuid:{u}",
    "hex": lambda u: u.hex,
}


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.django_db
def test_another_spelling_of_the_same_client_id_applies_once(api, offer, order, spelling):
    client_id = uuid.uuid4()
    first = confirm(order, client_id)
    again = confirm(order, client_id)
    again["changeOrderStatus"]["clientId"] = SPELLINGS[spelling](client_id)
    assert [codes(r) for r in results(api, first, again)] == [[], []]
    assert order.changes.filter(to_status="confirmed").count() == 1
    offer.refresh_from_db()
    assert offer.quantity_available == kg(30)


HUGE = "Ă" * 200_001


HUGE_CASES = {
    "order reason": lambda ctx: (confirm(ctx["order"], uuid.uuid4(), "REJECTED", HUGE), "reason"),
    "recall reason": lambda ctx: (recall(ctx["harvested"], uuid.uuid4(), HUGE), "reason"),
    "question title": lambda ctx: (question(uuid.uuid4(), title=HUGE), "title"),
    "question body": lambda ctx: (question(uuid.uuid4(), body=HUGE), "body"),
    "offer description": lambda ctx: (
        new_offer(ctx["coop"], ctx["product"], ctx["lot"], uuid.uuid4(), description=HUGE),
        "description",
    ),
}


@pytest.mark.parametrize("case", HUGE_CASES)
@pytest.mark.django_db
def test_a_huge_string_is_refused_on_its_field(
    api, owner, coop, product, plot, order, harvested, case
):
    lot = harvested_lot(owner, coop, plot, product, quantity=10)
    context = {"order": order, "harvested": harvested, "coop": coop, "product": product}
    operation, field = HUGE_CASES[case]({**context, "lot": lot})
    (answer,) = results(api, operation)
    assert answer["errors"] and all(e["field"] == field for e in answer["errors"]), answer
    assert "internal_error" not in codes(answer)
    order.refresh_from_db()
    harvested.refresh_from_db()
    assert order.status == Order.Status.PLACED and harvested.status == Batch.Status.ACTIVE
    assert not Proposal.objects.exists() and Offer.objects.count() == 1


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_refused_whole(client, api, harvested):
    ops = [recall(harvested, uuid.uuid4(), reason="x" * 13 * 1024 * 1024)]
    response = client.post(
        "/graphql",
        json.dumps({"query": SYNC, "variables": {"ops": ops}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "request_too_large"
    harvested.refresh_from_db()
    assert harvested.status == Batch.Status.ACTIVE


CONTROLS = ["\x1b[2J", "\x07", "\x7f", "\x9b31m", "\x85"]


def _control_cases():
    for char in CONTROLS:
        name = repr(char).strip("'")
        yield pytest.param("reason", char, id=f"order-reason-{name}")
        yield pytest.param("recall", char, id=f"recall-reason-{name}")
        yield pytest.param("description", char, id=f"offer-description-{name}")
        yield pytest.param("title", char, id=f"question-title-{name}")
        yield pytest.param("body", char, id=f"question-body-{name}")


@pytest.mark.parametrize("where,char", list(_control_cases()))
@pytest.mark.django_db
def test_a_control_character_is_refused_with_its_code(
    api, owner, coop, product, plot, order, harvested, where, char
):
    text = f"Hàng {char}hỏng"
    if where == "reason":
        operation = confirm(order, uuid.uuid4(), "REJECTED", reason=text)
    elif where == "recall":
        operation = recall(harvested, uuid.uuid4(), reason=text)
    elif where == "description":
        lot = harvested_lot(owner, coop, plot, product, quantity=10)
        operation = new_offer(coop, product, lot, uuid.uuid4(), "5", description=text)
    elif where == "title":
        operation = question(uuid.uuid4(), title=text)
    else:
        operation = question(uuid.uuid4(), body=text)
    (answer,) = results(api, operation)
    assert "control_character" in codes(answer), answer
    order.refresh_from_db()
    harvested.refresh_from_db()
    assert order.status == Order.Status.PLACED and harvested.status == Batch.Status.ACTIVE
    assert not Proposal.objects.exists() and Offer.objects.count() == 1


NUL_CASES = ["clientId", "orderId", "reason", "status"]


@pytest.mark.parametrize("field", NUL_CASES)
@pytest.mark.django_db
def test_a_nul_byte_anywhere_is_refused_before_anything_applies(api, order, field):
    operation = confirm(order, uuid.uuid4(), reason="ok")
    operation["changeOrderStatus"][field] += "\x00"
    body = api(SYNC, {"ops": [operation]})
    assert body["errors"][0]["extensions"]["code"] == "control_character"
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


NOT_JSON = [
    b"not json",
    b'{"query": ',
    b"\xff\xfe\x00m",
    b"[]",
    b'"mutation { sync(operations: []) { errors { code } } }"',
    b"null",
    b'{"query": 7}',
    b'{"query": "mutation{sync(operations:[]){errors{code}}}", "variables": [1]}',
]


@pytest.mark.parametrize("body", NOT_JSON, ids=range(len(NOT_JSON)))
@pytest.mark.django_db
def test_a_body_that_is_not_a_graphql_request_is_a_typed_400(client, api, body):
    response = client.post(
        "/graphql",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] in ("invalid_request", "query_required")


WRONG_TYPES = {
    "ops is a string": lambda o: "changeOrderStatus",
    "status lower case": lambda o: [confirm(o, uuid.uuid4(), "confirmed")],
    "status a number": lambda o: [confirm(o, uuid.uuid4(), 1)],
    "status unknown": lambda o: [confirm(o, uuid.uuid4(), "PAID")],
    "reason a list": lambda o: [
        {"changeOrderStatus": {**confirm(o, uuid.uuid4())["changeOrderStatus"], "reason": ["x"]}}
    ],
    "order id missing": lambda o: [
        {"changeOrderStatus": {"clientId": str(uuid.uuid4()), "status": "CONFIRMED"}}
    ],
    "unknown operation": lambda o: [{"payOrder": {"orderId": gid("OrderNode", o.pk)}}],
    "null item": lambda o: [None],
    "operation is a list": lambda o: [{"changeOrderStatus": [confirm(o, uuid.uuid4())]}],
}


@pytest.mark.parametrize("case", WRONG_TYPES)
@pytest.mark.django_db
def test_wrong_types_are_refused_before_anything_applies(api, order, case):
    body = api(SYNC, {"ops": WRONG_TYPES[case](order)})
    assert refused_before_running(body), body
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


WRONG_IDS = [12, "12", "T3JkZXJOb2RlOjE=", gid("BatchNode", 1), gid("OrderNode", "x' OR 1=1"), ""]


@pytest.mark.parametrize("order_id", WRONG_IDS, ids=range(len(WRONG_IDS)))
@pytest.mark.django_db
def test_an_order_id_of_the_wrong_kind_is_not_found(api, order, order_id):
    operation = confirm(order, uuid.uuid4())
    operation["changeOrderStatus"]["orderId"] = order_id
    (answer,) = results(api, operation)
    assert codes(answer) == ["not_found"]
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


@pytest.mark.parametrize("price", ["20000", 2**31, -1, 0, 1.5])
@pytest.mark.django_db
def test_a_price_of_the_wrong_type_or_range_makes_no_offer(api, coop, product, harvested, price):
    operation = new_offer(coop, product, harvested, uuid.uuid4())
    operation["createOffer"]["pricePerUnit"] = price
    body = api(SYNC, {"ops": [operation]})
    if not refused_before_running(body):
        (answer,) = body["data"]["sync"]["results"]
        assert answer["errors"] and "internal_error" not in codes(answer), answer
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_201_operations_are_refused_whole(api, harvested):
    ops = [recall(harvested, uuid.uuid4()) for _ in range(201)]
    payload = sync(api, *ops)
    assert [e["code"] for e in payload["errors"]] == ["too_many_operations"]
    assert payload["results"] == []
    harvested.refresh_from_db()
    assert harvested.status == Batch.Status.ACTIVE


@pytest.mark.django_db
def test_an_offer_naming_5000_lots_is_refused_before_any_is_looked_up(
    api, coop, product, harvested, django_assert_max_num_queries
):
    op = new_offer(coop, product, harvested, uuid.uuid4())
    op["createOffer"]["lots"] = [{"batchId": str(harvested.uuid), "quantity": "1"}] * 5000
    with django_assert_max_num_queries(20):  # it took 14 s, one lookup a lot, before
        (answer,) = results(api, op)
    assert codes(answer) == ["too_many_lots"]
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_200_copies_of_one_recall_recall_once(api, harvested):
    ops = [recall(harvested, uuid.UUID(int=7))] * 200
    answers = results(api, *ops)
    assert [codes(a) for a in answers] == [[]] * 200
    assert [a["index"] for a in answers] == list(range(200))
    assert harvested.events.filter(business_step="recalling").count() == 1


@pytest.mark.django_db
def test_an_operation_with_two_fields_set_applies_neither(api, order, harvested):
    both = {**confirm(order, uuid.uuid4()), **recall(harvested, uuid.uuid4())}
    (answer,) = results(api, both)
    assert codes(answer) == ["one_operation"]
    order.refresh_from_db()
    harvested.refresh_from_db()
    assert order.status == Order.Status.PLACED and harvested.status == Batch.Status.ACTIVE


@pytest.mark.parametrize("empty", [{}, {"changeOrderStatus": None, "recallBatch": None}])
@pytest.mark.django_db
def test_an_operation_with_no_field_set_is_refused(api, empty):
    (answer,) = results(api, empty)
    assert codes(answer) == ["one_operation"]


@pytest.mark.django_db
def test_one_bad_item_does_not_stop_the_others(api, order, harvested):
    answers = results(
        api,
        confirm(order, uuid.uuid4(), "DELIVERED"),
        recall(harvested, uuid.uuid4()),
    )
    assert codes(answers[0]) == ["illegal_transition"] and codes(answers[1]) == []
    harvested.refresh_from_db()
    assert harvested.status == Batch.Status.RECALLED


# --------------------------------------------------------------------------- 4. concurrency


def at_once(count: int, act) -> list:
    barrier, outcomes = threading.Barrier(count), [None] * count

    def run(index: int):
        try:
            barrier.wait()
            outcomes[index] = act(index)
        except Exception as error:  # reported by the test's assertions
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def posted(token: str, operations: list) -> dict:
    response = Client().post(
        "/graphql",
        json.dumps({"query": SYNC, "variables": {"ops": operations}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.json()["data"]["sync"]["results"][0]


@pytest.mark.django_db(transaction=True)
def test_one_confirmation_sent_from_two_threads_at_once_is_recorded_once(
    rf, owner, chef, buyer, offer
):
    order = place(chef, buyer, offer)
    token, client_id = token_for(owner, rf), uuid.uuid4()
    answers = at_once(2, lambda _i: posted(token, [confirm(order, client_id)]))
    assert [codes(a) for a in answers] == [[], []], answers
    assert [a["order"]["status"] for a in answers] == ["CONFIRMED", "CONFIRMED"]
    assert OrderStatusChange.objects.filter(order=order, to_status="confirmed").count() == 1
    assert OrderStatusChange.objects.get(uuid=client_id).order_id == order.pk
    offer.refresh_from_db()
    assert offer.quantity_available == kg(30)


def offer_from_four_threads(rf, owner, coop, product, plot) -> tuple[list, uuid.UUID]:
    lot = harvested_lot(owner, coop, plot, product, quantity=50)
    token, client_id = token_for(owner, rf), uuid.uuid4()
    answers = at_once(4, lambda _i: posted(token, [new_offer(coop, product, lot, client_id)]))
    return answers, client_id


@pytest.mark.django_db(transaction=True)
def test_one_offer_sent_from_four_threads_at_once_is_made_once(rf, owner, coop, product, plot):
    answers, client_id = offer_from_four_threads(rf, owner, coop, product, plot)
    made = Offer.objects.get()
    assert made.uuid == client_id and made.quantity_available == kg(30)
    assert all("internal_error" not in codes(a) for a in answers), answers


@pytest.mark.django_db(transaction=True)
def test_one_offer_sent_from_four_threads_at_once_answers_each_copy_with_it(
    rf, owner, coop, product, plot
):
    answers, client_id = offer_from_four_threads(rf, owner, coop, product, plot)
    assert [codes(a) for a in answers] == [[]] * 4, answers
    assert {a["offer"]["uuid"] for a in answers} == {str(client_id)}


@pytest.mark.django_db(transaction=True)
def test_one_recall_sent_from_three_threads_at_once_is_recorded_once(
    rf, owner, coop, plot, product
):
    lot = harvested_lot(owner, coop, plot, product)
    token, client_id = token_for(owner, rf), uuid.uuid4()
    answers = at_once(3, lambda _i: posted(token, [recall(lot, client_id)]))
    assert [codes(a) for a in answers] == [[]] * 3, answers
    assert TraceEvent.objects.filter(batch=lot, business_step="recalling").count() == 1
    assert TraceEvent.objects.get(uuid=client_id).batch_id == lot.pk


@pytest.mark.django_db(transaction=True)
def test_one_change_id_on_two_orders_at_once_moves_one_order(rf, owner, chef, buyer, offer):
    orders = [place(chef, buyer, offer), place(chef, buyer, offer)]
    token, client_id = token_for(owner, rf), uuid.uuid4()
    answers = at_once(2, lambda i: posted(token, [confirm(orders[i], client_id)]))
    assert sorted(len(a["errors"]) > 0 for a in answers) == [False, True], answers
    statuses = sorted(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status"))
    assert statuses == [("confirmed",), ("placed",)]
    assert OrderStatusChange.objects.filter(uuid=client_id).count() == 1


# --------------------------------------------------------------------------- 5. /app/ views

APP_URLS = ["/app/", "/app/manifest.webmanifest", "/app/sw.js", "/app/i18n/vi.json"]


@pytest.mark.parametrize("url", APP_URLS)
def test_head_answers_without_a_body(client, url):
    response = client.head(url)
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize("method", ["post", "options", "put", "delete"])
@pytest.mark.parametrize("url", APP_URLS)
def test_other_methods_are_not_allowed(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


TRAVERSALS = [
    "/app/i18n/../x.json",
    "/app/i18n/..%2Fx.json",
    "/app/i18n/..%2F..%2Fbackend%2Fsettings.json",
    "/app/i18n/%2e%2e.json",
    "/app/i18n/..json",
    "/app/i18n/..\\x.json",
    "/app/i18n/vi%00.json",
    "/app/i18n/vi.json%00",
    "/app/i18n/vi/../en.json",
    "/app/i18n/%76%69%2f%2e%2e.json",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_a_path_out_of_the_catalogues_is_not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"SECRET_KEY" not in response.content and b"catalog" not in response.content


@pytest.mark.parametrize("language", ["fr", "de", "VI", "vi-VN", "en-us", "xx", "zh-hans", " vi"])
def test_an_unknown_language_has_no_catalogue(client, language):
    assert client.get(f"/app/i18n/{language}.json").status_code == 404


QUERY_STRINGS = ["?v=1", "?scope=/", "?<script>alert(1)</script>", "?version=evil&files=x"]


@pytest.mark.parametrize("query", QUERY_STRINGS)
def test_a_query_string_on_the_service_worker_changes_nothing(client, query):
    plain, asked = client.get("/app/sw.js"), client.get(f"/app/sw.js{query}")
    assert asked.status_code == 200
    assert asked.content == plain.content
    assert asked["Service-Worker-Allowed"] == "/app/"
    assert asked["Content-Type"].startswith("text/javascript")


def test_the_shell_has_a_fresh_nonce_each_time_and_a_strict_policy(client):
    first, second = client.get("/app/"), client.get("/app/")
    policies = [r["Content-Security-Policy"] for r in (first, second)]
    nonces = [p.split("'nonce-")[1].split("'")[0] for p in policies]
    assert nonces[0] != nonces[1]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in policies[0]
    assert "unsafe-eval" not in policies[0]
    assert "*" not in policies[0].replace(";", " ").split()  # no source is "anywhere"
    assert first["X-Frame-Options"] == "DENY"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert "no-cache" in first["Cache-Control"]


def test_the_shell_reflects_no_query_string(client):
    page = client.get('/app/?x=<script>alert(1)</script>&lang="><img>').content.decode()
    assert "<script>alert(1)" not in page and '"><img>' not in page


@pytest.mark.parametrize("url", ["/app/", "/app/manifest.webmanifest", "/app/i18n/en.json"])
def test_only_the_service_worker_widens_its_scope(client, url):
    assert "Service-Worker-Allowed" not in client.get(url)


def test_the_service_worker_is_allowed_over_the_app_only(client):
    for response in (client.get("/app/sw.js"), client.head("/app/sw.js")):
        assert response["Service-Worker-Allowed"] == "/app/"
    manifest = client.get("/app/manifest.webmanifest").json()
    assert manifest["scope"] == "/app/" and manifest["start_url"] == "/app/"


# --------------------------------------------------------------------------- 6. myOffers

MY_OFFERS = "{ myOffers(first: 50) { edges { node { id uuid status } } } }"


@pytest.mark.django_db
def test_my_offers_of_a_stranger_and_a_buyer_show_none_of_ours(
    client, rf, owner, offer, outsider, chef
):
    update_offer(owner, offer, status="paused")
    for person in (outsider, chef):
        assert api_for(client, rf, person).ok(MY_OFFERS)["myOffers"]["edges"] == []
    # Nor by its id: a paused offer is the seller's alone.
    body = api_for(client, rf, outsider)(
        "query($id: ID!) { offer(id: $id) { id } node(id: $id) { id } }",
        {"id": gid("OfferNode", offer.pk)},
    )
    assert not any((body.get("data") or {}).values()), body


@pytest.mark.django_db
def test_my_offers_of_a_stranger_show_only_theirs(client, rf, offer, outsider, outsider_order):
    edges = api_for(client, rf, outsider).ok(MY_OFFERS)["myOffers"]["edges"]
    assert len(edges) == 1 and edges[0]["node"]["uuid"] != str(offer.uuid)


@pytest.mark.django_db
def test_my_offers_anonymous_is_asked_to_sign_in_and_sees_nothing(nobody_api, offer):
    body = nobody_api(MY_OFFERS)
    assert body["errors"][0]["extensions"]["code"] == "sign_in_required"
    assert (body.get("data") or {}).get("myOffers") is None


# --------------------------------------------------------------------------- 7. nextSteps

NEXT_STEPS = """query($id: ID!, $code: String!) {
  node(id: $id) { ... on BatchNode { nextSteps } }
  batchByCode(code: $code) { nextSteps }
  myBatches(first: 10, code: $code) { edges { node { nextSteps } } } }"""


@pytest.mark.django_db
def test_the_next_steps_of_a_lot_you_cannot_see_are_not_found(client, rf, harvested, outsider):
    variables = {"id": gid("BatchNode", harvested.pk), "code": harvested.code}
    body = api_for(client, rf, outsider)(NEXT_STEPS, variables)
    data = body.get("data") or {}
    assert data.get("node") is None and data.get("batchByCode") is None
    assert (data.get("myBatches") or {"edges": []})["edges"] == []
    assert "recall" not in json.dumps(body)


@pytest.mark.django_db
def test_the_next_steps_of_a_recalled_lot_offer_no_second_recall(api, owner, harvested):
    recall_batch(owner, harvested, REASON)
    variables = {"id": gid("BatchNode", harvested.pk), "code": harvested.code}
    steps = api.ok(NEXT_STEPS, variables)["batchByCode"]["nextSteps"]
    assert "recall" not in steps and "withdraw" in steps


@pytest.mark.django_db
def test_a_lot_code_with_hostile_text_is_simply_not_found(api, harvested):
    for code in ["%", "_", f"{harvested.code[:-1]}%", "' OR 1=1 --", "A" * 10_000]:
        body = api.ok(NEXT_STEPS, {"id": gid("BatchNode", 0), "code": code})
        assert body["batchByCode"] is None and body["node"] is None
        assert body["myBatches"]["edges"] == []  # wildcards are taken literally


# Sanity of the fixtures used above: the owner may do what strangers may not.
@pytest.mark.django_db
def test_the_owner_may_confirm_the_same_order(api, order, offer):
    (answer,) = results(api, confirm(order, uuid.uuid4()))
    assert codes(answer) == [] and answer["order"]["status"] == "CONFIRMED"
    offer.refresh_from_db()
    assert offer.quantity_available == Decimal(30)
