"""The buyers' web pages: browse, order, follow, review; nothing private leaks."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import Order
from marketplace.services.cart import checkout, set_cart_quantity
from tests.marketplace.conftest import more_offers

PASSWORD = "an-unguessable-passphrase"


@pytest.fixture
def chef_client(client, chef, buyer):
    client.force_login(chef)
    return client


def test_anyone_browses_offers_without_diacritics_and_sees_no_private_data(
    client, offer, coop, product
):
    page = client.get("/market/", {"q": "rau muong", "within_km": 30}).content.decode()
    assert product.name_vi in page and "20.000\u00a0₫" in page
    assert coop.contact_phone not in page and coop.street_address not in page
    detail = client.get(f"/market/offers/{offer.uuid}/").content.decode()
    lot_code = offer.batches.get().code
    assert f"/lot/{lot_code}" in detail
    assert coop.contact_phone not in detail


def test_a_buyer_orders_from_the_pages_and_the_seller_confirms(
    chef_client, client, offer, owner, chef
):
    added = chef_client.post(f"/market/offers/{offer.uuid}/", {"quantity": "3"})
    assert added.status_code == 302 and added.url == "/market/cart/"
    cart = chef_client.get("/market/cart/").content.decode()
    checkout_id = re.search(r'name="checkout_id" value="([0-9a-f-]+)"', cart).group(1)
    placed = chef_client.post(
        "/market/cart/", {"fulfilment": "delivery", "note": "", "checkout_id": checkout_id}
    )
    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.total == 60_000

    chef_client.post(f"/market/orders/{order.code}/status/", {"status": "confirmed"})
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED  # a buyer cannot confirm

    client.force_login(owner)
    page = client.get(f"/market/orders/{order.code}/").content.decode()
    assert "+84987654321" in page  # the seller sees the buyer's phone (E.164) to deliver
    client.post(f"/market/orders/{order.code}/status/", {"status": "confirmed"})
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    page = client.get(f"/market/orders/{order.code}/").content.decode()
    assert f"/lot/{offer.batches.get().code}" in page


def test_a_refused_step_shows_a_translated_message(chef_client, chef, buyer, offer):
    set_cart_quantity(chef, buyer, offer, Decimal(2))
    (order,) = checkout(chef, buyer, fulfilment="delivery")
    response = chef_client.post(
        f"/market/orders/{order.code}/status/", {"status": "delivered"}, follow=True
    )
    assert "không thể chuyển" in response.content.decode()


def test_other_people_cannot_open_an_order(client, stranger, chef, buyer, offer):
    set_cart_quantity(chef, buyer, offer, Decimal(2))
    (order,) = checkout(chef, buyer, fulfilment="delivery")
    client.force_login(stranger)
    assert client.get(f"/market/orders/{order.code}/").status_code == 404
    assert client.get("/market/orders/").content.decode().count(order.code) == 0


def test_registering_as_a_buyer(client, stranger):
    client.force_login(stranger)
    response = client.post(
        "/market/buyer/",
        {
            "kind": "school_kitchen",
            "name": "Bếp ăn Trường Tiểu học Kim Chung",
            "district": "Đông Anh",
            "delivery_address": "Thôn Bầu, Kim Chung",
            "latitude": "21.13",
            "longitude": "105.78",
        },
    )
    assert response.status_code == 302
    assert stranger.buyers.get().name == "Bếp ăn Trường Tiểu học Kim Chung"
    outside = client.post(
        "/market/buyer/",
        {
            "kind": "household",
            "name": "Nhà tôi",
            "district": "X",
            "delivery_address": "Y",
            "latitude": "48.85",
            "longitude": "2.35",
        },
    )
    assert outside.status_code == 200 and "Việt Nam" in outside.content.decode()


def test_the_offer_list_uses_a_constant_number_of_queries(
    chef_client, owner, coop, product, plot, offer, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        assert chef_client.get("/market/").status_code == 200
    more_offers(owner, coop, product, plot, 9)
    with django_assert_max_num_queries(len(few)):
        response = chef_client.get("/market/")
    assert len(response.context["page"].object_list) == 10
