"""Conflicts are never silent: what the server refuses from the queue is shown with its
reason, and the farmer fixes and resends it or discards it."""

import datetime

import pytest
from django.utils import timezone
from graphql_relay import to_global_id
from playwright.sync_api import expect

from farms.models import Membership, Plot
from farms.services import hand_over_plot
from tests import factories
from tests.factories import kg
from tests.farmapp.conftest import go, offline_on, open_app
from tests.mobile_api.conftest import Api, token_for
from traceability.models import Batch
from traceability.services.batches import create_batch
from traceability.services.events import record_event

QUEUED_GEOMETRY = """() => new Promise((done) => {
    const r = indexedDB.open("nongsan-app");
    r.onsuccess = () => {
        const all = r.result.transaction("queue").objectStore("queue").getAll();
        all.onsuccess = () => done(all.result[0].input.geometry);
    };
})"""
SPLIT = """mutation($input: SplitBatchInput!) { splitBatch(input: $input) {
  batches { code } errors { code message } } }"""


def offline_lot_screen(phone, page, lot: Batch) -> str:
    """Opens the lot once online (so the phone keeps it), then goes offline; its app id."""
    go(page, "#/lots", "Lô hàng")
    page.get_by_role("link", name=lot.code).click()
    page.get_by_role("link", name="Ghi công việc").wait_for()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.set_offline(True)
    return page.url.split("#/lot/")[1]


def back_online(phone, page):
    phone.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")


@pytest.mark.django_db(transaction=True)
def test_a_split_overtaken_by_another_members_split_is_fixed_and_resent(
    live_server, phone, owner, coop, harvested, client, rf
):
    page = open_app(phone, live_server.url, owner)
    lot_id = offline_lot_screen(phone, page, harvested)
    go(page, f"#/lot/{lot_id}/split", f"Chia lô {harvested.code}")
    for box, quantity in zip(page.get_by_label("Lô mới (kg)").all(), ["15", "15"], strict=True):
        box.fill(quantity)
    page.get_by_role("button", name="Chia lô", exact=True).last.click()
    page.get_by_role("dialog").get_by_role("button", name="Chia lô").click()
    expect(page.locator(".flash")).to_have_text("Đã lưu trên điện thoại; sẽ gửi khi có mạng.")

    # Meanwhile another member of the cooperative splits 80 kg off through the API.
    colleague = factories.member(factories.UserFactory(), coop, Membership.Role.MANAGER)
    moved = Api(client, token_for(colleague, rf)).ok(
        SPLIT,
        {
            "input": {
                "batchId": lot_id,
                "quantities": ["40", "40"],
                "occurredAt": timezone.now().isoformat(),
            }
        },
    )
    assert len(moved["splitBatch"]["batches"]) == 2

    back_online(phone, page)
    expect(page.locator("#status")).to_contain_text("1 mục cần bạn xem")
    go(page, "#/sync", "Đồng bộ")
    refused = page.locator("li.refused")
    expect(refused).to_contain_text("còn 20 kg")
    boxes = refused.get_by_label("Số lượng của lô mới").all()
    boxes[0].fill("10")
    boxes[1].fill("10")
    refused.get_by_role("button", name="Gửi lại").click()
    expect(page.locator("li.refused")).to_have_count(0)
    expect(page.locator("#status")).to_contain_text("0 mục chờ gửi")
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == kg(0)
    assert Batch.objects.filter(producer=coop).count() == 5  # the lot and its four parts


