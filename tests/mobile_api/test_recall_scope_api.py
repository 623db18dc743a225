"""The recall workbench through the app: read what a recall would reach, then recall."""

from graphql_relay import to_global_id

from farms.models import Membership
from tests.factories import UserFactory, kg, member, moment, ship
from tests.mobile_api.conftest import Api, token_for
from traceability.services.transformations import split_batch

SCOPE = """query($id: ID!) { recallScope(batchId: $id) {
  lots { code relation relationLabel remainingQuantity unit onHold }
  reached { party { name kind phone } lot shipped returned stillOut unit }
  hiddenReaches } }"""


def test_the_scope_names_lots_and_partners_in_the_users_language(api, owner, harvested):
    halves = split_batch(owner, harvested, [kg(40), kg(60)], occurred_at=moment(0.5))
    ship(owner, halves[1], kg(25), moment(0.4))

    scope = api.ok(SCOPE, {"id": to_global_id("BatchNode", halves[0].pk)})["recallScope"]

    relations = {lot["code"]: (lot["relation"], lot["relationLabel"]) for lot in scope["lots"]}
    assert relations[halves[0].code] == ("THIS", "Lô này")
    assert relations[harvested.code] == ("ITS_SOURCE", "Nguồn làm ra lô này")
    assert relations[halves[1].code][0] == "SIBLING"
    (reach,) = scope["reached"]
    assert (reach["lot"], reach["shipped"], reach["stillOut"]) == (
        halves[1].code,
        "25.000",
        "25.000",
    )
    assert reach["party"]["phone"] is None  # the trader was registered without one
    english = api.ok(
        SCOPE, {"id": to_global_id("BatchNode", halves[0].pk)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english["recallScope"]["lots"][0]["relationLabel"] == "This lot"


def test_only_who_may_recall_reads_the_scope(client, rf, coop, harvested, stranger_api):
    worker = member(UserFactory(), coop, Membership.Role.MEMBER)
    variables = {"id": to_global_id("BatchNode", harvested.pk)}

    as_worker = Api(client, token_for(worker, rf))(SCOPE, variables)
    as_stranger = stranger_api(SCOPE, variables)

    assert as_worker["data"]["recallScope"] is None
    assert as_worker["errors"][0]["extensions"]["code"] == "permission_denied"
    assert as_stranger["errors"][0]["extensions"]["code"] == "not_found"
