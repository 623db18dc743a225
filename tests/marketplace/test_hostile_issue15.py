"""Hostile tests of issue 15: numbers typed the Vietnamese way, unusual market prices, the
market pages, signing in, copy reports, answers to questions and the lot pages of the
admin, attacked through the real endpoints as the wrong people, with malformed, huge and
hostile input, replays and concurrent requests."""

import re
import threading
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from farms.permissions import EXTENSION_STAFF_GROUP, INSPECTOR_GROUP
from farms.roles import COOPERATIVE_STAFF_GROUP
from knowledge.services.articles import ArticleText
from knowledge.services.proposals import propose
from marketplace.models import CartItem, MarketPrice, Order
from tests import factories
from tests.factories import moment, staff_member
from tests.marketplace.conftest import restaurant_near, survey_prices
from tests.marketplace.test_orders import place
from tests.traceability.scanning import add_label, phone, token_in, warned
from traceability.models import Batch, CopyReport, LabelSheet
from traceability.services.batches import recall_batch

PASSWORD = "mật-khẩu-dài-2026"
_REPORT_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def no_server_error(answer) -> None:
    assert answer.status_code < 500, answer.content.decode()[:2000]


# ---------------------------------------------------------------------------------------
# 1. Numbers typed into the buyers' cart (NumberField through real pages)
# ---------------------------------------------------------------------------------------

CART_CASES = [
    # (typed, language, stored quantity or None when nothing may be stored)
    ("1,5", "vi", Decimal("1.5")),
    ("1.5", "en", Decimal("1.5")),
    ("1.5", "vi", None),  # a decimal point or a cut-short group: refused
    ("1,5", "en", None),
    ("+3", "vi", Decimal(3)),
    (" 3 ", "vi", Decimal(3)),
    ("3\u00a0", "vi", Decimal(3)),
    ("\u20033\u2003", "vi", Decimal(3)),
    ("-3", "vi", None),
    ("\u22123", "vi", None),  # unicode minus
    ("-0", "vi", None),  # zero takes nothing
    ("0", "vi", None),
    ("0,000", "vi", None),
    ("NaN", "vi", None),
    ("nan", "en", None),
    ("Infinity", "en", None),
    ("inf", "vi", None),
    ("1e1", "vi", None),
    ("1E1", "en", None),
    ("0x10", "vi", None),
    ("3\u200b", "vi", None),  # zero-width space
    ("9" * 15, "vi", None),  # beyond max_digits
    ("9" * 5000, "vi", None),
    ("9" * 100_000, "en", None),
    ("1." + "0" * 5000, "en", None),
    ("1.000", "vi", None),  # a thousand: more than the 40 kg on sale
    ("12.000,5", "vi", None),
    ("0,0001", "vi", None),  # below the minimum and beyond three decimals
    ("2,5555", "vi", None),
    ("", "vi", None),
    ("   ", "vi", None),
    ("3;DROP TABLE", "vi", None),
    ("<script>", "vi", None),
    ("\x00", "vi", None),
]


@pytest.mark.parametrize(("typed", "language", "stored"), CART_CASES)
def test_a_quantity_typed_on_the_offer_page_is_stored_as_meant_or_refused(
    client, chef, buyer, offer, typed, language, stored
):
    client.force_login(chef)
    answer = client.post(
        f"/market/offers/{offer.uuid}/", {"quantity": typed}, HTTP_ACCEPT_LANGUAGE=language
    )

    no_server_error(answer)
    if stored is None:
        assert not CartItem.objects.exists()
        if answer.status_code == 302:  # zero: nothing in the cart
            assert Decimal(0) == Decimal(typed.replace(",", "."))
            return
        assert answer.status_code == 200  # the form again, with its error
        assert 'class="errorlist' in answer.content.decode() or "alert" in (answer.content.decode())
    else:
        assert answer.status_code == 302
        assert CartItem.objects.get().quantity == stored


@pytest.mark.parametrize(
    "typed", ["1.5", "NaN", "-1", "\u22121", "9" * 20, "1e3", "", "1.000", "Infinity"]
)
def test_a_hostile_quantity_in_the_cart_changes_nothing(client, chef, buyer, offer, typed):
    client.force_login(chef)
    client.post(f"/market/offers/{offer.uuid}/", {"quantity": "2"})
    answer = client.post(f"/market/cart/{offer.uuid}/", {"quantity": typed})

    no_server_error(answer)
    assert answer.status_code == 302 and answer["Location"] == "/market/cart/"
    assert CartItem.objects.get().quantity == 2


@pytest.mark.parametrize("typed", ["1 5", "2 5", "1 2", "3 0"])
def test_spaces_that_are_not_groups_of_three_are_refused(client, chef, buyer, offer, typed):
    client.force_login(chef)
    client.post(f"/market/offers/{offer.uuid}/", {"quantity": typed})
    assert not CartItem.objects.exists()


def test_zero_in_the_cart_removes_the_item_and_a_replay_changes_nothing(client, chef, buyer, offer):
    client.force_login(chef)
    client.post(f"/market/offers/{offer.uuid}/", {"quantity": "2,5"})
    for _ in range(3):
        answer = client.post(f"/market/cart/{offer.uuid}/", {"quantity": "-0"})
        assert answer.status_code == 302
    assert not CartItem.objects.exists()


def test_the_cart_of_an_offer_that_does_not_exist_is_not_found(client, chef, buyer):
    client.force_login(chef)
    answer = client.post("/market/cart/00000000-0000-0000-0000-000000000000/", {"quantity": "1"})
    assert answer.status_code == 404


