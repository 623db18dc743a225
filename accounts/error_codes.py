"""The codes of the refusals raised by the accounts app's services: stable names the
farmers' app switches on (exposed as GraphQL enums); the message beside each code is for
people, in their language."""

from enum import StrEnum


class AccountsErrorCode(StrEnum):
    EXPIRED_TOKEN = "expired_token"
    INVALID_CODE = "invalid_code"
    INVALID_PHONE = "invalid_phone"
    INVALID_TOKEN = "invalid_token"
    LOCKED_OUT = "locked_out"
    PASSWORD_IS_PHONE = "password_is_phone"
    PASSWORD_TOO_LONG = "password_too_long"
    TOO_MANY_REQUESTS = "too_many_requests"
    WEAK_PASSWORD = "weak_password"
    WRONG_CREDENTIALS = "wrong_credentials"
