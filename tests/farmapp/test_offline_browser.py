"""The app without a network: steps recorded offline (one with a photo) survive a reload,
are sent when the network returns, keep the phone's times, and sending the same queue
again writes nothing."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.farmapp.conftest import go, open_app
from tests.farmapp.test_journey_browser import local_input
from traceability.models import TraceEvent

QUEUE = """(store, mode) => new Promise((done) => {
    const request = indexedDB.open("nongsan-app");
    request.onsuccess = () => done(request.result.transaction("queue", mode).objectStore("queue"));
})"""
KEEP_A_COPY_OF_THE_QUEUE = f"""async () => {{
    const store = await ({QUEUE})("queue", "readonly");
    window.keptQueue = await new Promise((done) => {{
        const all = store.getAll();
        all.onsuccess = () => done(all.result);
    }});
}}"""
PUT_THE_COPY_BACK = f"""async () => {{
    const store = await ({QUEUE})("queue", "readwrite");
    for (const item of window.keptQueue) store.put(item);
    await new Promise((done) => (store.transaction.oncomplete = done));
    return window.keptQueue.length;
}}"""


def camera_shot() -> bytes:
    """A 4000 × 3000 photo, as a phone's camera makes them."""
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (60, 140, 60)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def record_offline(page, lot, step: str, when: datetime.datetime, photo: bytes | None = None):
    go(page, f"#/lot/{lot}/event", "Ghi công việc")
    page.get_by_role("link", name=step).click()
    page.get_by_label("Thời gian").fill(local_input(when))
    if photo:
        page.get_by_label("Ảnh").set_input_files(
            {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}
        )
    page.get_by_role("button", name="Ghi lại").click()
    expect(page.locator(".flash")).to_have_text("Đã lưu trên điện thoại; sẽ gửi khi có mạng.")


@pytest.mark.django_db(transaction=True)
def test_steps_recorded_offline_survive_a_reload_and_are_sent_once(
    live_server, phone, owner, growing
):
    page = open_app(phone, live_server.url, owner)
    go(page, "#/lots", "Lô hàng")
    page.get_by_role("link", name=growing.product.name_vi).first.click()
    page.get_by_role("link", name="Ghi công việc").wait_for()
    lot_id = page.url.split("#/lot/")[1]
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    phone.set_offline(True)
    now = timezone.now().replace(second=0, microsecond=0)
    times = [now - datetime.timedelta(hours=hours) for hours in (3, 2, 1)]
    record_offline(page, lot_id, "Tưới nước", times[0])
    record_offline(page, lot_id, "Bón phân", times[1])
    record_offline(page, lot_id, "Tưới nước", times[2], photo=camera_shot())
    expect(page.locator("#status")).to_contain_text("Mất mạng · 3 mục chờ gửi")
    assert not growing.events.filter(business_step="irrigating").exists()

    page.reload()  # the app opens from the service worker's copy, the queue from IndexedDB
    expect(page.locator("#status")).to_contain_text("3 mục chờ gửi")
    go(page, "#/sync", "Đồng bộ")
    expect(page.locator(".cards li")).to_have_count(3)

    page.evaluate(KEEP_A_COPY_OF_THE_QUEUE)
    phone.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    expect(page.locator("#status")).to_contain_text("0 mục chờ gửi", timeout=15_000)
    recorded = list(growing.events.filter(occurred_at__gte=times[0]).order_by("occurred_at"))
    assert [e.business_step for e in recorded] == ["irrigating", "fertilizing", "irrigating"]
    assert [e.occurred_at for e in recorded] == times
    consumer = phone.new_page()
    consumer.goto(f"{live_server.url}/lot/{growing.code}")
    journey = consumer.inner_text("main")
    for moment in times:
        assert timezone.localtime(moment).strftime("%H:%M") in journey
    photo = recorded[2].photos.get()
    assert max(photo.image.width, photo.image.height) <= 1600  # shrunk on the phone

    # As if the app had been closed before the server's answer arrived: the same three
    # items, photo included, are sent again.
    rows = TraceEvent.objects.count()
    assert page.evaluate(PUT_THE_COPY_BACK) == 3
    page.evaluate("dispatchEvent(new Event('online'))")
    expect(page.locator("#status")).to_contain_text("0 mục chờ gửi", timeout=15_000)
    assert TraceEvent.objects.count() == rows


# The browser's answer when the phone's storage is full, for the queue's next write (a
# real quota cannot be lowered for a private window: Storage.overrideQuotaForOrigin has
# no effect there).
FILL_THE_PHONE = """() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
        if (this.name !== "queue") return put.apply(this, args);
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
}"""


@pytest.mark.django_db(transaction=True)
def test_a_full_phone_is_told_so_and_nothing_is_half_saved(live_server, phone, owner, growing):
    page = open_app(phone, live_server.url, owner)
    go(page, "#/lots", "Lô hàng")
    page.get_by_role("link", name=growing.product.name_vi).first.click()
    page.get_by_role("link", name="Ghi công việc").wait_for()
    lot_id = page.url.split("#/lot/")[1]
    phone.set_offline(True)
    go(page, f"#/lot/{lot_id}/event?IRRIGATING", "Tưới nước")
    page.evaluate(FILL_THE_PHONE)
    page.get_by_role("button", name="Ghi lại").click()
    expect(page.locator(".form-error")).to_contain_text("Bộ nhớ điện thoại đã đầy")
    expect(page.locator("#status")).to_contain_text("0 mục chờ gửi")