def test_the_cart_refuses_get_and_strangers_without_an_account(client, offer):
    assert client.get(f"/market/cart/{offer.uuid}/").status_code in (302, 405)
    answer = client.post(f"/market/cart/{offer.uuid}/", {"quantity": "1"})
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    anonymous = client.post(f"/market/offers/{offer.uuid}/", {"quantity": "1"})
    assert anonymous.status_code == 302
    assert not CartItem.objects.exists()


def test_another_buyers_id_in_the_address_puts_nothing_in_their_cart(
    client, chef, buyer, offer, plot
):
    other = factories.UserFactory()
    theirs = restaurant_near(other, plot, name="Quán của người khác")
    client.force_login(chef)
    client.post(f"/market/offers/{offer.uuid}/?buyer={theirs.uuid}", {"quantity": "2"})

    assert list(CartItem.objects.values_list("buyer", flat=True)) == [buyer.pk]


def test_the_seller_without_a_buyer_adds_nothing(client, owner, offer):
    client.force_login(owner)
    answer = client.post(f"/market/offers/{offer.uuid}/", {"quantity": "2"})
    assert answer.status_code == 302 and answer["Location"] == "/market/buyer/"
    assert not CartItem.objects.exists()


# ---------------------------------------------------------------------------------------
# 1b. The market search's numbers and query string
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"max_price": "9" * 40},
        {"max_price": "9" * 5000},
        {"max_price": "-1"},
        {"max_price": "\u22121"},
        {"max_price": "NaN"},
        {"max_price": "12.000,5"},
        {"max_price": "1e9"},
        {"within_km": "9" * 40},
        {"within_km": "0"},
        {"within_km": "-0"},
        {"within_km": "2,5"},
        {"within_km": "Infinity"},
        {"page": "9" * 40},
        {"page": "-1"},
        {"page": "NaN"},
        {"available_on": "9999-99-99"},
        {"available_on": "31/02/2026"},
        {"sort": "price; DROP TABLE"},
        {"category": "x" * 10_000},
        {"q": "x" * 100_000},
        {"q": "\x00"},
        {"q": "%' OR 1=1 --"},
        {"buyer": "not-a-uuid"},
        {"buyer": "00000000-0000-0000-0000-000000000000"},
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_hostile_searches_never_fail(client, chef, buyer, offer, query, language):
    client.force_login(chef)
    answer = client.get("/market/", query, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200


def test_a_price_limit_typed_the_vietnamese_way_filters_as_meant(client, chef, buyer, offer):
    client.force_login(chef)
    under = client.get("/market/", {"max_price": "19.999", "within_km": "50"})
    over = client.get("/market/", {"max_price": "20.000", "within_km": "50"})
    assert under.context["page"].paginator.count == 0
    assert over.context["page"].paginator.count == 1


XSS_SEARCHES = [
    {"q": '"><script>alert(1)</script>'},
    {"q": "javascript:alert(1)"},
    {'"><img src=x onerror=alert(1)>': "1"},
    {"q": "x", "within_km": '50" onmouseover="alert(1)'},
    {"q": "'><svg/onload=alert(1)>"},
]


@pytest.mark.parametrize("query", XSS_SEARCHES)
def test_the_way_back_to_the_results_injects_no_markup(client, chef, buyer, offer, query):
    client.force_login(chef)
    client.get("/market/", query)
    page = client.get(f"/market/offers/{offer.uuid}/").content.decode()

    back = re.search(r'<a href="([^"]*)">← ', page)
    assert back is not None
    href = back[1]
    assert href.startswith("/market/?")
    assert not re.search(r"[<>\"' ]", href)
    assert "<script>alert(1)" not in page and "onerror=alert" not in page
    assert "<svg/onload" not in page


def test_a_huge_query_string_keeps_a_short_way_back(client, chef, buyer, offer):
    client.force_login(chef)
    answer = client.get("/market/", {"q": "rau" * 30_000, "pad": "é" * 20_000})
    assert answer.status_code == 200
    page = client.get(f"/market/offers/{offer.uuid}/").content.decode()
    back = re.search(r'<a href="([^"]*)">← ', page)[1]
    assert back.startswith("/market/?") and len(back) <= 2100


def test_the_search_of_one_person_is_not_the_way_back_of_another(client, chef, buyer, offer):
    client.force_login(chef)
    client.get("/market/", {"q": "bí-mật-của-chef"})
    other = Client()
    other.force_login(factories.UserFactory())
    page = other.get(f"/market/offers/{offer.uuid}/").content.decode()
    assert "bí-mật-của-chef" not in page and "b%C3%AD" not in page


# ---------------------------------------------------------------------------------------
# 1c. Numbers typed into admin forms (NumbersMixin): market prices as a surveyor
# ---------------------------------------------------------------------------------------


@pytest.fixture
def surveyor(db):
    return staff_member(factories.UserFactory(), EXTENSION_STAFF_GROUP)


def price_form(product, price: str, **extra) -> dict:
    return {
        "product": product.pk,
        "unit": "kg",
        "district": "Đông Anh",
        "price_per_unit": price,
        "observed_on": timezone.localdate().strftime("%d/%m/%Y"),
        **extra,
    }


PRICE_CASES = [
    ("12.000", "vi", 12000),
    ("12000", "vi", 12000),
    ("12 000", "vi", 12000),
    ("12.000,0", "vi", 12000),
    ("12,000", "en", 12000),
    ("12,5", "vi", None),
    ("12.5", "en", None),
    ("12.5", "vi", None),
    ("-12.000", "vi", None),
    ("\u221212.000", "vi", None),
    ("0", "vi", None),
    ("-0", "vi", None),
    ("NaN", "vi", None),
    ("Infinity", "en", None),
    ("1e4", "vi", None),
    ("9" * 19, "vi", None),
    ("9" * 40, "vi", None),
    ("9" * 5000, "en", None),
    ("12.00", "vi", None),
    ("1.2.3", "vi", None),
    ("", "vi", None),
    ("12.000.", "vi", None),
]


@pytest.mark.parametrize(("typed", "language", "stored"), PRICE_CASES)
def test_a_market_price_is_stored_as_meant_or_refused(
    client, surveyor, product, typed, language, stored
):
    client.force_login(surveyor)
    answer = client.post(
        "/admin/marketplace/marketprice/add/",
        price_form(product, typed),
        HTTP_ACCEPT_LANGUAGE=language,
    )

    no_server_error(answer)
    if stored is None:
        assert answer.status_code == 200
        assert not MarketPrice.objects.exists()
    else:
        assert answer.status_code == 302, answer.content.decode()[:2000]
        assert MarketPrice.objects.get().price_per_unit == stored


# ---------------------------------------------------------------------------------------
# 2. Prices far from the recent median must be confirmed; only surveyors record prices
# ---------------------------------------------------------------------------------------


@pytest.fixture
def recent_prices(surveyor, product):
    survey_prices(product, (11000, 12000, 13000), surveyor)


@pytest.mark.parametrize("tick", ["", "false", "False", "0"])
@pytest.mark.parametrize("price", ["120.000", "1.200", "3.999"])
def test_an_unusual_price_is_not_saved_without_a_real_tick(
    client, surveyor, product, recent_prices, tick, price
):
    client.force_login(surveyor)
    answer = client.post(
        "/admin/marketplace/marketprice/add/", price_form(product, price, price_is_right=tick)
    )
    assert answer.status_code == 200
    assert 'name="price_is_right"' in answer.content.decode()
    assert MarketPrice.objects.count() == 3


@pytest.mark.parametrize("price", ["36.000", "4.000"])
def test_a_price_within_three_times_the_median_needs_no_tick(
    client, surveyor, product, recent_prices, price
):
    client.force_login(surveyor)
    answer = client.post("/admin/marketplace/marketprice/add/", price_form(product, price))
    assert answer.status_code == 302
    assert MarketPrice.objects.count() == 4


def test_a_tick_for_one_price_does_not_confirm_another(client, surveyor, product, recent_prices):
    client.force_login(surveyor)
    first = client.post(
        "/admin/marketplace/marketprice/add/",
        price_form(product, "120.000", price_is_right="on", district=""),
    )
    assert first.status_code == 200
    carried = dict(
        re.findall(
            r'<input type="hidden" name="(price_is_right)" value="([^"]*)"', first.content.decode()
        )
    )
    # The person fixes the district and, by another slip, types a second unusual price.
    client.post(
        "/admin/marketplace/marketprice/add/",
        price_form(product, "1.200.000", **carried),
    )
    assert not MarketPrice.objects.filter(price_per_unit=1_200_000).exists()


@pytest.mark.parametrize("role", ["cooperative", "inspector", "plain_staff", "farmer"])
def test_people_who_are_not_surveyors_record_no_price(client, owner, product, role):
    person = {
        "cooperative": lambda: staff_member(factories.UserFactory(), COOPERATIVE_STAFF_GROUP),
        "inspector": lambda: staff_member(factories.UserFactory(), INSPECTOR_GROUP),
        "plain_staff": lambda: factories.UserFactory(is_staff=True),
        "farmer": lambda: owner,
    }[role]()
    client.force_login(person)
    answer = client.post(
        "/admin/marketplace/marketprice/add/",
        price_form(product, "12.000", price_is_right="on"),
    )
    assert answer.status_code in (302, 403)
    if answer.status_code == 302:
        assert answer["Location"].startswith("/admin/login/")
    assert not MarketPrice.objects.exists()


def test_a_surveyor_may_not_edit_an_entry(client, surveyor, product, recent_prices):
    entry = MarketPrice.objects.first()
    client.force_login(surveyor)
    answer = client.post(
        f"/admin/marketplace/marketprice/{entry.pk}/change/",
        price_form(product, "99.000", price_is_right="on"),
    )
    no_server_error(answer)
    entry.refresh_from_db()
    assert entry.price_per_unit in (11000, 12000, 13000)
    assert not MarketPrice.objects.filter(price_per_unit=99000).exists()


def test_a_non_surveyor_deletes_no_price(client, product, recent_prices):
    entry = MarketPrice.objects.first()
    clerk = staff_member(factories.UserFactory(), COOPERATIVE_STAFF_GROUP)
    client.force_login(clerk)
    answer = client.post(f"/admin/marketplace/marketprice/{entry.pk}/delete/", {"post": "yes"})
    assert answer.status_code in (302, 403, 404)
    assert MarketPrice.objects.filter(pk=entry.pk).exists()


# ---------------------------------------------------------------------------------------
# 3. Orders: other people's orders, statuses not allowed for the role
# ---------------------------------------------------------------------------------------


@pytest.fixture
def order(chef, buyer, offer):
    return place(chef, buyer, offer)


def test_a_stranger_neither_sees_nor_moves_an_order(client, stranger, order):
    client.force_login(stranger)
    assert client.get(f"/market/orders/{order.code}/").status_code == 404
    answer = client.post(
        f"/market/orders/{order.code}/status/", {"status": "cancelled", "reason": "x"}
    )
    assert answer.status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


def test_an_anonymous_visitor_is_sent_to_sign_in(client, order):
    answer = client.post(f"/market/orders/{order.code}/status/", {"status": "cancelled"})
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("buyer", "confirmed"),
        ("buyer", "shipped"),
        ("buyer", "delivered"),
        ("buyer", "completed"),
        ("buyer", "rejected"),
        ("seller", "completed"),
        ("seller", "delivered"),
        ("seller", "shipped"),
        ("seller", "cancelled"),
        ("seller", "placed"),
        ("buyer", "placed"),
        ("buyer", "bogus"),
        ("seller", ""),
        ("seller", "CONFIRMED"),
        ("seller", "confirmed\x00"),
    ],
)
def test_a_status_the_role_may_not_give_is_refused(client, owner, chef, order, who, status):
    client.force_login({"buyer": chef, "seller": owner}[who])
    answer = client.post(
        f"/market/orders/{order.code}/status/", {"status": status, "reason": "vì thế"}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/market/orders/{order.code}/"
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    assert not order.changes.exclude(to_status=Order.Status.PLACED).exists()


def test_a_rejection_without_a_reason_or_with_a_huge_one_is_refused(client, owner, order):
    client.force_login(owner)
    for reason in ("", "   ", "x" * 501, "x" * 100_000):
        client.post(
            f"/market/orders/{order.code}/status/", {"status": "rejected", "reason": reason}
        )
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


def test_a_reason_with_markup_is_shown_as_text(client, owner, chef, order):
    client.force_login(owner)
    client.post(
        f"/market/orders/{order.code}/status/",
        {"status": "rejected", "reason": "<script>alert('x')</script>"},
    )
    order.refresh_from_db()
    assert order.status == Order.Status.REJECTED
    client.force_login(chef)
    page = client.get(f"/market/orders/{order.code}/").content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;" in page


def test_a_reason_with_control_characters_is_refused(client, owner, order):
    client.force_login(owner)
    client.post(
        f"/market/orders/{order.code}/status/",
        {"status": "rejected", "reason": "hết hàng\x1b[31m\x07"},
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


def test_a_replayed_cancellation_is_recorded_once(client, chef, order):
    client.force_login(chef)
    for _ in range(3):
        client.post(f"/market/orders/{order.code}/status/", {"status": "cancelled"})
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.changes.filter(to_status=Order.Status.CANCELLED).count() == 1


@pytest.mark.parametrize(
    "code",
    [
        "x" * 5000,
        "..%2F..%2Fadmin",
        "<script>",
        pytest.param("%00"),
        pytest.param("A%00B"),
    ],
)
def test_hostile_order_codes_are_not_found(client, chef, order, code):
    client.force_login(chef)
    assert client.get(f"/market/orders/{code}/").status_code == 404
    answer = client.post(f"/market/orders/{code}/status/", {"status": "cancelled"})
    assert answer.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_and_a_confirmation_at_once_leave_one_outcome(
    owner, coop, product, harvested
):
    from marketplace.services.offers import LotShare, create_offer
    from tests.marketplace.conftest import offer_terms

    chef = factories.UserFactory()
    plot = harvested.origin_plots.first()
    buyer = restaurant_near(chef, plot)
    offer = create_offer(
        owner,
        producer=coop,
        product=product,
        shares=[LotShare(harvested, Decimal(40))],
        **offer_terms(),
    )
    placed = place(chef, buyer, offer)
    barrier = threading.Barrier(2)
    answers = {}

    def act(person, status):
        browser = Client()
        browser.force_login(person)
        barrier.wait()
        try:
            answers[status] = browser.post(
                f"/market/orders/{placed.code}/status/", {"status": status}, follow=True
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(owner, "confirmed")),
        threading.Thread(target=act, args=(chef, "cancelled")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    placed.refresh_from_db()
    offer.refresh_from_db()
    assert all(a.status_code == 200 for a in answers.values())
    assert placed.status in (Order.Status.CONFIRMED, Order.Status.CANCELLED)
    assert placed.changes.exclude(to_status=Order.Status.PLACED).count() == 1
    reserved = placed.status == Order.Status.CONFIRMED
    assert offer.quantity_available == (Decimal(30) if reserved else Decimal(40))


# ---------------------------------------------------------------------------------------
# 4. Signing in: each role to its workspace, never off-site
# ---------------------------------------------------------------------------------------

OFF_SITE = [
    "https://evil.example",
    "http://evil.example/market/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    " //evil.example",
    "\t//evil.example",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://testserver@evil.example",
    "https://evil.example\\@testserver",
    "//testserver.evil.example",
    "https://evil.example%2F@testserver",
    "/%0d%0aSet-Cookie:x=1",
]


def signed_in_user(role, inspector, owner, chef):
    extension = staff_member(factories.UserFactory(), EXTENSION_STAFF_GROUP)
    owner.is_staff = True
    owner.save()
    person = {"inspector": inspector, "extension": extension, "cooperative": owner, "buyer": chef}
    person[role].set_password(PASSWORD)
    person[role].save()
    return person[role]


LANDING = {
    "inspector": "/admin/traceability/hold/?released_at__isempty=1",
    "extension": "/knowledge/staff/",
    "cooperative": "/admin/traceability/batch/",
    "buyer": "/market/",
}


@pytest.mark.parametrize("target", OFF_SITE)
@pytest.mark.parametrize("role", list(LANDING))
def test_next_never_leads_off_site(client, inspector, owner, chef, buyer, role, target):
    person = signed_in_user(role, inspector, owner, chef)
    answer = client.post(
        "/accounts/login/?next=" + target,
        {"username": person.phone, "password": PASSWORD, "next": target},
    )

    assert answer.status_code == 302
    location = answer["Location"]
    assert "\r" not in location and "\n" not in location
    parts = urlsplit(location)
    assert parts.scheme == "" and parts.netloc == "", location
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    if not target.startswith("/%0d"):
        assert location == LANDING[role]


def test_a_next_on_the_site_is_followed(client, inspector, owner, chef, buyer):
    person = signed_in_user("buyer", inspector, owner, chef)
    answer = client.post(
        "/accounts/login/",
        {"username": person.phone, "password": PASSWORD, "next": "/market/orders/"},
    )
    assert answer["Location"] == "/market/orders/"


@pytest.mark.parametrize("password", ["", "sai", "x" * 10_000, "\x00", PASSWORD.upper()])
def test_a_wrong_password_leads_nowhere(client, inspector, owner, chef, buyer, password):
    person = signed_in_user("buyer", inspector, owner, chef)
    answer = client.post(
        "/accounts/login/",
        {"username": person.phone, "password": password, "next": "https://evil.example"},
    )
    no_server_error(answer)
    assert answer.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "username",
    [
        pytest.param("x" * 10_000),
        pytest.param("0" * 256),
        "x" * 255,
        "\x00",
        "' OR 1=1 --",
        "+84 91 0000000",
    ],
)
def test_a_hostile_user_name_signs_no_one_in(client, db, username):
    answer = client.post("/accounts/login/", {"username": username, "password": "x"})
    no_server_error(answer)
    assert "_auth_user_id" not in client.session


# ---------------------------------------------------------------------------------------
# 5. Copy reports from the scan page
# ---------------------------------------------------------------------------------------


@pytest.fixture
def label(harvested):
    return add_label(harvested)


def report_token_from(shopper, label) -> str:
    return _REPORT_TOKEN.search(shopper.get(f"/s/{label.serial}").content.decode())[1]


def old_token(label, seconds_ago: int) -> str:
    signer = signing.TimestampSigner(salt="traceability.copy-report")
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - seconds_ago)
    return signer.sign_object(label.pk)


@pytest.mark.parametrize(
    "forge",
    [
        lambda label: "",
        lambda label: "x" * 100_000,
        lambda label: signing.dumps(label.pk, salt="another-salt"),
        lambda label: signing.dumps(label.pk),
        lambda label: signing.dumps(label.pk, salt="traceability.copy-report", key="not-ours"),
        lambda label: old_token(label, 25 * 3600),
        lambda label: signing.dumps(label.pk, salt="traceability.copy-report")[:-2] + "AA",
        lambda label: label.serial,
    ],
    ids=["empty", "huge", "other salt", "no salt", "other key", "expired", "tampered", "serial"],
)
def test_a_forged_or_expired_token_reports_nothing(label, forge):
    shopper = phone("198.51.100.30")
    answer = shopper.post("/scan/report", {"token": forge(label), "note": "giả"})
    assert answer.status_code == 400
    assert not CopyReport.objects.exists()
    label.refresh_from_db()
    assert label.suspicion == ""


def test_the_location_token_is_not_a_report_token(label):
    shopper = phone("198.51.100.31")
    page = shopper.get(f"/s/{label.serial}")
    location_token = token_in(page)
    if location_token:
        answer = shopper.post("/scan/report", {"token": location_token, "note": "giả"})
        assert answer.status_code == 400
    assert not CopyReport.objects.exists()


def test_a_fresh_token_still_works_just_inside_a_day(label):
    answer = phone("198.51.100.32").post(
        "/scan/report", {"token": old_token(label, 23 * 3600), "note": "tem mờ"}
    )
    assert answer.status_code == 200
    assert CopyReport.objects.get().note == "tem mờ"


def test_a_token_names_its_own_label_only(harvested):
    first, second = add_label(harvested), add_label(harvested)
    shopper = phone("198.51.100.33")
    token = report_token_from(shopper, first)
    shopper.post("/scan/report", {"token": token, "note": "x", "label": second.pk})
    assert list(CopyReport.objects.values_list("label", flat=True)) == [first.pk]


@pytest.mark.parametrize(
    "words",
    [
        {"bought_at": "x" * 201},
        {"note": "x" * 1_000_001},
        {"note": "tem\x00giả"},
        {"note": "tem\x1b]0;pwned\x07"},
        {"bought_at": "Chợ\u0085Long Biên"},
        {"bought_at": "Chợ\nLong Biên"},
        {"note": "\x7f"},
    ],
    ids=["long place", "megabyte note", "NUL", "OSC escape", "C1 NEL", "newline in a line", "DEL"],
)
def test_hostile_words_are_refused(label, words):
    shopper = phone("198.51.100.34")
    token = report_token_from(shopper, label)
    answer = shopper.post("/scan/report", {"token": token, **words})
    no_server_error(answer)
    assert answer.status_code == 400
    assert not CopyReport.objects.exists()


def test_a_report_is_only_posted(label):
    assert phone("198.51.100.35").get("/scan/report").status_code == 405


def test_many_reports_from_many_networks_never_warn_the_public(label):
    for n in range(12):
        shopper = phone(f"203.0.113.{n + 1}")
        token = report_token_from(shopper, label)
        assert shopper.post("/scan/report", {"token": token, "note": f"lần {n}"}).status_code == 200
    label.refresh_from_db()
    assert not label.public_warning
    assert not warned(label)


def test_a_forwarded_for_header_does_not_lift_the_limit(label, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    shopper = phone("198.51.100.36")
    token = report_token_from(shopper, label)
    answers = [
        shopper.post(
            "/scan/report", {"token": token, "note": "x"}, HTTP_X_FORWARDED_FOR=f"10.0.{n}.1"
        ).status_code
        for n in range(11)
    ]
    assert answers[-1] == 429


def test_markup_in_a_report_is_text_in_the_admin(client, admin_user, label):
    shopper = phone("198.51.100.38")
    token = report_token_from(shopper, label)
    shopper.post(
        "/scan/report",
        {
            "token": token,
            "bought_at": '"><img src=x onerror=alert(1)>',
            "note": "<script>alert(document.cookie)</script>",
        },
    )
    report = CopyReport.objects.get()
    client.force_login(admin_user)
    for url in (
        "/admin/traceability/copyreport/",
        f"/admin/traceability/copyreport/{report.pk}/change/",
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(document.cookie)" not in page
        assert "<img src=x onerror" not in page
    listing = client.get("/admin/traceability/copyreport/").content.decode()
    assert "&lt;script&gt;" in listing


def test_a_stranger_in_the_admin_does_not_read_another_producers_reports(client, label):
    shopper = phone("198.51.100.39")
    shopper.post("/scan/report", {"token": report_token_from(shopper, label), "note": "bí mật"})
    outsider = factories.member(factories.UserFactory(is_staff=True), factories.ProducerFactory())
    outsider.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    client.force_login(outsider)
    answer = client.get("/admin/traceability/copyreport/")
    assert "bí mật" not in answer.content.decode()
    report = CopyReport.objects.get()
    detail = client.get(f"/admin/traceability/copyreport/{report.pk}/change/")
    assert detail.status_code in (302, 403, 404)


# ---------------------------------------------------------------------------------------
# 6. Answers to farmers' questions
# ---------------------------------------------------------------------------------------


@pytest.fixture
def editor(db):
    user = factories.UserFactory(full_name="KS. Phạm Thị Hoa")
    user.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    return user


@pytest.fixture
def question(owner):
    text = ArticleText("Lá lúa bị vàng?", "", "Lá lúa nhà tôi vàng từ mép, phải làm sao?")
    return propose(owner, kind="question", text=text, category="pests")


@pytest.fixture
def tip(owner):
    text = ArticleText("Bẫy đèn", "", "Đặt bẫy đèn buổi tối.")
    return propose(owner, kind="tip", text=text, category="pests")


def review_url(proposal) -> str:
    return f"/knowledge/staff/proposals/{proposal.uuid}/"


@pytest.mark.parametrize("role", ["anonymous", "farmer", "cooperative", "inspector", "stranger"])
@pytest.mark.parametrize("decision", ["answer", "reject", "accept"])
def test_people_who_are_not_editors_neither_answer_nor_decide(
    client, owner, stranger, question, role, decision
):
    people = {
        "farmer": lambda: owner,
        "cooperative": lambda: staff_member(factories.UserFactory(), COOPERATIVE_STAFF_GROUP),
        "inspector": lambda: staff_member(factories.UserFactory(), INSPECTOR_GROUP),
        "stranger": lambda: stranger,
    }
    if role != "anonymous":
        client.force_login(people[role]())
    answer = client.post(
        review_url(question), {"decision": decision, "answer": "bón vôi", "reason": "không"}
    )
    assert answer.status_code in (302, 403)
    if answer.status_code == 302:
        assert answer["Location"].startswith("/accounts/login/")
    question.refresh_from_db()
    assert (question.status, question.answer) == ("pending", "")


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "answer", "answer": "Không phải câu hỏi."},
        {"decision": "ANSWER", "answer": "x"},
        {"answer": "x"},
        {"decision": "", "answer": "x"},
        {"decision": "answer\x00", "answer": "x"},
        {"decision": ["answer", "accept"], "answer": "x"},
    ],
)
def test_a_tip_is_not_answered(client, editor, tip, data):
    client.force_login(editor)
    answer = client.post(review_url(tip), data)
    no_server_error(answer)
    tip.refresh_from_db()
    assert tip.status == "pending" and tip.answer == ""


@pytest.mark.parametrize(
    "text",
    ["", "   ", "x" * 4001, "x" * 200_000, "bón\x00vôi", "bón\x1b[2Jvôi", "bón\x9bvôi"],
    ids=["empty", "blank", "too long", "huge", "NUL", "ESC", "C1 CSI"],
)
def test_a_bad_answer_saves_nothing(client, editor, question, text):
    client.force_login(editor)
    answer = client.post(review_url(question), {"decision": "answer", "answer": text})
    no_server_error(answer)
    assert answer.status_code == 200
    question.refresh_from_db()
    assert (question.status, question.answer) == ("pending", "")


@pytest.mark.parametrize(
    "decision", [{"decision": "accept"}, {"decision": "reject", "reason": "x"}]
)
def test_a_question_is_not_accepted_and_a_replayed_answer_changes_nothing(
    client, editor, question, decision
):
    client.force_login(editor)
    first = client.post(review_url(question), {"decision": "answer", "answer": "Bón kali."})
    assert first.status_code == 302
    again = client.post(review_url(question), {"decision": "answer", "answer": "Khác."})
    other = client.post(review_url(question), decision)
    assert again.status_code == other.status_code == 200
    question.refresh_from_db()
    assert (question.status, question.answer) == ("answered", "Bón kali.")


