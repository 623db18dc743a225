import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiSession, PhoneVerification, User
from accounts.services import SIGN_UP_CODE_ATTEMPTS
from backend.text_messages import MemoryTextBackend
from tests.factories import UserFactory
from tests.mobile_api.conftest import PASSWORD, Api

SIGN_UP = """mutation($input: SignUpInput!) { signUp(input: $input) {
  errors { field code message } codeExpiresAt } }"""
CONFIRM = """mutation($input: ConfirmSignUpInput!) { confirmSignUp(input: $input) {
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


@pytest.fixture
def texts(settings):
    settings.TEXT_MESSAGE_BACKEND = "backend.text_messages.MemoryTextBackend"
    MemoryTextBackend.outbox.clear()
    return MemoryTextBackend.outbox


def sign_up(api, phone, password=PASSWORD, full_name="Phạm Văn An", **headers):
    variables = {"input": {"phone": phone, "password": password, "fullName": full_name}}
    return api(SIGN_UP, variables, **headers)["data"]["signUp"]


def texted_code(texts) -> str:
    return re.search(r"\b(\d{6})\b", texts[-1][1]).group(1)


def test_sign_up_texts_a_code_that_opens_the_account(
    anonymous_api, client, db, texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_up(anonymous_api, "0905 111 222")["errors"] == []
    assert texts[0][0] == "+84905111222" and "ma dang ky" in texts[0][1]
    assert User.objects.get(phone="+84905111222").is_active is False
    refused = anonymous_api(SIGN_IN, {"phone": "0905111222", "password": PASSWORD})
    assert refused["data"]["signIn"]["errors"][0]["code"] == "wrong_credentials"
    data = anonymous_api.ok(
        CONFIRM, {"input": {"phone": "0905111222", "code": texted_code(texts)}}
    )["confirmSignUp"]
    assert data["user"]["phone"] == "+84905111222"
    me = Api(client, data["tokens"]["accessToken"]).ok(ME)["me"]
    assert me == {"phone": "+84905111222", "fullName": "Phạm Văn An"}
    again = anonymous_api(CONFIRM, {"input": {"phone": "0905111222", "code": texted_code(texts)}})
    assert again["data"]["confirmSignUp"]["errors"][0]["code"] == "invalid_code"  # used once


def test_signing_up_a_registered_number_says_nothing_and_warns_its_owner(
    anonymous_api, farmer, texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        taken = sign_up(anonymous_api, "0912000222", password="another-passphrase-1")
        fresh = sign_up(anonymous_api, "0912000333")
    assert taken["errors"] == fresh["errors"] == []
    assert set(taken) == set(fresh)
    assert texts[0][0] == "+84912000222" and not re.search(r"\d{6}", texts[0][1])
    farmer.refresh_from_db()
    assert farmer.check_password(PASSWORD) and farmer.full_name == "Lê Thị Hoa"
    assert PhoneVerification.objects.filter(phone="+84912000222").count() == 0


def test_a_code_takes_a_few_wrong_tries_then_is_spent(
    anonymous_api, db, texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(anonymous_api, "0905111222")
    code = texted_code(texts)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(SIGN_UP_CODE_ATTEMPTS):
        body = anonymous_api(CONFIRM, {"input": {"phone": "0905111222", "code": wrong}})
        assert body["data"]["confirmSignUp"]["errors"][0]["code"] == "invalid_code"
    body = anonymous_api(CONFIRM, {"input": {"phone": "0905111222", "code": code}})
    assert body["data"]["confirmSignUp"]["errors"][0]["code"] == "invalid_code"
    assert User.objects.get(phone="+84905111222").is_active is False


def test_an_expired_code_opens_nothing(
    anonymous_api, db, texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(anonymous_api, "0905111222")
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = anonymous_api(CONFIRM, {"input": {"phone": "0905111222", "code": texted_code(texts)}})
    assert body["data"]["confirmSignUp"]["errors"][0]["code"] == "invalid_code"


def test_codes_to_one_number_are_limited(anonymous_api, db, texts, settings):
    for _attempt in range(settings.SIGN_UP_TEXTS_PER_PHONE):
        assert sign_up(anonymous_api, "0905111222")["errors"] == []
    errors = sign_up(anonymous_api, "0905 111 222")["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("phone", "too_many_requests")]


@pytest.mark.parametrize(
    ("phone", "password", "field", "code"),
    [
        ("12345", PASSWORD, "phone", "invalid_phone"),
        ("0905111333", "123456", "password", "weak_password"),
        ("0905111333", "0905111333", "password", "weak_password"),
        ("0905111333", "mk905111333!", "password", "weak_password"),
        ("0905111333", "Phạm Văn An", "password", "weak_password"),
        ("0905111333", "x" * 1_000_000, "password", "weak_password"),
    ],
)
def test_sign_up_refusals_are_typed(anonymous_api, farmer, phone, password, field, code):
    errors = sign_up(anonymous_api, phone, password=password)["errors"]
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
    errors = sign_up(anonymous_api, "0987 111 222", full_name="N" * 200)["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("fullName", "max_length")]


def test_a_session_reads_as_its_user_and_device(owner, rf):
    from accounts.services import sign_in as open_session

    open_session(rf.post("/graphql"), owner.phone, PASSWORD, device="Redmi 9A")
    assert str(owner.api_sessions.get()) == f"{owner} · Redmi 9A"
