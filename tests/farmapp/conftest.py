"""The farmers' app on a phone: Debian's Chromium at 360 × 640, in Vietnamese, in Viet
Nam's time zone, allowed to read its position (tests move it)."""

import pytest
from graphql_relay import to_global_id

from tests.knowledge.conftest import editor  # noqa: F401 (fixture)
from tests.marketplace.conftest import buyer, chef, offer, offer_terms  # noqa: F401 (fixtures)
from tests.mobile_api.conftest import api  # noqa: F401 (fixture)

PASSWORD = "an-unguessable-passphrase"  # the user factory's


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 640},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        permissions=["geolocation"],
        geolocation={"latitude": 21.14, "longitude": 105.85, "accuracy": 5},
    )
    yield context
    context.close()


def open_app(context, base_url: str, user=None):
    """The app's page, signed in as ``user`` when one is given."""
    page = context.new_page()
    page.goto(f"{base_url}/app/")
    if user is not None:
        page.get_by_label("Số điện thoại").fill(user.phone)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_role("heading", name="Hôm nay").wait_for()
    return page


def go(page, route: str, heading: str):
    page.evaluate(f"location.hash = {route!r}")
    page.get_by_role("heading", name=heading).wait_for()


def offline_on(phone, page, route: str, heading: str):
    """Opens a screen while online, once the service worker holds the app, then cuts the
    network."""
    go(page, route, heading)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.set_offline(True)


def new_offer(producer, product, lot, client_id, quantity="30", **extra) -> dict:
    """A createOffer operation for sync: 30 of ``lot`` at the market tests' terms."""
    terms = offer_terms()
    return {
        "createOffer": {
            "clientId": str(client_id),
            "producerId": to_global_id("ProducerNode", producer.pk),
            "productId": to_global_id("ProductNode", product.pk),
            "pricePerUnit": terms["price_per_unit"],
            "availableFrom": terms["available_from"].isoformat(),
            "availableTo": terms["available_to"].isoformat(),
            "deliveryRadiusKm": 20,
            "lots": [{"batchId": str(lot.uuid), "quantity": quantity}],
            **extra,
        }
    }
