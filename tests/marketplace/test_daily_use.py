"""The market pages in daily use: buttons that say what they do and ask before ending an
order, orders that say what they hold, a search that keeps its place, a cart that shows
where it goes and asks before removing."""

import re

import pytest
from django.contrib.auth.models import Group

from farms.permissions import EXTENSION_STAFF_GROUP
from tests import factories
from tests.marketplace.test_orders import place


def buttons(page: str) -> list[tuple[str, str, str]]:
    """(class, text, confirmation asked) of each order step's button."""
    found = []
    for form in re.findall(
        r'<form method="post" action="/market/orders/[^"]+/status/".*?</form>', page, re.S
    ):
        question = re.search(r'data-confirm="([^"]*)"', form)
        button = re.search(r'<button class="(\w+)">([^<]+)</button>', form)
        found.append((button[1], button[2], question[1] if question else ""))
    return found


@pytest.fixture
def order(chef, buyer, offer):
    return place(chef, buyer, offer)


def test_the_seller_confirms_or_rejects_with_verbs_and_rejecting_asks_first(client, owner, order):
    client.force_login(owner)
    page = client.get(f"/market/orders/{order.code}/").content.decode()

    assert buttons(page) == [
        ("act", "Xác nhận đơn", ""),
        ("danger", "Từ chối", "Từ chối đơn này? Người mua sẽ thấy lý do của bạn."),
    ]
    assert "Chờ người bán xác nhận" in page


def test_the_buyer_cancels_with_a_destructive_button_and_can_call_the_seller(
    client, chef, order, coop
):
    coop.contact_phone = "0912345678"
    coop.save()
    client.force_login(chef)
    page = client.get(f"/market/orders/{order.code}/").content.decode()

    assert buttons(page) == [("danger", "Huỷ đơn", "Huỷ đơn này? Không thể hoàn tác.")]
    assert re.search(r'<a href="tel:[+0-9]*912345678">', page)


def test_the_order_list_says_what_each_order_holds_in_a_fixed_number_of_queries(
    client, chef, buyer, offer, django_assert_max_num_queries
):
    for _ in range(3):
        place(chef, buyer, offer, quantity=2)
    client.force_login(chef)
    with django_assert_max_num_queries(12):
        page = client.get("/market/orders/").content.decode()
    assert page.count(f"{offer.product.name} 2 kg") == 3
    assert page.count("Chờ người bán xác nhận") == 3


def test_a_search_with_no_result_says_so_and_the_offer_page_leads_back_to_it(
    client, chef, buyer, offer
):
    client.force_login(chef)
    empty = client.get("/market/", {"q": "sầu riêng", "within_km": "50"}).content.decode()
    assert "Không có hàng nào phù hợp" in empty
    assert '<details class="card search">' in empty  # the form folds after a search

    client.get("/market/", {"q": offer.product.name, "within_km": "50"})
    detail = client.get(f"/market/offers/{offer.uuid}/").content.decode()
    back = re.search(r'<a href="(/market/\?[^"]+)">← ', detail)[1]
    assert "within_km=50" in back and "q=" in back


def test_the_cart_shows_where_it_goes_and_asks_before_removing(client, chef, buyer, offer):
    client.force_login(chef)
    client.post(f"/market/offers/{offer.uuid}/", {"quantity": "3"})
    cart = client.get("/market/cart/").content.decode()

    assert buyer.delivery_address in cart
    assert re.search(
        r'data-confirm="Bỏ [^"]+ khỏi giỏ hàng\?"><input type="hidden" name="csrf', cart
    )
    assert '<button class="danger">' in cart


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("inspector", "/admin/traceability/hold/?released_at__isempty=1"),
        ("extension", "/knowledge/staff/"),
        ("cooperative", "/admin/traceability/batch/"),
        ("buyer", "/market/"),
    ],
)
def test_each_role_lands_in_its_own_workspace(client, inspector, owner, chef, buyer, role, landing):
    extension = factories.UserFactory(is_staff=True)
    extension.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    owner.is_staff = True
    owner.save()
    person = {"inspector": inspector, "extension": extension, "cooperative": owner, "buyer": chef}
    person[role].set_password("mật-khẩu-dài-2026")
    person[role].save()

    answer = client.post(
        "/accounts/login/", {"username": person[role].phone, "password": "mật-khẩu-dài-2026"}
    )

    assert answer.status_code == 302, answer.content.decode()[:500]
    assert answer["Location"] == landing
    header = client.get("/market/").content.decode().split("</header>")[0]
    assert ("Giỏ hàng" in header) == (role == "buyer")
