"""GS1 identifiers: GTIN/GLN check digits and Digital Link URIs.

Digital Link (GS1 Digital Link standard 1.x): the GTIN (AI 01) comes first, then the
lot (AI 10), then the serial (AI 21). Lot and serial are at most 20 characters from
GS1's character set 82 and are percent-encoded in the path.
"""

import re
import string
from urllib.parse import quote, unquote

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backend.error_codes import CommonErrorCode

# GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
CSET82 = frozenset(string.ascii_letters + string.digits + "!\"%&'()*+,-./:;<=>?_")
MAX_LOT_OR_SERIAL_LENGTH = 20


def check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for the digits of ``body`` (any GS1 key length)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def _validate_key(value: str, lengths: tuple[int, ...], name: str) -> None:
    if not value.isdigit() or len(value) not in lengths:
        raise ValidationError(
            _("A %(name)s has %(lengths)s digits.")
            % {"name": name, "lengths": _(" or ").join(str(n) for n in lengths)},
            code=CommonErrorCode.INVALID_LENGTH,
        )
    if check_digit(value[:-1]) != value[-1]:
        raise ValidationError(
            _("This %(name)s has a wrong check digit.") % {"name": name},
            code=CommonErrorCode.CHECK_DIGIT,
        )


def validate_gtin(value: str) -> None:
    _validate_key(value, (8, 12, 13, 14), "GTIN")


def validate_gln(value: str) -> None:
    _validate_key(value, (13,), "GLN")


def gtin14(value: str) -> str:
    """Digital Link always carries the GTIN as 14 digits."""
    return value.zfill(14)


def validate_lot_or_serial(value: str) -> None:
    if not value or len(value) > MAX_LOT_OR_SERIAL_LENGTH or not set(value) <= CSET82:
        raise ValidationError(
            _("Use at most 20 letters, digits or GS1 punctuation."),
            code=CommonErrorCode.INVALID_GS1_TEXT,
        )


def encode_segment(value: str) -> str:
    return quote(value, safe="")


def digital_link_path(gtin: str, lot: str, serial: str | None = None) -> str:
    path = f"/01/{gtin14(gtin)}/10/{encode_segment(lot)}"
    if serial:
        path += f"/21/{encode_segment(serial)}"
    return path


_DIGITAL_LINK = re.compile(r"^/01/(?P<gtin>\d{14})/10/(?P<lot>[^/]+)(?:/21/(?P<serial>[^/]+))?/?$")


def parse_digital_link_path(path: str) -> dict[str, str | None] | None:
    """The GTIN, lot and serial of a Digital Link path, or None when it is not one."""
    match = _DIGITAL_LINK.match(path)
    if not match:
        return None
    parts = match.groupdict()
    parts["lot"] = unquote(parts["lot"])
    if parts["serial"]:
        parts["serial"] = unquote(parts["serial"])
    return parts
