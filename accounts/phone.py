"""Phone numbers, read by ``phonenumbers`` (Google's libphonenumber) and stored in E.164
("+84912345678"), so that one person has one login and a number is written one way.

People sign in with a Vietnamese mobile or landline number. A contact phone (a producer's,
a buyer's) may be any real number: a hotline, or a foreign office's; it is read as
Vietnamese unless written with its country code.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.error_codes import AccountsErrorCode

REGION = "VN"
COUNTRY_CODE = 84
# Digits, a leading + and the separators people type: never letters or other text, from
# which the library would pick digits out ("1-800-FLOWERS", "call 0912…").
_WRITTEN = re.compile(r"\+?[0-9 .\-()]{1,30}")
# Numbers a person answers: not premium-rate, shared-cost or toll-free lines.
_PERSONAL_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def _parsed(raw: str) -> phonenumbers.PhoneNumber | None:
    """The number ``raw`` writes, if it is one that exists (by the numbering plans)."""
    text = (raw or "").strip()
    if not _WRITTEN.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(raw: str) -> str:
    """A Vietnamese mobile or landline number to sign in with: '0912 345 678',
    '84912345678' and '+84912345678' all become '+84912345678'."""
    number = _parsed(raw)
    if (
        number is None
        or number.country_code != COUNTRY_CODE
        or phonenumbers.number_type(number) not in _PERSONAL_TYPES
    ):
        raise ValidationError(
            _("Enter a Vietnamese phone number, for example 0912 345 678."),
            code=AccountsErrorCode.INVALID_PHONE,
        )
    return _e164(number)


def normalize_contact_phone(raw: str) -> str:
    """Any real number but a premium-rate one (1900…: whoever calls it pays the owner),
    Vietnamese unless it says otherwise: '024 3826 1234' becomes '+842438261234',
    '+33 1 42 68 53 00' stays French."""
    number = _parsed(raw)
    premium = phonenumbers.PhoneNumberType.PREMIUM_RATE
    if number is None or phonenumbers.number_type(number) == premium:
        raise ValidationError(
            _("Enter a phone number, for example 0912 345 678 or 024 3826 1234."),
            code=AccountsErrorCode.INVALID_PHONE,
        )
    return _e164(number)


class ContactPhoneField(models.CharField):
    """A contact phone: refused (``invalid_phone``) unless it is a real number, and kept
    in E.164. Checked wherever the model is validated: services, admin and forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def clean(self, value, model_instance):
        # Not in to_python, which also prepares every save and lookup: a number stored
        # before this check must not make saving other fields fail.
        value = super().clean(value, model_instance)
        return normalize_contact_phone(value) if value else value


MAX_LOGIN_KEY = 255  # django-axes's AccessAttempt.username


def login_key(request, credentials: dict) -> str:
    """The username django-axes counts failures against: one per person, however the
    number is written (else '0912 000 111' and '0912000111' would be counted apart)."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw[:MAX_LOGIN_KEY]  # not a number: counted as typed, as far as axes stores
