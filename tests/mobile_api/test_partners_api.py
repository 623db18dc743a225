"""Trading partners through the app: a shipping names a new partner in the same call."""

from graphql_relay import to_global_id

from tests.factories import moment

RECORD = """mutation($input: RecordEventInput!) { recordEvent(input: $input) {
  errors { field code } event { party { name kind phone } } batch { remainingQuantity } } }"""


def test_the_app_ships_to_a_new_partner_and_sees_its_phone(api, harvested):
    shipping = {
        "batchId": to_global_id("BatchNode", harvested.pk),
        "step": "SHIPPING",
        "occurredAt": moment(0.5).isoformat(),
        "quantity": "25",
        "newParty": {
            "name": "Thương lái Bảy",
            "kind": "TRADER",
            "district": "Đông Anh",
            "phone": "0987 111 222",
        },
    }
    done = api.ok(RECORD, {"input": shipping})["recordEvent"]
    assert done["event"]["party"] == {
        "name": "Thương lái Bảy",
        "kind": "TRADER",
        "phone": "+84987111222",
    }
    assert done["batch"]["remainingQuantity"] == "75.000"
