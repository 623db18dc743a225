"""The app's quality bars on a 360 px phone: installable by Chromium's own criteria,
no serious accessibility violation on any screen (axe-core, the rules behind
Lighthouse's score), every touch target at least 48 px, nothing wider than the screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests import factories
from tests.farmapp.conftest import go, open_app

SCREENS = [
    ("#/today", "Hôm nay"),
    ("#/plots", "Thửa"),
    ("#/plots/new", "Thửa mới"),
    ("#/lots", "Lô hàng"),
    ("#/lots/new", "Tạo lô mới"),
    ("#/sell", "Bán hàng"),
    ("#/knowledge", "Kiến thức"),
    ("#/knowledge/propose", "Gửi mẹo hay hoặc đặt câu hỏi"),
    ("#/soil/new", "Ghi kết quả phân tích đất"),
    ("#/sync", "Đồng bộ"),
    ("#/more", "Thêm"),
]
SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea')]
  .filter((e) => e.offsetParent !== null)
  .filter((e) => !e.closest('label.check') && !e.closest('.leaflet-container'))
  .map((e) => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
  .filter(([, height]) => height < 48)"""


def serious_violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['nodes'][0]['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.django_db(transaction=True)
def test_the_app_is_installable_accessible_and_fits_a_phone(live_server, phone, owner, harvested):
    page = open_app(phone, live_server.url)
    assert serious_violations(page) == []  # the sign-in screen
    # The worker activates before the next page opens, which it then controls (a busy
    # machine could open the next page first, uncontrolled until a reload).
    assert page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page = open_app(phone, live_server.url, owner)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = phone.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are private windows, where nothing installs; nothing else may fail.
    assert [error["errorId"] for error in errors] == ["in-incognito"]

    lot = go_to_lot(page, harvested)
    problems = {}
    for route, heading in [
        *SCREENS,
        (f"#/lot/{lot}", harvested.code),
        (f"#/lot/{lot}/labels", "Tem của lô"),
    ]:
        go(page, route, heading)
        page.wait_for_timeout(300)  # the map's controls, where there is one
        found = serious_violations(page)
        found += [
            f"target {height:.0f} px: {html}" for html, height in page.evaluate(SMALL_TARGETS)
        ]
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            found.append("wider than the screen")
        if found:
            problems[route] = found
    assert problems == {}


def go_to_lot(page, lot) -> str:
    go(page, "#/lots", "Lô hàng")
    page.get_by_role("link", name=lot.code).click()
    page.get_by_role("heading", name=lot.code).wait_for()
    return page.url.split("#/lot/")[1]


@pytest.mark.django_db(transaction=True)
def test_a_cooperative_manager_switches_to_a_member_farm(live_server, phone, owner, coop):
    member_farm = factories.ProducerFactory(
        cooperative=coop, kind="household", name="Hộ Lê Thị Mai"
    )
    page = open_app(phone, live_server.url, owner)
    go(page, "#/more", "Thêm")
    page.get_by_role("button", name=f"Hộ Lê Thị Mai (qua {coop.name})").click()
    page.get_by_role("heading", name="Hôm nay").wait_for()
    assert page.locator("main p.muted").first.inner_text() == member_farm.name


KEPT = """() => new Promise((done) => {
    const request = indexedDB.open("nongsan-app");
    request.onsuccess = () => {
        const all = request.result.transaction("kv").objectStore("kv").getAllKeys();
        all.onsuccess = () => done(all.result);
    };
})"""
ACCESS_TOKEN = """() => new Promise((done) => {
    const request = indexedDB.open("nongsan-app");
    request.onsuccess = () => {
        const read = request.result.transaction("kv").objectStore("kv").get("session");
        read.onsuccess = () => done(read.result.tokens.accessToken);
    };
})"""
LAPSE_THE_TOKEN = """() => new Promise((done) => {
    const request = indexedDB.open("nongsan-app");
    request.onsuccess = () => {
        const store = request.result.transaction("kv", "readwrite").objectStore("kv");
        const read = store.get("session");
        read.onsuccess = () => {
            const session = read.result;
            session.tokens.accessExpiresAt = new Date(Date.now() - 1000).toISOString();
            store.put(session, "session").onsuccess = () => done(session.tokens.accessToken);
        };
    };
})"""


@pytest.mark.django_db(transaction=True)
def test_a_lapsed_token_is_refreshed_and_signing_out_wipes_the_phone(
    live_server, phone, owner, harvested
):
    page = open_app(phone, live_server.url, owner)
    old_token = page.evaluate(LAPSE_THE_TOKEN)
    refreshed = []
    page.on(
        "request", lambda r: refreshed.append(r) if "refreshTokens" in (r.post_data or "") else 0
    )
    go(page, "#/lots", "Lô hàng")
    page.get_by_role("link", name=harvested.code).wait_for()  # read with the new token
    assert len(refreshed) == 1
    assert page.evaluate(ACCESS_TOKEN) not in ("", old_token)

    go(page, "#/more", "Thêm")
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("dialog").get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng nhập").wait_for()
    assert page.evaluate(KEPT) == []  # nothing of the farm stays on the phone
