"""Selling from the app: a buyer orders through the API; the farmer sees the order on
Today, confirms it in the app, then marks it ready and shipped; the stock and the lot's
journey follow."""

import pytest
from graphql_relay import to_global_id
from playwright.sync_api import expect

from marketplace.models import Offer, Order
from tests.factories import kg
from tests.farmapp.conftest import go, open_app
from tests.mobile_api.conftest import Api, token_for

ORDER = """mutation($cart: SetCartQuantityInput!, $checkout: CheckoutInput!) {
  setCartQuantity(input: $cart) { errors { code message } }
  checkout(input: $checkout) { orders { code } errors { code message } } }"""


def order_through_the_api(client, rf, chef, buyer, offer) -> str:
    buyer_id = to_global_id("BuyerNode", buyer.pk)
    cart = {"buyerId": buyer_id, "offerId": to_global_id("OfferNode", offer.pk), "quantity": "12"}
    data = Api(client, token_for(chef, rf)).ok(
        ORDER, {"cart": cart, "checkout": {"buyerId": buyer_id, "fulfilment": "DELIVERY"}}
    )
    return data["checkout"]["orders"][0]["code"]


def step(page, verb: str, flash: str):
    page.get_by_role("button", name=verb).click()
    expect(page.locator(".flash")).to_contain_text(flash)


@pytest.mark.django_db(transaction=True)
def test_a_farmer_confirms_and_ships_an_order_placed_through_the_api(
    live_server, phone, owner, chef, buyer, offer, client, rf
):
    code = order_through_the_api(client, rf, chef, buyer, offer)
    page = open_app(phone, live_server.url, owner)
    page.get_by_role("link", name=code).click()  # Today lists it under orders waiting
    page.get_by_role("heading", name=f"Đơn hàng {code}").wait_for()
    expect(page.get_by_text("12 kg × 20.000 ₫ = 240.000 ₫")).to_be_visible()
    step(page, "Xác nhận đơn", "Đã xác nhận")
    step(page, "Báo đã gửi hàng", "Đang giao")
    order = Order.objects.get(code=code)
    assert order.status == "shipped"
    offer.refresh_from_db()
    assert offer.quantity_available == kg(28)
    go(page, "#/sell", "Bán hàng")
    expect(page.locator("li", has_text=code)).to_contain_text("Đang giao")


@pytest.mark.django_db(transaction=True)
def test_a_farmer_puts_a_lot_on_sale_then_rejects_an_order_with_a_reason(
    live_server, phone, owner, chef, buyer, harvested, client, rf
):
    page = open_app(phone, live_server.url, owner)
    go(page, "#/sell/new", "Đăng bán một lô")
    page.get_by_label("Lô hàng").select_option(index=1)
    page.get_by_label("Số lượng bán").fill("40")
    page.get_by_label("Giá mỗi đơn vị (đồng)").fill("25.000")
    page.get_by_role("button", name="Đăng bán").click()
    expect(page.locator(".flash")).to_have_text("Đã đăng bán.")
    offer = Offer.objects.get(producer=harvested.producer)
    assert (offer.price_per_unit, offer.quantity_available) == (25_000, kg(40))
    expect(page.locator("main")).to_contain_text("25.000 ₫/kg")

    code = order_through_the_api(client, rf, chef, buyer, offer)
    go(page, "#/today", "Hôm nay")
    page.get_by_role("link", name=code).click()
    page.get_by_role("heading", name=f"Đơn hàng {code}").wait_for()
    page.get_by_role("button", name="Từ chối").click()
    expect(page.get_by_role("alert").filter(has_text="Hãy ghi lý do")).to_be_visible()
    page.get_by_label("Lý do (cần khi từ chối hoặc huỷ)").fill("Rau bị dập do mưa đá.")
    page.get_by_role("button", name="Từ chối").click()
    page.get_by_role("dialog").get_by_role("button", name="Từ chối").click()
    expect(page.locator(".flash")).to_contain_text("Đã từ chối")
    order = Order.objects.get(code=code)
    assert order.status == "rejected"
    assert order.changes.last().reason == "Rau bị dập do mưa đá."
