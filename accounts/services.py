"""Signing up (with a code sent by text message) and signing in from the app: phone
number, password, bearer tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.error_codes import AccountsErrorCode
from accounts.models import ApiSession, PhoneVerification, User
from accounts.phone import normalize_phone
from backend.errors import field_error
from backend.tasks import queue_after_commit
from backend.text import checked_text
from backend.throttle import Rate, client_address, hit, network_of

SIGN_UP_CODE_DIGITS = 6
SIGN_UP_CODE_MINUTES = 15
SIGN_UP_CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class Tokens:
    """What the app keeps: never stored by the server in this form."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime
    user: User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_tokens(session: ApiSession) -> Tokens:
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = timezone.now()
    session.access_digest, session.refresh_digest = _digest(access), _digest(refresh)
    session.access_expires_at = now + timedelta(seconds=settings.API_ACCESS_TOKEN_SECONDS)
    session.refresh_expires_at = now + timedelta(seconds=settings.API_REFRESH_TOKEN_SECONDS)
    session.save()
    return Tokens(
        access, refresh, session.access_expires_at, session.refresh_expires_at, session.user
    )


def _checked_phone(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except ValidationError as error:
        raise field_error("phone", error.messages[0], AccountsErrorCode.INVALID_PHONE) from error


def _checked_password(password: str, phone: str, full_name: str) -> None:
    try:  # against the person's own name and number, before anything is saved
        password_validation.validate_password(password, User(phone=phone, full_name=full_name))
    except ValidationError as error:
        raise field_error(
            "password", " ".join(error.messages), AccountsErrorCode.WEAK_PASSWORD
        ) from error


def _sign_up_texts_allowed(request, phone: str) -> bool:
    per_phone = Rate(settings.SIGN_UP_TEXTS_PER_PHONE, 3600)
    per_network = Rate(settings.SIGN_UP_TEXTS_PER_NETWORK, 3600)
    network = network_of(client_address(request))
    return hit("sign-up-network", network, per_network) and hit("sign-up-phone", phone, per_phone)


def request_sign_up(
    request, phone: str, password: str, full_name: str, language: str = "vi"
) -> datetime:
    """Start an account: a code goes by text message to ``phone``, and the account opens
    when the code comes back (``confirm_sign_up``). Whether the number already has an
    account is never told here, in words or in time: its owner gets a text saying that
    someone tried, and the caller the same answer as for a new number."""
    phone = _checked_phone(phone)
    full_name = checked_text(full_name, "full_name", 150, required=True)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE  # an app asking for a language we lack gets ours
    _checked_password(password, phone, full_name)
    User(phone=phone, full_name=full_name).clean_fields(exclude=["password"])
    if not _sign_up_texts_allowed(request, phone):
        raise field_error(
            "phone",
            _("Too many codes were asked for: try again in an hour."),
            AccountsErrorCode.TOO_MANY_REQUESTS,
        )
    hashed = make_password(password)  # both paths below hash once: their timing is alike
    expires_at = timezone.now() + timedelta(minutes=SIGN_UP_CODE_MINUTES)
    try:
        _start_account(phone, hashed, full_name, language, expires_at)
    except IntegrityError:  # the same number signed up at the same moment: its row is there now
        _start_account(phone, hashed, full_name, language, expires_at)
    return expires_at


@transaction.atomic
def _start_account(phone: str, hashed: str, full_name: str, language: str, expires_at) -> None:
    user = User.objects.select_for_update().filter(phone=phone).first()
    if user is not None and user.is_active:
        _text(phone, user.preferred_language, ALREADY_REGISTERED)
        return
    user = user or User(phone=phone, is_active=False)
    user.password, user.full_name, user.preferred_language = hashed, full_name, language
    user.save()
    code = f"{secrets.randbelow(10**SIGN_UP_CODE_DIGITS):0{SIGN_UP_CODE_DIGITS}d}"
    PhoneVerification.objects.filter(phone=phone, used_at=None).delete()  # one live code
    PhoneVerification.objects.create(phone=phone, code_digest=_digest(code), expires_at=expires_at)
    _text(phone, language, YOUR_CODE, code=code, minutes=SIGN_UP_CODE_MINUTES)


def confirm_sign_up(request, phone: str, code: str, device: str = "") -> Tokens:
    """Open the account signed up with ``phone`` when ``code`` is the one texted to it,
    and sign in. A code takes ``SIGN_UP_CODE_ATTEMPTS`` wrong tries, then a new one is
    needed."""
    phone = _checked_phone(phone)
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(phone=phone, used_at=None, expires_at__gt=timezone.now())
            .first()
        )
        if verification is None or verification.attempts >= SIGN_UP_CODE_ATTEMPTS:
            raise _wrong_code()
        if not secrets.compare_digest(verification.code_digest, _digest(code.strip())):
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
            wrong = True
        else:
            verification.used_at = timezone.now()
            verification.save(update_fields=["used_at"])
            user = User.objects.get(phone=phone)
            user.is_active = True
            user.save(update_fields=["is_active"])
            wrong = False
    if wrong:  # raised after the attempt is counted and committed
        raise _wrong_code()
    return _new_tokens(ApiSession(user=user, device=device[:100]))


