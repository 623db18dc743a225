"""The recall workbench in a real browser (Playwright driving Debian's Chromium): staff
sign in to the admin, read what a recall would reach, confirm it; a consumer's phone then
shows the recall on the scan page."""

import pytest
from django.contrib.auth.models import Group

from farms.roles import COOPERATIVE_STAFF_GROUP
from tests.factories import kg, moment, ship
from traceability.services.parties import register_party
from traceability.services.transformations import split_batch

PASSWORD = "a-browser-passphrase-2026"


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
    asked = []
    desk.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    desk.click("input[type=submit]")
    assert asked == ["Thu hồi lô này? Mọi người đang giữ hàng của lô sẽ được báo ngay."]
    assert "Đã thu hồi" in desk.locator(".messagelist").inner_text()

    phone = browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True
    ).new_page()
    phone.goto(f"{live_server.url}/lot/{kept.code}")
    assert "Dư lượng thuốc vượt ngưỡng" in phone.inner_text("body")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
