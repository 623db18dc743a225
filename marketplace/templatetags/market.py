"""Money, quantities and stars as Vietnamese buyers read them."""

from django import template

from backend.numbers import format_quantity, format_vnd

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """12500 → "12.500 ₫" in Vietnamese, "12,500 ₫" in English."""
    return "" if amount in (None, "") else format_vnd(amount)


@register.filter
def quantity(value) -> str:
    return format_quantity(value) if value is not None else ""


@register.filter
def stars(count: int) -> str:
    return "★" * count + "☆" * (5 - count)