def _wrong_code() -> ValidationError:
    return field_error(
        "code",
        _("This code is wrong or has expired: ask for a new one."),
        AccountsErrorCode.INVALID_CODE,
    )


# What the texts say, in the recipient's language (Vietnamese without diacritics, as is
# usual for text messages: one with diacritics holds 70 characters instead of 160).
YOUR_CODE = gettext_noop(
    "Nong san so: your sign-up code is %(code)s. It is valid for %(minutes)d minutes. "
    "Never give it to anyone."
)
ALREADY_REGISTERED = gettext_noop(
    "Nong san so: someone tried to sign up with this number, which already has an account. "
    "If it was you, sign in with your password. If not, you can ignore this message."
)


def _text(phone: str, language: str, message: str, **values) -> None:
    with translation.override(language):
        text = _(message) % values if values else _(message)
    queue_after_commit("accounts.tasks.send_text_message", phone, text)


def sign_in(request, phone: str, password: str, device: str = "") -> Tokens:
    """Check the password (throttled: see accounts.throttling) and open an app session."""
    user = authenticate(request, username=phone, password=password)
    if getattr(request, "axes_locked_out", False):
        request.axes_locked_out = False  # the app gets a typed error, not the lockout page
        raise field_error(
            "phone",
            _("Too many failed attempts: try again in an hour."),
            AccountsErrorCode.LOCKED_OUT,
        )
    if user is None:
        raise field_error(
            "password", _("Wrong phone number or password."), AccountsErrorCode.WRONG_CREDENTIALS
        )
    return _new_tokens(ApiSession(user=user, device=device[:100]))


def refresh(refresh_token: str) -> Tokens:
    """New tokens for a valid refresh token. A refresh token used twice was stolen or
    replayed: the session it belonged to ends (and stays ended although this raises)."""
    digest = _digest(refresh_token)
    with transaction.atomic():
        session = ApiSession.objects.select_for_update().filter(refresh_digest=digest).first()
        if session and not session.revoked_at and session.refresh_expires_at > timezone.now():
            session.previous_refresh_digest = session.refresh_digest
            return _new_tokens(session)
    if session:
        raise field_error(
            "refresh_token", _("Please sign in again."), AccountsErrorCode.EXPIRED_TOKEN
        )
    ApiSession.objects.filter(previous_refresh_digest=digest, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    raise field_error("refresh_token", _("Please sign in again."), AccountsErrorCode.INVALID_TOKEN)


def sign_out(session: ApiSession) -> None:
    session.revoked_at = timezone.now()
    session.save(update_fields=["revoked_at"])


def session_for_access_token(token: str) -> ApiSession | None:
    """The live session an access token opens, or None."""
    return (
        ApiSession.objects.select_related("user")
        .filter(
            access_digest=_digest(token),
            revoked_at=None,
            access_expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def clear_expired(now: datetime | None = None) -> dict[str, int]:
    """Housekeeping: app sessions past their refresh token, browser sessions past their
    age, spent or expired sign-up codes, and login failures older than the lockout they
    could count towards. (An account never confirmed stays: signing up again with its
    number replaces its name and password.)"""
    now = now or timezone.now()
    cooled_off = now - timedelta(hours=settings.AXES_COOLOFF_TIME)
    return {
        "app sessions": ApiSession.objects.filter(refresh_expires_at__lt=now).delete()[0],
        "browser sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "sign-up codes": PhoneVerification.objects.filter(
            Q(expires_at__lt=now) | Q(used_at__isnull=False)
        ).delete()[0],
        "login failures": AccessAttempt.objects.filter(attempt_time__lt=cooled_off).delete()[0],
    }
