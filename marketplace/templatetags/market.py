"""Money, quantities and stars as Vietnamese buyers read them."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

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
    """Five star glyphs, read out as words (a screen reader says nothing useful of ★)."""
    words = _("%(count)d of 5 stars") % {"count": count}
    return format_html(
        '<span role="img" aria-label="{}">{}</span>', words, "★" * count + "☆" * (5 - count)
    )
