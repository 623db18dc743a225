"""Errors that services raise: translated message, the field it concerns, a stable code.

The code is what API clients branch on; the message is what people read.
"""

from django.core.exceptions import PermissionDenied, ValidationError


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def readable(error: ValidationError | PermissionDenied) -> str:
    """A refusal as one sentence for a page or admin message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
