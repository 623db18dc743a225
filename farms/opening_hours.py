"""Opening hours in the OpenStreetMap ``opening_hours`` style, the simple part of it that
markets and shops need: "Mo-Sa 05:00-11:00,15:00-19:00; Su 05:00-10:00", "24/7", or a
day rule ending in "off". Parsed, so that bad input is refused and "open now" can be told.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
ALWAYS = "24/7"
_TIME = r"(?:[01]\d|2[0-4]):[0-5]\d"
_SPAN = re.compile(rf"^({_TIME})-({_TIME})$")
_DAY_RANGE = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$")


@dataclass(frozen=True)
class Rule:
    days: frozenset[int]  # 0 = Monday
    spans: tuple[tuple[datetime.time, datetime.time], ...]  # empty: closed ("off")


def parse(text: str) -> list[Rule]:
    """The rules of ``text``; a later rule replaces an earlier one for its days, as in OSM."""
    text = (text or "").strip()
    if text == ALWAYS:
        return [Rule(frozenset(range(7)), ((datetime.time(0), datetime.time(23, 59)),))]
    rules = [_rule(part.strip()) for part in text.split(";") if part.strip()]
    if not rules:
        raise _invalid()
    return rules


def _rule(text: str) -> Rule:
    days_text, _space, times_text = text.partition(" ")
    if not times_text:
        days_text, times_text = "Mo-Su", text  # times only: every day
    days: set[int] = set()
    for part in days_text.split(","):
        match = _DAY_RANGE.match(part)
        if not match:
            raise _invalid()
        first = DAYS.index(match[1])
        last = DAYS.index(match[2] or match[1])
        days.update(
            range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        )
    if times_text.strip() == "off":
        return Rule(frozenset(days), ())
    return Rule(frozenset(days), tuple(_span(span) for span in times_text.split(",")))


def _span(text: str) -> tuple[datetime.time, datetime.time]:
    match = _SPAN.match(text.strip())
    if not match:
        raise _invalid()
    start, end = (_time(value) for value in match.groups())
    if end <= start:
        raise _invalid()
    return start, end


def _time(text: str) -> datetime.time:
    hours, minutes = (int(part) for part in text.split(":"))
    return datetime.time(23, 59) if hours == 24 else datetime.time(hours, minutes)


def _invalid() -> ValidationError:
    return ValidationError(
        _('Write opening hours like "Mo-Sa 05:00-11:00,15:00-19:00; Su off" or "24/7".'),
        code="opening_hours",
    )


def validate_opening_hours(text: str) -> None:
    parse(text)


def is_open(text: str, at: datetime.datetime) -> bool | None:
    """Open at local time ``at``? None when the hours are unknown."""
    if not text:
        return None
    spans: tuple = ()
    for rule in parse(text):
        if at.weekday() in rule.days:
            spans = rule.spans
    return any(start <= at.time() < end for start, end in spans)
