"""A lot's other tools in the app: a wrong harvest corrected with a reason (the wrong
entry stays, marked), then the lot recalled, after which it offers only what a recalled
lot may still do."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.factories import harvested_lot, kg
from tests.farmapp.conftest import go, open_app
from traceability.models import Batch


def open_lot(page, lot):
    go(page, "#/lots", "Lô hàng")
    page.get_by_role("link", name=lot.code).click()
    page.get_by_role("heading", name=lot.code).wait_for()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_harvest_is_corrected_then_the_lot_recalled(live_server, phone, owner, harvested):
    page = open_app(phone, live_server.url, owner)
    open_lot(page, harvested)
    harvest = page.locator("ol.timeline li", has_text="Thu hoạch")
    harvest.get_by_role("link", name="Sửa ghi chép này").click()
    page.get_by_label("Sai ở đâu").fill("Cân nhầm: 90 kg chứ không phải 100 kg.")
    page.get_by_label("Số lượng đúng").fill("90")
    page.get_by_role("button", name="Ghi việc sửa sai").click()
    page.get_by_role("dialog").get_by_role("button", name="Sửa sai").click()
    expect(page.locator(".flash")).to_have_text("Đã ghi việc sửa sai.")
    expect(page.locator("ol.timeline li.struck")).to_contain_text("Thu hoạch")
    harvested.refresh_from_db()
    assert harvested.quantity == kg(90)
    assert harvested.events.filter(business_step="correcting").count() == 1

    page.get_by_role("link", name="Thu hồi").click()
    page.get_by_label("Lý do (người tiêu dùng đọc được trên trang quét mã)").fill(
        "Dư lượng thuốc vượt ngưỡng. Xin không sử dụng."
    )
    page.get_by_role("button", name="Thu hồi lô").click()
    page.get_by_role("dialog").get_by_role("button", name="Thu hồi").click()
    expect(page.locator(".flash")).to_have_text("Đã thu hồi lô.")
    expect(page.locator(".alert")).to_contain_text("Dư lượng thuốc vượt ngưỡng")
    expect(page.get_by_role("link", name="Chia lô")).to_have_count(0)
    harvested.refresh_from_db()
    assert harvested.status == "recalled"


@pytest.mark.django_db(transaction=True)
def test_two_lots_merged_then_made_into_another_product(
    live_server, phone, owner, coop, plot, product, harvested
):
    second = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=60)
    pickled = factories.ProductFactory(name_vi="Rau muống muối chua", code="rau-muong-muoi")
    factories.converts(product, pickled, "0.5", "0.9")
    page = open_app(phone, live_server.url, owner)
    open_lot(page, harvested)
    page.get_by_role("link", name="Gộp lô").click()
    page.get_by_label(f"{harvested.code} (kg)").fill("30")
    page.get_by_label(f"{second.code} (kg)").fill("20")
    page.get_by_role("button", name="Gộp thành lô mới").click()
    expect(page.locator(".flash")).to_have_text("Đã gộp thành lô mới.")
    merged = Batch.objects.filter(producer=coop, product=product).order_by("-pk").first()
    assert merged.quantity == kg(50) and merged not in (harvested, second)

    page.get_by_role("link", name="Chế biến").click()
    page.get_by_label("Số lượng của lô này đem dùng (kg)").fill("20")
    page.get_by_label("Chế biến thành").select_option(label="Rau muống muối chua")
    page.get_by_label("Số lượng làm ra").fill("15")
    page.get_by_role("button", name="Ghi việc chế biến").click()
    expect(page.locator(".flash")).to_have_text("Đã tạo lô mới.")
    assert Batch.objects.get(product=pickled).quantity == kg(15)
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == kg(50)  # 100 − 30 merged − 20 made into pickles