@pytest.mark.django_db(transaction=True)
def test_a_plot_overlapping_one_saved_meanwhile_is_discarded_and_nothing_is_written(
    live_server, phone, owner, coop, client, rf
):
    page = open_app(phone, live_server.url, owner)
    offline_on(phone, page, "#/plots/new", "Thửa mới")
    page.get_by_label("Tên thửa").fill("Bãi giữa")
    for x, y in [(100, 100), (260, 100), (260, 260), (100, 260)]:
        page.locator(".map").click(position={"x": x, "y": y})
    expect(page.locator(".area")).to_contain_text("4 góc")
    page.get_by_role("button", name="Khép ranh giới và lưu").click()
    expect(page.locator(".flash")).to_contain_text("sẽ gửi khi có mạng")
    queued = page.evaluate(QUEUED_GEOMETRY)
    # Meanwhile the same field is saved from another phone.
    colleague = factories.member(factories.UserFactory(), coop, Membership.Role.MANAGER)
    Api(client, token_for(colleague, rf)).ok(
        "mutation($input: SavePlotInput!) { savePlot(input: $input) { errors { code } } }",
        {
            "input": {
                "producerId": owner_producer_id(coop),
                "name": "Bãi giữa (đo lại)",
                "geometry": queued,
            }
        },
    )

    back_online(phone, page)
    expect(page.locator("#status")).to_contain_text("1 mục cần bạn xem")
    go(page, "#/sync", "Đồng bộ")
    expect(page.locator("li.refused")).to_contain_text("Bãi giữa (đo lại)")
    page.locator("li.refused").get_by_role("button", name="Bỏ").click()
    page.get_by_role("dialog").get_by_role("button", name="Bỏ").click()
    expect(page.locator("li.refused")).to_have_count(0)
    assert list(Plot.objects.filter(producer=coop).values_list("name", flat=True)) == [
        "Bãi giữa (đo lại)"
    ]


def owner_producer_id(producer) -> str:
    return to_global_id("ProducerNode", producer.pk)


@pytest.mark.django_db(transaction=True)
def test_a_spraying_queued_offline_that_lands_inside_a_harvests_waiting_period_holds_the_lot(
    live_server, phone, owner, coop, plot, product, pesticide
):
    lot = create_batch(owner, producer=coop, product=product, plots=[plot])
    page = open_app(phone, live_server.url, owner)
    lot_id = offline_lot_screen(phone, page, lot)
    go(page, f"#/lot/{lot_id}/event?SPRAYING", "Phun thuốc")
    page.get_by_label("Thuốc bảo vệ thực vật").select_option(index=1)
    page.get_by_label("Liều lượng", exact=True).fill("20")
    sprayed = timezone.localtime() - datetime.timedelta(hours=5)
    page.get_by_label("Thời gian").fill(sprayed.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Ghi lại").click()
    expect(page.locator(".flash")).to_contain_text("sẽ gửi khi có mạng")

    # Meanwhile the crop is harvested (recorded from the cooperative's office).
    harvest_time = timezone.now() - datetime.timedelta(hours=1)
    record_event(owner, lot, "harvesting", occurred_at=harvest_time, quantity=kg(50))

    back_online(phone, page)
    expect(page.locator("#status")).to_contain_text("0 mục chờ gửi")
    lot.refresh_from_db()
    assert lot.on_hold and lot.events.filter(business_step="spraying").exists()
    go(page, "#/lots", "Lô hàng")
    page.get_by_role("link", name=lot.code).click()
    expect(page.locator(".alert")).to_contain_text("Đang tạm giữ")


@pytest.mark.django_db(transaction=True)
def test_steps_on_a_lot_whose_creation_was_refused_wait_with_it_and_go_when_it_is_discarded(
    live_server, phone, owner, coop, plot, product
):
    page = open_app(phone, live_server.url, owner)
    offline_on(phone, page, "#/lots/new", "Tạo lô mới")
    page.get_by_label("Cây trồng").select_option(label=product.name_vi)
    page.get_by_label(plot.name).check()
    page.get_by_role("button", name="Tạo lô").click()
    expect(page.locator(".flash")).to_contain_text("sẽ gửi khi có mạng")
    page.get_by_role("link", name="Ghi công việc").click()
    page.get_by_role("link", name="Tưới nước").click()
    page.get_by_role("button", name="Ghi lại").click()
    expect(page.locator(".flash")).to_contain_text("sẽ gửi khi có mạng")

    # Meanwhile the land is handed over to another farm: no new lot may start on it.
    hand_over_plot(owner, plot, factories.ProducerFactory())
    back_online(phone, page)
    expect(page.locator("#status")).to_contain_text("2 mục cần bạn xem")
    go(page, "#/sync", "Đồng bộ")
    refused = page.locator("li.refused")
    expect(refused).to_have_count(1)  # the lot; its step waits with it, unsent
    expect(refused).to_contain_text("1 mục đang chờ mục này.")
    expect(page.locator(".cards li", has_text="tạm dừng")).to_have_count(1)
    refused.get_by_role("button", name="Bỏ").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Bỏ mục này và 1 mục phụ thuộc vào nó?")
    dialog.get_by_role("button", name="Bỏ").click()
    expect(page.locator("#status")).to_contain_text("0 mục chờ gửi")
    assert not Batch.objects.filter(producer=coop).exists()
