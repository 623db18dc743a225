"""Password rules beyond Django's own (see AUTH_PASSWORD_VALIDATORS)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.error_codes import AccountsErrorCode


class PhoneNumberValidator:
    """A password must not contain one's own phone number, however written: it is the
    first thing anyone who knows the farmer would try."""

    def validate(self, password: str, user=None) -> None:
        phone = getattr(user, "phone", "") or ""
        national = re.sub(r"^\+84", "", phone)  # +84912345678 → 912345678
        digits = re.sub(r"\D", "", password or "")
        if len(national) >= 8 and national in digits:
            raise ValidationError(
                _("The password must not contain your phone number."),
                code=AccountsErrorCode.PASSWORD_IS_PHONE,
            )

    def get_help_text(self) -> str:
        return _("Your password must not contain your phone number.")


class MaximumLengthValidator:
    """Long passphrases are welcome; megabytes are not (they cost work on every login)."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password or "") > self.max_length:
            raise ValidationError(
                ngettext(
                    "The password must have at most %(max)d character.",
                    "The password must have at most %(max)d characters.",
                    self.max_length,
                )
                % {"max": self.max_length},
                code=AccountsErrorCode.PASSWORD_TOO_LONG,
            )

    def get_help_text(self) -> str:
        return _("Your password can have at most %(max)d characters.") % {"max": self.max_length}
