"""GS1 identifiers: GTIN/GLN check digits and Digital Link URIs.

Digital Link (GS1 Digital Link standard 1.x): the GTIN (AI 01) comes first, then the
lot (AI 10), then the serial (AI 21). Lot and serial are at most 20 characters from
GS1's character set 82 and are percent-encoded in the path.
"""

import datetime
import re
import string
from dataclasses import dataclass
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
    # ASCII digits only: str.isdigit() also takes "²" and "٣", which int() refuses or reads.
    if not re.fullmatch(r"[0-9]+", value) or len(value) not in lengths:
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


def gtin_spellings(gtin: str) -> list[str]:
    """The ways a catalogue may hold a GTIN that travels as 14 digits: a GTIN-8, -12 or -13
    is padded with leading zeros in Digital Link but kept as it was typed."""
    padded = gtin14(gtin)
    return [padded[-length:] for length in (8, 12, 13, 14) if not padded[:-length].strip("0")]


def validate_lot_or_serial(value: str) -> None:
    if not value or len(value) > MAX_LOT_OR_SERIAL_LENGTH or not set(value) <= CSET82:
        raise ValidationError(
            _("Use at most 20 letters, digits or GS1 punctuation."),
            code=CommonErrorCode.INVALID_GS1_TEXT,
        )


def encode_segment(value: str) -> str:
    return quote(value, safe="")


def digital_link_path(gtin: str, lot: str, serial: str | None = None) -> str:
    return DigitalLink(gtin14(gtin), lot, serial).path()


# The key qualifiers of a GTIN, in the only order Digital Link allows: variant, lot, serial.
GTIN_QUALIFIERS = ("22", "10", "21")
# Data attributes that are dates (YYMMDD): production, packaging, best before, sell by, expiry.
DATE_ATTRIBUTES = frozenset({"11", "13", "15", "16", "17"})


class InvalidDigitalLink(ValueError):
    """A URI that is not a syntactically valid GS1 Digital Link; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DigitalLink:
    gtin: str  # always 14 digits
    lot: str | None = None
    serial: str | None = None
    variant: str | None = None

    def path(self) -> str:
        """The canonical path: no trailing slash, values percent-encoded."""
        pairs = (("22", self.variant), ("10", self.lot), ("21", self.serial))
        return f"/01/{self.gtin}" + "".join(
            f"/{ai}/{encode_segment(value)}" for ai, value in pairs if value
        )


def _check_gtin(value: str) -> str:
    try:
        validate_gtin(value)
    except ValidationError as error:
        raise InvalidDigitalLink(error.messages[0]) from error
    return gtin14(value)


def _check_qualifier(ai: str, value: str, seen: list[str]) -> None:
    if ai not in GTIN_QUALIFIERS:
        raise InvalidDigitalLink(
            _("“%(ai)s” is not a key qualifier of a GTIN: only 22, 10 and 21 may follow it.")
            % {"ai": ai}
        )
    if seen and GTIN_QUALIFIERS.index(ai) <= GTIN_QUALIFIERS.index(seen[-1]):
        raise InvalidDigitalLink(
            _("Key qualifiers must come once each, in the order 22, 10, 21 (here %(ai)s).")
            % {"ai": ai}
        )
    try:
        validate_lot_or_serial(value)
    except ValidationError as error:
        raise InvalidDigitalLink(f"{ai}: {error.messages[0]}") from error


def _decoded(segment: str) -> str:
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError as error:
        raise InvalidDigitalLink(_("A value is not written in UTF-8.")) from error


def parse_digital_link(path: str) -> DigitalLink:
    """The GTIN and qualifiers of a Digital Link path as written in the request, still
    percent-encoded (``/01/08930000000019/10/L1/21/S1``; ``%2F`` is a slash inside a
    value), checked as the Digital Link standard asks (primary key first, qualifiers in
    order, lengths, character set, check digit); a trailing slash is tolerated. Raises
    InvalidDigitalLink with the reason."""
    trimmed = path.strip("/")
    segments = [_decoded(segment) for segment in trimmed.split("/")] if trimmed else []
    if len(segments) % 2 or not segments:
        raise InvalidDigitalLink(_("A Digital Link is pairs of an identifier and its value."))
    pairs = list(zip(segments[::2], segments[1::2], strict=True))
    if pairs[0][0] != "01":
        raise InvalidDigitalLink(_("This resolver knows GTINs (01) only."))
    gtin = _check_gtin(pairs[0][1])
    qualifiers: dict[str, str] = {}
    for ai, value in pairs[1:]:
        _check_qualifier(ai, value, list(qualifiers))
        qualifiers[ai] = value
    return DigitalLink(gtin, qualifiers.get("10"), qualifiers.get("21"), qualifiers.get("22"))


def _is_yymmdd(value: str) -> bool:
    """A GS1 date: day 00 stands for the month's last day."""
    if not re.fullmatch(r"[0-9]{6}", value):
        return False
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    try:
        datetime.date(year, month, day or 1)
    except ValueError:
        return False
    return True


def check_data_attributes(query: dict[str, list[str]]) -> None:
    """Dates among a Digital Link's data attributes (``?17=261231``), every value of
    them, are real dates written YYMMDD."""
    for ai in DATE_ATTRIBUTES & set(query):
        if not all(_is_yymmdd(value) for value in query[ai]):
            raise InvalidDigitalLink(_("%(ai)s is a date written YYMMDD.") % {"ai": ai})
