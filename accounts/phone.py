"""Vietnamese phone numbers, normalised to E.164 so one person has one login."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile and landline numbers: 9 or 10 digits after the country code.
_VIETNAM_NUMBER = re.compile(r"^\+84[1-9]\d{8,9}$")


def normalize_phone(raw: str) -> str:
    """'0912 345 678', '84912345678' and '+84912345678' all become '+84912345678'."""
    number = _SEPARATORS.sub("", raw or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    elif number.startswith("0"):
        number = "+84" + number[1:]
    elif number.startswith("84"):
        number = "+" + number
    if not _VIETNAM_NUMBER.match(number):
        raise ValidationError(
            _("Enter a Vietnamese phone number, for example 0912 345 678."), code="invalid_phone"
        )
    return number


def login_key(request, credentials: dict) -> str:
    """The username django-axes counts failures against: one per person, however the
    number is written (else '0912 000 111' and '0912000111' would be counted apart)."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw
