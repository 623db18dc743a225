"""Guessing is throttled per account at an address and per network, never so that a
stranger can lock a farmer out of their account everywhere."""

import pytest
from axes.models import AccessAttempt

from tests.factories import UserFactory
from tests.mobile_api.conftest import PASSWORD, Api

SIGN_IN = """mutation($phone: String!, $password: String!) {
  signIn(input: {phone: $phone, password: $password}) {
    errors { field code message } tokens { accessToken } } }"""


@pytest.fixture
def farmer(db):
    return UserFactory(phone="+84912000222")


def sign_in(api, password, address="203.0.113.7", phone="0912000222"):
    body = api(SIGN_IN, {"phone": phone, "password": password}, REMOTE_ADDR=address)
    return body["data"]["signIn"]


def codes(result) -> list[str]:
    return [error["code"] for error in result["errors"]]


def test_wrong_passwords_lock_the_account_at_that_address_with_a_typed_error(
    anonymous_api, farmer, settings
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert codes(sign_in(anonymous_api, "wrong-guess")) in (
            ["wrong_credentials"],
            ["locked_out"],
        )
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT
    assert codes(sign_in(anonymous_api, PASSWORD)) == ["locked_out"]  # even the right one


def test_the_owner_still_gets_in_from_another_address(anonymous_api, farmer, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 2):
        sign_in(anonymous_api, "wrong-guess", address="198.51.100.66")
    mine = sign_in(anonymous_api, PASSWORD, address="203.0.113.7")
    assert mine["errors"] == [] and mine["tokens"]["accessToken"]


def test_a_network_guessing_many_accounts_is_stopped(anonymous_api, db, settings):
    settings.LOGIN_FAILURES_PER_NETWORK = 10
    phones = [f"09120003{n:02d}" for n in range(12)]
    for phone in phones:
        UserFactory(phone="+84" + phone[1:])
    results = [sign_in(anonymous_api, "wrong-guess", phone=phone) for phone in phones]
    assert codes(results[-1]) == ["locked_out"]
    locked = sign_in(anonymous_api, PASSWORD, phone=phones[0])
    assert codes(locked) == ["locked_out"]
    elsewhere = sign_in(anonymous_api, PASSWORD, phone=phones[0], address="192.0.2.10")
    assert elsewhere["errors"] == []


def test_an_ipv6_subscriber_is_one_network(anonymous_api, farmer, settings):
    settings.LOGIN_FAILURES_PER_NETWORK = 3
    for host in range(4):
        sign_in(anonymous_api, "wrong-guess", address=f"2001:db8:1:2::{host + 1}")
    assert codes(sign_in(anonymous_api, PASSWORD, address="2001:db8:1:2::99")) == ["locked_out"]


def test_behind_a_proxy_the_forwarded_address_counts(client, farmer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURES_PER_NETWORK = 3
    api = Api(client)
    for _attempt in range(3):
        api(SIGN_IN, {"phone": "0912000222", "password": "x"}, HTTP_X_FORWARDED_FOR="192.0.2.1")
    other = api(
        SIGN_IN, {"phone": "0912000222", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.2"
    )
    assert other["data"]["signIn"]["errors"] == []


def test_web_logins_lock_per_address_too(client, db, settings):
    staff = UserFactory(phone="+84912000111", is_staff=True)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/?next=/admin/",
            {"username": "0912000111", "password": "wrong"},
            REMOTE_ADDR="198.51.100.66",
        )
    locked = client.post(
        "/admin/login/?next=/admin/",
        {"username": "0912000111", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.66",
    )
    assert locked.status_code == 429
    mine = client.post(
        "/admin/login/?next=/admin/",
        {"username": "0912000111", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert mine.status_code == 302 and int(client.session["_auth_user_id"]) == staff.pk
