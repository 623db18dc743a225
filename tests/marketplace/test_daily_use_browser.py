"""Daily use in a real browser (Playwright driving Debian's Chromium): Vietnamese numbers
typed into the admin and the market, order buttons that ask before ending an order, the
cart's removal, the label-sheet flow and a split's result."""

import re

import pytest
from django.utils import timezone

from farms.permissions import EXTENSION_STAFF_GROUP
from farms.roles import COOPERATIVE_STAFF_GROUP
from marketplace.models import CartItem, MarketPrice, Order
from tests import factories
from tests.factories import staff_member
from tests.marketplace.test_orders import place
from traceability.models import Batch, LabelSheet

PASSWORD = "a-browser-passphrase-2026"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "locale": "vi-VN"}


def signed_in(browser, live_server, user, *, admin: bool = False, **context):
    user.set_password(PASSWORD)
    user.save()
    page = browser.new_context(**{"locale": "vi-VN", **context}).new_page()
    page.goto(f"{live_server.url}/{'admin/login' if admin else 'accounts/login'}/")
    page.fill("#id_username", user.phone)
    page.fill("#id_password", PASSWORD)
    page.click("form input[type=submit], form button.act")
    page.wait_for_load_state()
    return page


@pytest.mark.django_db(transaction=True)
def test_a_price_typed_twelve_thousand_is_saved_as_twelve_thousand(live_server, browser, product):
    surveyor = staff_member(factories.UserFactory(), EXTENSION_STAFF_GROUP)
    page = signed_in(browser, live_server, surveyor, admin=True)
    page.goto(f"{live_server.url}/admin/marketplace/marketprice/add/")
    page.select_option("#id_product", str(product.pk))
    page.select_option("#id_unit", "kg")
    page.fill("#id_district", "Đông Anh")
    page.fill("#id_price_per_unit", "12.000")
    page.fill("#id_observed_on", timezone.localdate().strftime("%d/%m/%Y"))
    page.click("input[name=_save]")

    assert MarketPrice.objects.get().price_per_unit == 12000
    assert "12.000\u00a0₫" in page.inner_text("#result_list")


@pytest.mark.django_db(transaction=True)
def test_a_buyer_on_a_phone_orders_one_and_a_half_kilos_and_removal_asks(
    live_server, browser, chef, buyer, offer
):
    page = signed_in(browser, live_server, chef, **PHONE)
    assert page.url.endswith("/market/")  # a buyer lands on the market
    page.goto(f"{live_server.url}/market/offers/{offer.uuid}/")
    assert page.inner_text("form.card .unit") == "kg"
    page.fill("#id_quantity", "1,5")
    page.click("form.card button.act")
    assert CartItem.objects.get().quantity == 1.5
    assert page.input_value("input[name=quantity]") == "1,5"
    assert buyer.delivery_address in page.inner_text("main")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button.danger")
    assert asked and "khỏi giỏ hàng?" in asked[0]
    assert CartItem.objects.count() == 1  # dismissed: nothing removed
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button.danger")
    page.wait_for_load_state()
    assert not CartItem.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.django_db(transaction=True)
def test_the_seller_is_asked_before_rejecting_and_confirms_with_a_verb(
    live_server, browser, owner, chef, buyer, offer
):
    order = place(chef, buyer, offer)
    page = signed_in(browser, live_server, owner, **PHONE)
    page.goto(f"{live_server.url}/market/orders/{order.code}/")
    reject = page.get_by_role("button", name="Từ chối")
    confirm = page.get_by_role("button", name="Xác nhận đơn")
    assert reject.get_attribute("class") == "danger" and confirm.get_attribute("class") == "act"

    page.once("dialog", lambda dialog: dialog.dismiss())
    reject.click()
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    confirm.click()
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED


@pytest.mark.django_db(transaction=True)
def test_a_clerk_orders_labels_and_splits_a_lot_and_follows_the_links(
    live_server, browser, owner, harvested, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    clerk = staff_member(owner, COOPERATIVE_STAFF_GROUP)
    page = signed_in(browser, live_server, clerk)
    assert page.url.endswith("/admin/traceability/batch/")  # a clerk lands on the lots

    page.goto(f"{live_server.url}/admin/traceability/batch/{harvested.pk}/labels/")
    page.fill("#id_count", "6")
    page.click("input[type=submit]")
    page.click(".messagelist a")  # "Open the label sheet"
    sheet = LabelSheet.objects.get()
    assert page.url.endswith(f"/admin/traceability/labelsheet/{sheet.pk}/change/")
    assert "A4, 24 tem 70 × 37 mm" in page.inner_text("main")

    page.goto(f"{live_server.url}/admin/traceability/batch/{harvested.pk}/split/")
    page.fill("#id_quantities", "12,5; 7,5")
    page.click("input[type=submit]")
    message = page.inner_text(".messagelist")
    children = list(Batch.objects.filter(parent_links__parent=harvested).order_by("pk"))
    assert all(child.code in message for child in children)
    assert re.search(r"12,5 kg.*7,5 kg", message)
    page.click(f".messagelist a:has-text('{children[1].code}')")
    page.wait_for_url(f"**/admin/traceability/batch/{children[1].pk}/change/")
    assert harvested.code in page.inner_text("#content")  # made from: the way back
