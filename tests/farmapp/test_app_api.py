"""What the farmers' app found missing in the API: selling, proposals and label sheets
queued offline and sent through `sync` apply once; the seller's own offers; the sticker
sheets in the farmer's language."""

import uuid

import pytest
from graphql_relay import to_global_id

from knowledge.models import Proposal
from marketplace.models import Offer
from marketplace.services.offers import update_offer
from tests.factories import ProducerFactory, kg
from tests.farmapp.conftest import new_offer
from tests.marketplace.conftest import place

SYNC = """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
  errors { code } results { index errors { field code message } } } }"""


def send(api, *operations) -> list[list[dict]]:
    body = api.ok(SYNC, {"ops": list(operations)})
    return [result["errors"] for result in body["sync"]["results"]]


@pytest.mark.django_db
def test_an_order_confirmed_offline_and_sent_twice_is_confirmed_once(api, chef, buyer, offer):
    order = place(chef, buyer, offer)
    confirm = {
        "changeOrderStatus": {
            "clientId": str(uuid.uuid4()),
            "orderId": to_global_id("OrderNode", order.pk),
            "status": "CONFIRMED",
        }
    }
    assert send(api, confirm, confirm) == [[], []]
    assert order.changes.filter(to_status="confirmed").count() == 1
    offer.refresh_from_db()
    assert offer.quantity_available == kg(30)  # 10 kg reserved once, not twice

    # Another change from another phone (a new key) is judged on the order as it is now.
    again = {"changeOrderStatus": {**confirm["changeOrderStatus"], "clientId": str(uuid.uuid4())}}
    assert [e["code"] for e in send(api, again)[0]] == ["illegal_transition"]


@pytest.mark.django_db
def test_an_offer_made_offline_and_sent_twice_is_made_once(api, coop, product, harvested):
    create = new_offer(coop, product, harvested, uuid.uuid4())
    assert send(api, create, create) == [[], []]
    assert Offer.objects.get().quantity_available == kg(30)


@pytest.mark.django_db
def test_a_question_written_offline_and_sent_twice_is_asked_once(api):
    question = {
        "proposeArticle": {
            "clientId": str(uuid.uuid4()),
            "kind": "QUESTION",
            "category": "PESTS",
            "title": "Lá rau muống bị thủng lỗ",
            "body": "Lá rau muống nhà tôi bị thủng nhiều lỗ nhỏ, phun gì?",
        }
    }
    assert send(api, question, question) == [[], []]
    assert Proposal.objects.get().kind == "question"


MY_OFFERS = """{ myOffers(first: 20) { edges { node { status quantityAvailable
  product { name } lots { code } } } } }"""


@pytest.mark.django_db
def test_my_offers_include_paused_ones_and_cost_the_same_for_many(
    api, owner, coop, product, harvested, offer, django_assert_max_num_queries
):
    update_offer(owner, offer, status="paused")
    with django_assert_max_num_queries(12):
        edges = api.ok(MY_OFFERS)["myOffers"]["edges"]
    assert [edge["node"]["status"] for edge in edges] == ["PAUSED"]


@pytest.mark.django_db
def test_sticker_sheets_are_named_in_the_farmers_language(api):
    layouts = api.ok("{ labelLayouts { layout name perPage } }")["labelLayouts"]
    assert {"layout": "A4_3X8", "name": "A4, 24 tem 70 × 37 mm", "perPage": 24} in layouts


@pytest.mark.django_db
def test_a_recall_queued_offline_and_sent_twice_is_recalled_once(api, harvested):
    recall = {
        "recallBatch": {
            "clientId": str(uuid.uuid4()),
            "batchId": str(harvested.uuid),
            "reason": "Dư lượng thuốc vượt ngưỡng. Xin không sử dụng.",
        }
    }
    assert send(api, recall, recall) == [[], []]
    assert harvested.events.filter(business_step="recalling").count() == 1
    # A recall that is not this one is still refused: the lot is recalled already.
    other = {"recallBatch": {**recall["recallBatch"], "clientId": str(uuid.uuid4())}}
    assert [e["code"] for e in send(api, other)[0]] == ["already_recalled"]


@pytest.mark.django_db
def test_a_cooperative_manager_switches_to_its_member_farms_and_no_other(api, coop, owner):
    member_farm = ProducerFactory(cooperative=coop, kind="household", name="Hộ Lê Thị Mai")
    ProducerFactory(kind="household", name="Hộ của hợp tác xã khác")
    roles = api.ok("{ myProducers { role producer { name } through { name } } }")["myProducers"]
    assert roles == [
        {"role": "owner", "producer": {"name": coop.name}, "through": None},
        {
            "role": "cooperative",
            "producer": {"name": member_farm.name},
            "through": {"name": coop.name},
        },
    ]
