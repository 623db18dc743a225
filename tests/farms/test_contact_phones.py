"""Every contact phone is a real number, stored in one form, whichever way it arrives:
the service, the app's API, the admin."""

import pytest
from django.core.exceptions import ValidationError
from graphql_relay import to_global_id

from farms.models import Producer
from farms.services import register_producer, update_producer

FARM = {"kind": "household", "name": "Hộ ông Tư", "commune": "Vân Nội", "district": "Đông Anh"}
INJECTION = "'; DROP TABLE x;--"


def test_the_service_refuses_a_contact_phone_that_is_not_a_number(owner, coop):
    with pytest.raises(ValidationError) as refused:
        update_producer(owner, coop, contact_phone=INJECTION)
    assert refused.value.error_dict["contact_phone"][0].code == "invalid_phone"
    coop.refresh_from_db()
    assert coop.contact_phone == "0912345678"
    farm = register_producer(owner, **FARM, contact_phone="0987 654 321")
    assert Producer.objects.get(pk=farm.pk).contact_phone == "+84987654321"


REGISTER = """mutation($input: RegisterProducerInput!) {
  registerProducer(input: $input) { errors { field code } producer { id contactPhone } } }"""
UPDATE = """mutation($input: UpdateProducerInput!) {
  updateProducer(input: $input) { errors { field code } producer { contactPhone } } }"""


def test_the_app_gets_invalid_phone_as_a_typed_error(api, coop):
    refused = api(REGISTER, {"input": {**FARM, "contactPhone": INJECTION}})["data"]
    assert refused["registerProducer"] == {
        "errors": [{"field": "contactPhone", "code": "invalid_phone"}],
        "producer": None,
    }
    farm_id = to_global_id("ProducerNode", coop.pk)
    changed = api(UPDATE, {"input": {"id": farm_id, "contactPhone": "1900 1234"}})["data"]
    assert changed["updateProducer"]["errors"] == [
        {"field": "contactPhone", "code": "invalid_phone"}
    ]
    saved = api.ok(UPDATE, {"input": {"id": farm_id, "contactPhone": "024 3826 1234"}})
    assert saved["updateProducer"]["producer"]["contactPhone"] == "+842438261234"


def test_the_admin_shows_an_invalid_phone_on_the_form(admin_client, coop):
    url = f"/admin/farms/producer/{coop.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    refused = admin_client.post(url, {**data, "contact_phone": INJECTION})
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors.as_data()["contact_phone"]
    assert [error.code for error in errors] == ["invalid_phone"]
    assert admin_client.post(url, {**data, "contact_phone": "0912 000 111"}).status_code == 302
    coop.refresh_from_db()
    assert coop.contact_phone == "+84912000111"


def test_a_number_stored_before_the_check_does_not_block_other_saves(coop):
    Producer.objects.filter(pk=coop.pk).update(contact_phone=INJECTION)
    coop.refresh_from_db()
    coop.description = "Rau an toàn"
    coop.save()  # the phone is checked when it is edited, not on every save
    assert Producer.objects.filter(contact_phone=INJECTION).get().description == "Rau an toàn"
