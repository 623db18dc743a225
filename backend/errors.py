"""Errors that services raise: translated message, the field it concerns, a stable code.

The code is what API clients branch on; the message is what people read.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def codes_of(error: ValidationError) -> set[str]:
    """Every code a ValidationError carries, whatever its shape."""
    items = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
    return {item.code for errors in items for item in errors}


def readable(error: ValidationError | PermissionDenied) -> str:
    """A refusal as one sentence for a page or admin message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


class SignInRequired(PermissionDenied):
    """No one is signed in (or the app's token lapsed): the app refreshes its token or asks
    the farmer to sign in again, unlike a refusal to someone signed in."""


def replayed(model: type[Model], client_uuid, **owner) -> Model | None:
    """What a retried create already made with this client UUID (apps resend what they
    sent without signal). Someone else's object with that UUID is refused, saying no more."""
    if not client_uuid:
        return None
    existing = model.objects.filter(uuid=client_uuid).first()
    if existing and any(getattr(existing, field) != value for field, value in owner.items()):
        raise field_error(
            "client_id", _("This identifier is already used."), CommonErrorCode.UUID_TAKEN
        )
    return existing
