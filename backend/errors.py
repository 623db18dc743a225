"""Errors that services raise: translated message, the field it concerns, a stable code.

The code is what API clients branch on; the message is what people read.
"""

from django.core.exceptions import ValidationError


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})
