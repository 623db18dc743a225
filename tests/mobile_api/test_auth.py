import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiSession, User
from tests.factories import UserFactory
from tests.mobile_api.conftest import PASSWORD, Api

SIGN_UP = """mutation($input: SignUpInput!) { signUp(input: $input) {
  errors { field code message } user { phone } tokens { accessToken } } }"""
SIGN_IN = """mutation($phone: String!, $password: String!) {
  signIn(input: {phone: $phone, password: $password}) {
    errors { field code message } tokens { accessToken refreshToken accessExpiresAt } } }"""
REFRESH = """mutation($token: String!) { refreshTokens(input: {refreshToken: $token}) {
  errors { field code } tokens { accessToken refreshToken } } }"""
SIGN_OUT = "mutation { signOut { errors { code } ok } }"
ME = "{ me { phone fullName } }"


@pytest.fixture
def farmer(db):
    return UserFactory(phone="+84912000222", full_name="Lê Thị Hoa")


def sign_in(api, phone="0912000222", password=PASSWORD):
    return api(SIGN_IN, {"phone": phone, "password": password})["data"]["signIn"]


def test_sign_up_then_use_the_token(anonymous_api, client, db):
    data = anonymous_api.ok(
        SIGN_UP,
        {"input": {"phone": "0905 111 222", "password": PASSWORD, "fullName": "Phạm Văn An"}},
    )["signUp"]
    assert data["user"]["phone"] == "+84905111222"
    me = Api(client, data["tokens"]["accessToken"]).ok(ME)["me"]
    assert me == {"phone": "+84905111222", "fullName": "Phạm Văn An"}


@pytest.mark.parametrize(
    ("phone", "password", "field", "code"),
    [
        ("12345", PASSWORD, "phone", "invalid_phone"),
        ("0912000222", PASSWORD, "phone", "phone_taken"),
        ("0905111333", "123456", "password", "weak_password"),
    ],
)
def test_sign_up_refusals_are_typed(anonymous_api, farmer, phone, password, field, code):
    errors = anonymous_api(
        SIGN_UP, {"input": {"phone": phone, "password": password, "fullName": "X"}}
    )["data"]["signUp"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert User.objects.count() == 1


def test_wrong_password_is_a_typed_error_in_the_request_language(anonymous_api, farmer):
    errors = sign_in(anonymous_api, password="wrong")["errors"]
    assert errors[0]["code"] == "wrong_credentials"
    assert errors[0]["message"] == "Sai số điện thoại hoặc mật khẩu."
    english = anonymous_api(
        SIGN_IN, {"phone": "0912000222", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )["data"]["signIn"]["errors"]
    assert english[0]["message"] == "Wrong phone number or password."


def test_tokens_expire(anonymous_api, client, farmer):
    token = sign_in(anonymous_api)["tokens"]["accessToken"]
    ApiSession.objects.update(access_expires_at=timezone.now() - timedelta(seconds=1))
    body = Api(client, token)(ME)
    assert body["data"]["me"] is None and body["errors"][0]["message"] == "Vui lòng đăng nhập."


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_session(
    anonymous_api, client, farmer
):
    first = sign_in(anonymous_api)["tokens"]
    second = anonymous_api.ok(REFRESH, {"token": first["refreshToken"]})["refreshTokens"]
    second = second["tokens"]
    assert second["accessToken"] != first["accessToken"]
    assert Api(client, first["accessToken"])(ME)["data"]["me"] is None
    assert Api(client, second["accessToken"]).ok(ME)["me"]["phone"] == farmer.phone
    replay = anonymous_api(REFRESH, {"token": first["refreshToken"]})["data"]["refreshTokens"]
    assert replay["errors"][0]["code"] == "invalid_token"
    assert Api(client, second["accessToken"])(ME)["data"]["me"] is None  # session ended


def test_sign_out_revokes_at_once(anonymous_api, client, farmer):
    tokens = sign_in(anonymous_api)["tokens"]
    app = Api(client, tokens["accessToken"])
    assert app.ok(SIGN_OUT)["signOut"]["ok"] is True
    assert app(ME)["data"]["me"] is None
    refused = anonymous_api(REFRESH, {"token": tokens["refreshToken"]})["data"]["refreshTokens"]
    assert refused["errors"][0]["code"] == "expired_token"


def test_tokens_are_stored_as_digests_only(anonymous_api, farmer):
    tokens = sign_in(anonymous_api)["tokens"]
    session = ApiSession.objects.get()
    assert tokens["accessToken"] not in (session.access_digest, session.refresh_digest)
    assert len(session.access_digest) == 64


def test_passwords_and_tokens_never_reach_the_logs(anonymous_api, client, farmer, caplog):
    caplog.set_level(logging.DEBUG)
    sign_in(anonymous_api, password="wrong-Secret-123")
    tokens = sign_in(anonymous_api)["tokens"]
    Api(client, tokens["accessToken"]).ok(ME)
    anonymous_api(REFRESH, {"token": tokens["refreshToken"]})
    logged = caplog.text
    for secret in (PASSWORD, "wrong-Secret-123", tokens["accessToken"], tokens["refreshToken"]):
        assert secret not in logged


def test_a_garbage_bearer_token_is_anonymous(client, db):
    body = Api(client, "not-a-token")(ME)
    assert body["data"]["me"] is None


def test_a_name_too_long_is_a_typed_error(anonymous_api, db):
    mutation = """mutation($input: SignUpInput!) { signUp(input: $input) {
      errors { field code } } }"""
    result = anonymous_api(
        mutation,
        {
            "input": {
                "phone": "0987 111 222",
                "password": "a-long-passphrase-2026",
                "fullName": "N" * 200,
            }
        },
    )
    assert result["data"]["signUp"]["errors"] == [{"field": "fullName", "code": "max_length"}]


def test_a_session_reads_as_its_user_and_device(owner, rf):
    from accounts.services import sign_in as open_session

    open_session(rf.post("/graphql"), owner.phone, PASSWORD, device="Redmi 9A")
    assert str(owner.api_sessions.get()) == f"{owner} · Redmi 9A"
