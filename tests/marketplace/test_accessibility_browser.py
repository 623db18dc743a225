"""Every public and staff page passes axe-core's accessibility rules (the rules behind
Lighthouse's accessibility score) in a real browser, in Vietnamese, on a phone and on a
desktop: no serious or critical violation anywhere."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from farms.permissions import EXTENSION_STAFF_GROUP, INSPECTOR_GROUP
from farms.roles import COOPERATIVE_STAFF_GROUP
from knowledge.services.proposals import propose
from tests import factories
from tests.factories import staff_member
from tests.knowledge.conftest import LEAF_FOLDER, article
from tests.marketplace.conftest import place
from tests.marketplace.test_daily_use_browser import PHONE, signed_in
from tests.traceability.scanning import add_label

SERIOUS = {"serious", "critical"}


def violations(page, url: str) -> list[str]:
    page.goto(url)
    found = Axe().run(page).response["violations"]
    return [
        f"{rule['id']}: {rule['help']} ({len(rule['nodes'])}× e.g. {rule['nodes'][0]['target']})"
        for rule in found
        if rule["impact"] in SERIOUS
    ]


def audit(page, base: str, paths: list[str]) -> dict[str, list[str]]:
    return {path: found for path in paths if (found := violations(page, base + path))}


@pytest.mark.django_db(transaction=True)
def test_public_and_buyer_pages_have_no_serious_accessibility_violation(
    live_server, browser, chef, buyer, offer, harvested
):
    order = place(chef, buyer, offer)
    label = add_label(harvested)
    editor = staff_member(factories.UserFactory(), EXTENSION_STAFF_GROUP)
    leaf = article(editor, text=LEAF_FOLDER)
    public = [
        "/",
        "/market/",
        "/market/?q=rau&within_km=30",
        f"/market/offers/{offer.uuid}/",
        "/knowledge/",
        f"/knowledge/{leaf.slug}/",
        "/map/",
        f"/s/{label.serial}",
        f"/lot/{harvested.code}",
        f"/lot/{harvested.code}/verify",
        f"/party/{harvested.producer.uuid}",
        f"/market/prices/{offer.product.code}/",
        "/accounts/login/",
    ]
    buyer_pages = ["/market/cart/", "/market/orders/", f"/market/orders/{order.code}/"]

    anonymous = browser.new_context(**PHONE).new_page()
    found = audit(anonymous, live_server.url, public)
    buyer_phone = signed_in(browser, live_server, chef, **PHONE)
    found |= audit(buyer_phone, live_server.url, [*buyer_pages, "/knowledge/propose/"])

    assert found == {}


@pytest.mark.django_db(transaction=True)
def test_staff_pages_have_no_serious_accessibility_violation(
    live_server, browser, owner, harvested, inspector
):
    clerk = staff_member(owner, COOPERATIVE_STAFF_GROUP)
    editor = staff_member(factories.UserFactory(), EXTENSION_STAFF_GROUP)
    proposal = propose(clerk, kind="question", text=LEAF_FOLDER, category="pests")
    lot = f"/admin/traceability/batch/{harvested.pk}"
    clerk_pages = [
        "/admin/",
        "/admin/traceability/batch/",
        f"{lot}/change/",
        f"{lot}/event/",
        f"{lot}/split/",
        f"{lot}/labels/",
        f"{lot}/recall/",
        "/admin/traceability/labelsheet/",
        "/admin/farms/plot/",
    ]
    editor_pages = [
        "/knowledge/staff/",
        "/knowledge/staff/new/",
        f"/knowledge/staff/proposals/{proposal.uuid}/",
        "/admin/marketplace/marketprice/add/",
    ]
    desktop = {"viewport": {"width": 1280, "height": 900}}

    found = audit(signed_in(browser, live_server, clerk, **desktop), live_server.url, clerk_pages)
    found |= audit(
        signed_in(browser, live_server, editor, **desktop), live_server.url, editor_pages
    )
    staff_member(inspector, INSPECTOR_GROUP)
    queue = "/admin/traceability/hold/?released_at__isempty=1"
    found |= audit(signed_in(browser, live_server, inspector, **desktop), live_server.url, [queue])

    assert found == {}
