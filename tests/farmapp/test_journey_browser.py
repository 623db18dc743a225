"""The farmer's day in the app, online, on a phone: sign in, walk a plot's boundary with
the GPS, start a lot, record a spraying, see the waiting period, harvest after it; the
consumer's page then shows those steps."""

import datetime
import tempfile

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from farms.models import Plot
from tests.farmapp.conftest import go, open_app
from tests.traceability.test_labels import decode_pdf_pages
from traceability.models import Batch

# A walk round a field of about 50 m × 40 m in Đông Anh, corner to corner.
WALK = [(21.1400, 105.8500), (21.1400, 105.8505), (21.14036, 105.8505), (21.14036, 105.8500)]


def decode_pdf_bytes(data: bytes) -> list[set[str]]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        return decode_pdf_pages(file.name)


def local_input(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def walk_boundary(phone, page):
    page.get_by_role("button", name="Bắt đầu đi quanh ranh giới").click()
    for count, (latitude, longitude) in enumerate(WALK, start=1):
        phone.set_geolocation({"latitude": latitude, "longitude": longitude, "accuracy": 4})
        expect(page.locator(".area")).to_contain_text(f"{count} góc")
    expect(page.locator(".gps")).to_contain_text("Độ chính xác GPS 4 m")


def record(page, step: str, when: datetime.datetime, notice: str = "", **fields):
    page.get_by_role("link", name="Ghi công việc").click()
    page.get_by_role("link", name=step).click()
    if notice:
        expect(page.locator(".notice")).to_contain_text(notice)
    for label, value in fields.items():
        control = page.get_by_label(label, exact=True)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    page.get_by_label("Thời gian").fill(local_input(when))
    page.get_by_role("button", name="Ghi lại").click()
    expect(page.locator(".flash")).to_have_text("Đã ghi công việc.")


@pytest.mark.django_db(transaction=True)
def test_a_farmer_walks_a_plot_grows_a_lot_and_harvests_after_the_waiting_period(
    live_server, phone, owner, product, pesticide
):
    page = open_app(phone, live_server.url, owner)
    go(page, "#/plots/new", "Thửa mới")
    page.get_by_label("Tên thửa").fill("Ruộng sau nhà")
    page.get_by_label("Cây trồng").select_option(label=product.name_vi)
    walk_boundary(phone, page)
    expect(page.locator(".area")).to_contain_text("diện tích khoảng")
    page.get_by_role("button", name="Khép ranh giới và lưu").click()
    expect(page.locator(".flash")).to_have_text("Đã lưu thửa.")
    plot = Plot.objects.get(name="Ruộng sau nhà")
    assert 1_500 < plot.area_m2 < 2_500  # 52 m × 40 m

    go(page, "#/lots/new", "Tạo lô mới")
    page.get_by_label("Cây trồng").select_option(label=product.name_vi)
    page.get_by_label("Ruộng sau nhà").check()
    page.get_by_role("button", name="Tạo lô").click()
    expect(page.locator(".flash")).to_have_text("Đã tạo lô.")
    lot = Batch.objects.get(producer=plot.producer, product=product)

    # Sprayed almost a week ago with a 7-day waiting period: safe a few minutes from now.
    sprayed = timezone.now() - datetime.timedelta(days=7) + datetime.timedelta(minutes=4)
    pesticide_name = f"{pesticide.name} ({pesticide.active_ingredient})"
    record(
        page, "Phun thuốc", sprayed, **{"Thuốc bảo vệ thực vật": pesticide_name, "Liều lượng": "20"}
    )
    safe = timezone.localtime(sprayed + datetime.timedelta(days=7))
    expect(page.locator(".notice")).to_contain_text("thu hoạch từ")
    expect(page.locator(".notice")).to_contain_text(safe.strftime("%H:%M"))

    waiting = f"thu hoạch từ {safe.strftime('%H:%M')}"
    record(
        page, "Thu hoạch", safe + datetime.timedelta(minutes=1), waiting, **{"Số lượng": "1.250,5"}
    )
    expect(page.locator("h1")).to_contain_text(lot.code)
    expect(page.get_by_text("còn 1.250,5 kg trên 1.250,5 kg")).to_be_visible()
    lot.refresh_from_db()
    assert (lot.status, lot.quantity, lot.on_hold) == ("active", 1250.5, False)
    assert [e.business_step for e in lot.events.order_by("sequence")][-2:] == [
        "spraying",
        "harvesting",
    ]

    consumer = phone.new_page()
    consumer.goto(f"{live_server.url}/lot/{lot.code}")
    assert "Phun thuốc" in consumer.inner_text("main") and "Thu hoạch" in consumer.inner_text(
        "main"
    )
