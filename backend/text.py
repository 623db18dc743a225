"""Text people type (names, descriptions, notes), checked one way everywhere: trimmed,
not empty where it names something, not too long, and free of control characters
(which break pages, exports and terminals the text reaches)."""

import re

from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error

# C0, DEL and C1 (U+0080–U+009F: a terminal reads CSI as an escape sequence)
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_PARAGRAPH = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tabs, new lines ok


def checked_text(
    value, field: str, max_length: int, *, required: bool = False, paragraph: bool = False
) -> str:
    text = (value or "").strip()
    if required and not text:
        raise field_error(field, _("This cannot be left empty."), CommonErrorCode.REQUIRED)
    if len(text) > max_length:
        raise field_error(
            field,
            _("Write at most %(max)d characters.") % {"max": max_length},
            CommonErrorCode.MAX_LENGTH,
        )
    return without_controls(text, field, paragraph=paragraph)


def without_controls(text: str, field: str, *, paragraph: bool = False) -> str:
    """``text`` itself, or a ValidationError if it holds control characters."""
    control = _CONTROL_IN_PARAGRAPH if paragraph else _CONTROL_IN_LINE
    if control.search(text):
        raise field_error(
            field, _("Remove the control characters."), CommonErrorCode.CONTROL_CHARACTER
        )
    return text
