"""Signing up and signing in from the app: phone number, password, bearer tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiSession, User
from accounts.phone import normalize_phone
from backend.errors import field_error


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


@transaction.atomic
def sign_up(phone: str, password: str, full_name: str, language: str = "vi") -> User:
    try:
        phone = normalize_phone(phone)
    except ValidationError as error:
        raise field_error("phone", error.messages[0], "invalid_phone") from error
    if User.objects.filter(phone=phone).exists():
        raise field_error(
            "phone", _("An account with this phone number already exists."), "phone_taken"
        )
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE  # an app asking for a language we lack gets ours
    full_name = full_name.strip()
    try:  # against the person's own name and number, before anything is saved
        password_validation.validate_password(password, User(phone=phone, full_name=full_name))
    except ValidationError as error:
        raise field_error("password", " ".join(error.messages), "weak_password") from error
    return User.objects.create_user(
        phone, password, full_name=full_name, preferred_language=language
    )


def sign_in(request, phone: str, password: str, device: str = "") -> Tokens:
    """Check the password (throttled by django-axes) and open an app session."""
    try:
        user = authenticate(request, username=phone, password=password)
    except PermissionDenied as error:  # django-axes: too many failures
        raise field_error(
            "phone", _("Too many failed attempts: try again in an hour."), "locked_out"
        ) from error
    if user is None:
        raise field_error("password", _("Wrong phone number or password."), "wrong_credentials")
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
        raise field_error("refresh_token", _("Please sign in again."), "expired_token")
    ApiSession.objects.filter(previous_refresh_digest=digest, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    raise field_error("refresh_token", _("Please sign in again."), "invalid_token")


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
