"""Quantities written for people: no trailing zeros, the reader's decimal and group marks.

In Vietnamese "250.000 kg" means 250 tonnes, so a stored Decimal('250.000') must be
shown as "250 kg" (and 12.5 as "12,5").
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error

MAX_QUANTITY = Decimal("10000000000")  # ten billion of any unit: beyond is a typing error


def format_quantity(value: Decimal | int | float) -> str:
    value = Decimal(value)
    exact = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(exact, use_l10n=True, force_grouping=True)


def format_vnd(amount: int | Decimal) -> str:
    """12500 → "12.500 ₫" in Vietnamese, "12,500 ₫" in English."""
    return number_format(int(amount), use_l10n=True, force_grouping=True) + "\u00a0₫"


def checked_quantity(value, field: str = "quantity") -> Decimal:
    """A positive quantity with at most 3 decimals that fits the database, or an error."""
    try:
        value = Decimal(value)
    except (TypeError, ValueError, ArithmeticError) as error:
        raise field_error(field, _("Give a number."), CommonErrorCode.INVALID_QUANTITY) from error
    if not value.is_finite() or value <= 0 or value >= MAX_QUANTITY:
        raise field_error(field, _("Give a quantity above zero."), CommonErrorCode.INVALID_QUANTITY)
    if value != value.quantize(Decimal("0.001")):
        raise field_error(field, _("Use at most three decimals."), CommonErrorCode.INVALID_QUANTITY)
    return value.quantize(Decimal("0.001"))  # as stored: a first answer reads like a replay
