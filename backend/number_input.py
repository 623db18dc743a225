"""Numbers typed by people, read the way they write them.

In Vietnamese "12.000" is twelve thousand and "2,5" two and a half; in English the
marks are the other way round. A browser's number input or Python's Decimal reads
"12.000" as twelve, which is how a market price of 12.000 ₫ was once saved as 12 ₫.
These form fields read the active language's marks, and refuse what could be read two
ways ("2.5" in Vietnamese: a decimal point, or a thousands group cut short?) instead
of guessing. They show stored values the same way, without empty decimals.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from backend.error_codes import CommonErrorCode
from backend.numbers import format_quantity

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _examples() -> dict[str, str]:
    return {"thousands": format_quantity(12000), "decimal": format_quantity(Decimal("2.5"))}


def parse_number(text: str, *, whole: bool = False) -> Decimal:
    """``text`` in the active language's marks, or a ValidationError that shows how to
    write it. Groups of three may be marked or not ("12.000", "12 000" or "12000" in
    Vietnamese)."""
    decimal_mark = get_format("DECIMAL_SEPARATOR")
    group_mark = get_format("THOUSAND_SEPARATOR")
    # A space may group thousands too ("12 000"), but only there: "1 5" is two numbers.
    spaced = _SPACES.sub(" ", text.strip())
    group, point = re.escape(group_mark), re.escape(decimal_mark)
    groups = rf"\d{{1,3}}(?:{group}\d{{3}})+|\d{{1,3}}(?: \d{{3}})+|\d+"
    match = re.fullmatch(rf"[+-]?(?:{groups})(?:{point}(\d+))?", spaced)
    if match is None:
        raise forms.ValidationError(
            _("Write %(thousands)s for twelve thousand, %(decimal)s for two and a half.")
            % _examples(),
            code=CommonErrorCode.INVALID_NUMBER,
        )
    if whole and match.group(1) and match.group(1).strip("0"):
        raise forms.ValidationError(
            _("Write a whole number, like %(thousands)s.") % _examples(),
            code=CommonErrorCode.INVALID_NUMBER,
        )
    plain = spaced.replace(" ", "").replace(group_mark, "").replace(decimal_mark, ".")
    try:
        return Decimal(plain)
    except InvalidOperation as error:  # the pattern admits only digits: never expected
        raise forms.ValidationError(_("Enter a number."), code=CommonErrorCode.INVALID) from error


def _shown(value):
    """A stored number as people write it (a value typed back after an error stays)."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return format_quantity(value)
    return value


class UnitInput(forms.TextInput):
    """A number box with its unit written after it ("kg", "lít/ha")."""

    template_name = "widgets/number_with_unit.html"
    unit = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["unit"] = self.unit
        return context


class NumberField(forms.DecimalField):
    """A quantity, dose, area or yield: "2,5" and "1.250" in Vietnamese."""

    widget = UnitInput

    def __init__(self, *args, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit

    @property
    def unit(self) -> str:
        return self.widget.unit

    @unit.setter
    def unit(self, unit: str) -> None:
        self.widget.unit = unit

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return value if isinstance(value, Decimal) else parse_number(str(value))

    def prepare_value(self, value):
        return _shown(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(inputmode="decimal", autocomplete="off")
        return attrs


class WholeNumberField(forms.IntegerField):
    """A price in đồng or a count: "12.000" is twelve thousand."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return value if isinstance(value, int) else int(parse_number(str(value), whole=True))

    def prepare_value(self, value):
        return _shown(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(inputmode="numeric", autocomplete="off")
        return attrs


# For ModelAdmin.formfield_overrides: every decimal and integer column of every model.
NUMBER_FORMFIELDS = {
    models.DecimalField: {"form_class": NumberField},
    models.IntegerField: {"form_class": WholeNumberField},
}
