"""The recall workbench in a real browser (Playwright driving Debian's Chromium): staff
sign in to the admin, read what a recall would reach, confirm it; a consumer's phone then
shows the recall on the scan page."""

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from playwright.sync_api import sync_playwright

from farms.roles import COOPERATIVE_STAFF_GROUP
from tests.factories import kg, moment, ship
from traceability.services.parties import register_party
from traceability.services.transformations import split_batch

PASSWORD = "a-browser-passphrase-2026"


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the test's own database
    # calls are still synchronous, so Django's guard against async callers is lifted.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        yield chromium
        chromium.close()
        connections.close_all()  # opened while Playwright's loop ran: closed in it


@pytest.mark.django_db(transaction=True)
def test_staff_read_the_scope_then_recall_and_a_phone_sees_it(
    live_server, browser, owner, coop, harvested
):
    owner.is_staff = True
    owner.set_password(PASSWORD)
    owner.save()
    owner.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    stall = register_party(
        owner, coop, name="Sạp rau chị Lan", kind="wholesale_stall", district="Hoàng Mai"
    )
    kept, sold = split_batch(owner, harvested, [kg(50), kg(50)], occurred_at=moment(0.5))
    ship(owner, sold, kg(20), moment(0.4), to=stall)

    desk = browser.new_page(locale="vi-VN")
    desk.goto(f"{live_server.url}/admin/login/")
    desk.fill("#id_username", owner.phone)
    desk.fill("#id_password", PASSWORD)
    desk.click("input[type=submit]")
    desk.goto(f"{live_server.url}/admin/traceability/batch/{kept.pk}/recall/")
    scope = desk.locator("#recall-scope")
    assert "Phạm vi cần xem xét khi thu hồi" in scope.inner_text()
    assert sold.code in scope.inner_text() and "Cùng nguồn" in scope.inner_text()
    assert "Sạp rau chị Lan" in scope.inner_text()
    desk.fill("#id_reason", "Dư lượng thuốc vượt ngưỡng. Xin không sử dụng.")
    desk.click("input[type=submit]")
    assert "Đã thu hồi" in desk.locator(".messagelist").inner_text()

    phone = browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True
    ).new_page()
    phone.goto(f"{live_server.url}/lot/{kept.code}")
    assert "Dư lượng thuốc vượt ngưỡng" in phone.inner_text("body")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
