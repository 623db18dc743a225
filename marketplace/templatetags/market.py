"""Money, quantities and stars as Vietnamese buyers read them."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from backend.numbers import format_quantity

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """12500 → "12.500 ₫" in Vietnamese, "12,500 ₫" in English."""
    if amount in (None, ""):
        return ""
    return f"{number_format(int(amount), force_grouping=True)} ₫"


@register.filter
def quantity(value) -> str:
    return format_quantity(value) if value is not None else ""


@register.filter
def unlocalize_quantity(value: Decimal) -> str:
    """For number inputs, which want "2.5" in every language."""
    return format(value.normalize(), "f")


@register.filter
def stars(count: int) -> str:
    return "★" * count + "☆" * (5 - count)