def test_a_rejection_reason_with_control_characters_is_refused(client, editor, question):
    client.force_login(editor)
    client.post(review_url(question), {"decision": "reject", "reason": "trùng\x1b[31m\x07"})
    question.refresh_from_db()
    assert question.status == "pending"


XSS_ANSWER = '<script>alert(1)</script><img src=x onerror=alert(2)>\n"><a href="javascript:x">'


def test_markup_in_an_answer_is_text_for_the_farmer(client, editor, owner, question, api):
    client.force_login(editor)
    assert (
        client.post(review_url(question), {"decision": "answer", "answer": XSS_ANSWER}).status_code
        == 302
    )
    client.force_login(owner)
    page = client.get("/knowledge/propose/").content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert 'href="javascript:x"' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    mine = api.ok("{ myProposals { uuid status answer } }")["myProposals"]
    assert mine == [{"uuid": str(question.uuid), "status": "ANSWERED", "answer": XSS_ANSWER}]


def test_another_farmer_does_not_read_the_answer(client, editor, question, stranger):
    client.force_login(editor)
    client.post(review_url(question), {"decision": "answer", "answer": "Riêng cho bạn."})
    client.force_login(stranger)
    assert "Riêng cho bạn." not in client.get("/knowledge/propose/").content.decode()


