"""A buyer's contact phone is a real number, stored in one form: service, API and page."""

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from marketplace.models import Buyer
from marketplace.services.buyers import register_buyer, update_buyer

INJECTION = "'; DROP TABLE x;--"
KITCHEN = {
    "kind": "school_kitchen",
    "name": "Bếp ăn Trường Tiểu học Kim Chung",
    "district": "Đông Anh",
    "delivery_address": "Thôn Bầu, Kim Chung",
}


def test_the_service_refuses_and_normalises_contact_phones(chef, buyer):
    with pytest.raises(ValidationError) as refused:
        update_buyer(chef, buyer, contact_phone=INJECTION)
    assert refused.value.error_dict["contact_phone"][0].code == "invalid_phone"
    updated = update_buyer(chef, buyer, contact_phone="0243 826 1234")
    assert Buyer.objects.get(pk=updated.pk).contact_phone == "+842438261234"
    with pytest.raises(ValidationError):
        register_buyer(
            chef,
            **KITCHEN,
            delivery_location=Point(105.78, 21.13, srid=4326),
            contact_phone="1900 1234",
        )
    assert Buyer.objects.count() == 1


REGISTER = """mutation($input: BuyerFieldsInput!) {
  registerBuyer(input: $input) { buyer { name } errors { field code } } }"""


def test_the_app_gets_invalid_phone_as_a_typed_error(api):
    fields = {
        "kind": "HOTEL",
        "name": "Khách sạn Hồ Gươm",
        "district": "Hoàn Kiếm",
        "deliveryAddress": "12 Lê Thái Tổ",
        "deliveryLocation": {"type": "Point", "coordinates": [105.852, 21.029]},
    }
    refused = api(REGISTER, {"input": {**fields, "contactPhone": INJECTION}})["data"]
    assert refused["registerBuyer"] == {
        "buyer": None,
        "errors": [{"field": "contactPhone", "code": "invalid_phone"}],
    }
    api.ok(REGISTER, {"input": {**fields, "contactPhone": "0987 654 321"}})
    assert Buyer.objects.get().contact_phone == "+84987654321"


def test_the_buyer_page_shows_an_invalid_phone_on_the_form(client, stranger):
    client.force_login(stranger)
    form = {**KITCHEN, "latitude": "21.13", "longitude": "105.78"}
    refused = client.post("/market/buyer/", {**form, "contact_phone": INJECTION})
    assert refused.status_code == 200
    errors = refused.context["form"].errors.as_data()["contact_phone"]
    assert [error.code for error in errors] == ["invalid_phone"]
    assert not Buyer.objects.exists()
    saved = client.post("/market/buyer/", {**form, "contact_phone": "0912 345 678"})
    assert saved.status_code == 302
    assert stranger.buyers.get().contact_phone == "+84912345678"
