"""Knowledge and soil in the app: the articles for my crops read offline and found
without accents, a question written offline and sent later (once), a soil test recorded
and its advice read."""

import pytest
from playwright.sync_api import expect

from farms.models import SoilSample
from knowledge.models import Proposal
from tests.farmapp.conftest import go, open_app
from tests.knowledge.conftest import article


@pytest.mark.django_db(transaction=True)
def test_articles_read_offline_and_a_question_sent_when_the_network_returns(
    live_server, phone, owner, plot, product, editor
):
    plot.crop = product
    plot.save()
    article(editor, crops=[product])
    page = open_app(phone, live_server.url, owner)
    go(page, "#/knowledge", "Kiến thức")
    expect(page.get_by_role("link", name="Sâu cuốn lá nhỏ hại lúa")).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    phone.set_offline(True)
    page.reload()
    go(page, "#/knowledge", "Kiến thức")
    page.get_by_label("Tìm trong các bài cho cây trồng của bạn").fill("sau cuon la")
    page.get_by_role("link", name="Sâu cuốn lá nhỏ hại lúa").click()
    expect(page.locator(".article")).to_contain_text("cuốn lá lúa thành tổ")

    go(page, "#/knowledge/propose", "Gửi mẹo hay hoặc đặt câu hỏi")
    page.get_by_label("Bạn gửi gì").select_option(label="Một câu hỏi")
    page.get_by_label("Tiêu đề").fill("Lá lúa bị cuốn, phun gì?")
    page.get_by_label("Mẹo hay hoặc câu hỏi của bạn").fill("Ruộng nhà tôi lá lúa cuốn tổ nhiều.")
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("sẽ gửi khi có mạng")
    assert not Proposal.objects.exists()

    phone.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    expect(page.locator("#status")).to_contain_text("0 mục chờ gửi")
    assert Proposal.objects.get().kind == "question"


@pytest.mark.django_db(transaction=True)
def test_a_soil_test_is_recorded_and_its_advice_read(live_server, phone, owner, plot):
    page = open_app(phone, live_server.url, owner)
    go(page, "#/soil/new", "Ghi kết quả phân tích đất")
    page.get_by_label("Phòng thí nghiệm").fill("Viện Thổ nhưỡng Nông hoá")
    page.get_by_label("pH (KCl)").fill("4,2")
    page.get_by_label("Chất hữu cơ (%)").fill("1,1")
    page.get_by_role("button", name="Ghi lại").click()
    expect(page.locator(".flash")).to_have_text("Đã ghi kết quả phân tích đất.")
    sample = SoilSample.objects.get(plot=plot)
    assert (float(sample.ph), float(sample.organic_matter)) == (4.2, 1.1)
    expect(page.locator("main")).to_contain_text("pH (KCl): 4,2")
    expect(page.locator("main li li").first).to_be_visible()  # the advice, from the server
