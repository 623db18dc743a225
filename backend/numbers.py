"""Quantities written for people: no trailing zeros, the reader's decimal and group marks.

In Vietnamese "250.000 kg" means 250 tonnes, so a stored Decimal('250.000') must be
shown as "250 kg" (and 12.5 as "12,5").
"""

from decimal import Decimal

from django.utils.formats import number_format


def format_quantity(value: Decimal | int | float) -> str:
    value = Decimal(value)
    exact = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(exact, use_l10n=True, force_grouping=True)