def test_an_unknown_proposal_is_not_found(client, editor):
    client.force_login(editor)
    answer = client.post(
        "/knowledge/staff/proposals/00000000-0000-0000-0000-000000000000/",
        {"decision": "answer", "answer": "x"},
    )
    assert answer.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_editors_answering_at_once_leave_one_answer(owner):
    group = Group.objects.get(name=EXTENSION_STAFF_GROUP)
    editors = [factories.UserFactory() for _ in range(2)]
    for person in editors:
        person.groups.add(group)
    text = ArticleText("Rầy nâu?", "", "Rầy nâu nhiều, làm sao?")
    asked = propose(owner, kind="question", text=text, category="pests")
    barrier = threading.Barrier(2)
    codes = []

    def answer(person, words):
        browser = Client()
        browser.force_login(person)
        barrier.wait()
        try:
            codes.append(
                browser.post(review_url(asked), {"decision": "answer", "answer": words}).status_code
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(person, f"Trả lời {n}"))
        for n, person in enumerate(editors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    asked.refresh_from_db()
    assert sorted(codes) == [200, 302]
    assert asked.status == "answered" and asked.answer in ("Trả lời 0", "Trả lời 1")


# ---------------------------------------------------------------------------------------
# 7. The lot pages of the admin: other producers' lots, recalled lots, hostile numbers
# ---------------------------------------------------------------------------------------


@pytest.fixture
def clerk(owner):
    owner.is_staff = True
    owner.save()
    owner.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    return owner


def when(days_ago: float) -> str:
    return moment(days_ago).strftime("%d/%m/%Y %H:%M")


ACTIONS = {
    "split": {"quantities": "12,5; 7,5", "occurred_at": when(0.5)},
    "labels": {"count": "6", "layout": "a4_3x8"},
    "recall": {"reason": "Dư lượng vượt ngưỡng"},
    "withdraw": {"reason": "Nhầm lô"},
    "release": {"reason": "Kết quả kiểm nghiệm đạt"},
}


def unchanged(batch) -> None:
    fresh = Batch.objects.get(pk=batch.pk)
    assert fresh.status == batch.status
    assert fresh.remaining_quantity == batch.remaining_quantity
    assert not Batch.objects.filter(parent_links__parent=batch).exists()
    assert not LabelSheet.objects.filter(batch=batch).exists()


@pytest.mark.parametrize("action", list(ACTIONS))
def test_another_producers_staff_cannot_act_on_a_lot(client, harvested, action):
    outsider = factories.member(factories.UserFactory(is_staff=True), factories.ProducerFactory())
    outsider.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    client.force_login(outsider)
    for method in (client.get, client.post):
        answer = method(f"/admin/traceability/batch/{harvested.pk}/{action}/", ACTIONS[action])
        assert answer.status_code in (403, 404)
    unchanged(harvested)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_member_without_the_admin_is_sent_to_its_sign_in(client, owner, harvested, action):
    client.force_login(owner)  # an owner, but not staff
    answer = client.post(f"/admin/traceability/batch/{harvested.pk}/{action}/", ACTIONS[action])
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
    unchanged(harvested)


@pytest.mark.parametrize("action", ["split", "labels"])
def test_an_inspector_cannot_operate_a_producers_lot(client, inspector, harvested, action):
    inspector.is_staff = True
    inspector.save()
    client.force_login(inspector)
    answer = client.post(f"/admin/traceability/batch/{harvested.pk}/{action}/", ACTIONS[action])
    no_server_error(answer)
    assert answer.status_code in (200, 403, 404)
    unchanged(harvested)


@pytest.mark.parametrize("action", ["split", "labels", "recall"])
def test_a_recalled_lot_refuses_what_its_page_hides(client, clerk, owner, harvested, action):
    recall_batch(owner, harvested, "Dư lượng vượt ngưỡng")
    harvested.refresh_from_db()
    client.force_login(clerk)
    answer = client.post(f"/admin/traceability/batch/{harvested.pk}/{action}/", ACTIONS[action])
    no_server_error(answer)
    assert answer.status_code == 200  # the form again, with the service's refusal
    assert "errorlist" in answer.content.decode() or "errornote" in answer.content.decode()
    unchanged(harvested)


@pytest.mark.parametrize("action", ["withdraw", "release"])
def test_a_lot_neither_recalled_nor_held_has_nothing_to_lift(client, clerk, harvested, action):
    client.force_login(clerk)
    answer = client.post(f"/admin/traceability/batch/{harvested.pk}/{action}/", ACTIONS[action])
    no_server_error(answer)
    assert answer.status_code == 200
    unchanged(harvested)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_lot_that_does_not_exist_is_not_found(client, clerk, action):
    client.force_login(clerk)
    answer = client.post(f"/admin/traceability/batch/999999999/{action}/", ACTIONS[action])
    assert answer.status_code == 404


SPLITS = [
    ("12.5; 7.5", "vi"),
    ("12,5; 7,5", "en"),
    ("1e1; 2", "vi"),
    ("NaN; 1", "vi"),
    ("Infinity; 1", "en"),
    ("-1; 2", "vi"),
    ("\u22121; 2", "vi"),
    ("0; 5", "vi"),
    ("-0; 5", "vi"),
    ("60; 60", "vi"),  # more than the 100 kg
    ("9" * 30 + "; 1", "vi"),
    ("9" * 5000 + "; 1", "en"),
    ("0,0001; 1", "vi"),
    (";;;", "vi"),
    ("5", "vi"),
    ("1;" * 2000, "vi"),
    ("1 ; 2 ; abc", "vi"),
    ("1\x00; 2", "vi"),
]


@pytest.mark.parametrize(("quantities", "language"), SPLITS)
def test_a_hostile_split_makes_no_lot(client, clerk, harvested, quantities, language):
    client.force_login(clerk)
    answer = client.post(
        f"/admin/traceability/batch/{harvested.pk}/split/",
        {"quantities": quantities, "occurred_at": when(0.5)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    no_server_error(answer)
    assert answer.status_code == 200
    unchanged(harvested)


@pytest.mark.parametrize(
    ("quantities", "language", "made"),
    [
        ("12,5; 7,5", "vi", [Decimal("12.5"), Decimal("7.5")]),
        ("12.5; 7.5", "en", [Decimal("12.5"), Decimal("7.5")]),
        (" 10 ;20; ", "vi", [Decimal(10), Decimal(20)]),
        ("50; 50", "vi", [Decimal(50), Decimal(50)]),
    ],
)
def test_a_split_typed_in_either_language_is_read_as_meant(
    client, clerk, harvested, quantities, language, made
):
    client.force_login(clerk)
    answer = client.post(
        f"/admin/traceability/batch/{harvested.pk}/split/",
        {"quantities": quantities, "occurred_at": when(0.5)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert answer.status_code == 302
    children = Batch.objects.filter(parent_links__parent=harvested).order_by("pk")
    assert [c.quantity for c in children] == made


def test_a_replayed_split_takes_no_more_than_the_lot_has(client, clerk, harvested):
    client.force_login(clerk)
    for _ in range(4):
        client.post(
            f"/admin/traceability/batch/{harvested.pk}/split/",
            {"quantities": "30; 10", "occurred_at": when(0.5)},
        )
    harvested.refresh_from_db()
    assert harvested.remaining_quantity >= 0
    children = Batch.objects.filter(parent_links__parent=harvested)
    assert sum(c.quantity for c in children) <= 100


@pytest.mark.parametrize(
    "count", ["0", "-1", "\u22121", "9" * 30, "1e3", "24,5", "24.5", "NaN", "", "１e3", "1.000.000"]
)
def test_a_hostile_label_count_orders_nothing(client, clerk, harvested, count):
    client.force_login(clerk)
    answer = client.post(
        f"/admin/traceability/batch/{harvested.pk}/labels/", {"count": count, "layout": "a4_3x8"}
    )
    no_server_error(answer)
    assert answer.status_code == 200
    assert not LabelSheet.objects.exists()


@pytest.mark.parametrize("layout", ["", "nope", "../../etc/passwd", "a4_3x8\x00", "x" * 10_000])
def test_an_unknown_sticker_layout_orders_nothing(client, clerk, harvested, layout):
    client.force_login(clerk)
    answer = client.post(
        f"/admin/traceability/batch/{harvested.pk}/labels/", {"count": "6", "layout": layout}
    )
    no_server_error(answer)
    assert answer.status_code == 200
    assert not LabelSheet.objects.exists()


@pytest.mark.parametrize(
    "reason",
    [
        "",
        "   ",
        "Lỗi\x00",
        pytest.param("x" * 200_000),
        pytest.param("Đừng ăn\x1b[2J\x07"),
    ],
)
def test_a_recall_needs_a_sensible_notice(client, clerk, harvested, reason):
    client.force_login(clerk)
    answer = client.post(f"/admin/traceability/batch/{harvested.pk}/recall/", {"reason": reason})
    no_server_error(answer)
    harvested.refresh_from_db()
    assert harvested.status != Batch.Status.RECALLED


def test_a_recall_notice_with_markup_is_text_on_the_scan_page(client, clerk, harvested):
    label = add_label(harvested)
    client.force_login(clerk)
    answer = client.post(
        f"/admin/traceability/batch/{harvested.pk}/recall/",
        {"reason": "<script>alert(1)</script> Đừng ăn"},
    )
    assert answer.status_code == 302
    page = phone("192.0.2.60").get(f"/s/{label.serial}").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("serial", ["%00", "A%00", "x" * 5000, "%E2%80%AE", "..%2F..%2F"])
def test_a_hostile_serial_on_the_scan_page_is_not_found(db, serial):
    answer = phone("192.0.2.61").get(f"/s/{serial}")
    no_server_error(answer)
    assert answer.status_code == 404


def test_zero_on_the_offer_page_does_not_say_it_was_added(client, chef, buyer, offer):
    client.force_login(chef)
    answer = client.post(f"/market/offers/{offer.uuid}/", {"quantity": "0"}, follow=True)
    assert not CartItem.objects.exists()
    said = [str(m) for m in answer.context["messages"]]
    assert "Đã thêm vào giỏ hàng." not in said


SIGN_IN = """mutation($phone: String!, $password: String!) {
  signIn(input: {phone: $phone, password: $password}) { errors { code } } }"""


@pytest.mark.parametrize("phone_number", ["x" * 255, "\x00", "0912 000 111", "1" * 200])
def test_the_app_sign_in_refuses_hostile_phone_numbers_without_failing(client, db, phone_number):
    answer = client.post(
        "/graphql",
        {"query": SIGN_IN, "variables": {"phone": phone_number, "password": "x"}},
        content_type="application/json",
    )
    no_server_error(answer)
    body = answer.json()
    assert body.get("errors") or body["data"]["signIn"]["errors"]
    assert "_auth_user_id" not in client.session
