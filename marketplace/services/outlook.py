"""A seasonal outlook of prices: what past years say about the coming weeks.

Deliberately simple, so that a farmer or an extension worker can check it by hand:

- the price of a week is the mean of that week's daily prices (both sources, all
  districts unless one is chosen), and a year's price is the mean of its weeks;
- the trend is the least-squares slope of the yearly prices against the year;
- the expected price of a coming week is the mean of the same ISO week in past years,
  moved along the trend from the mean year of those samples to the week's own year;
- typical supply is the mean quantity sold through completed orders in that week, over
  the past years that had such sales.

Only whole past ISO years count: a year still under way would tilt the yearly mean
towards the seasons seen so far. With fewer than two years there is no trend, and the
outlook says so instead of guessing. Arithmetic is exact (fractions) until the end.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import field_error
from backend.numbers import format_vnd
from farms.models import Product
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import DailyPrice
from marketplace.services.prices import checked_unit

MIN_YEARS = 2
MAX_WEEKS = 26


@dataclass(frozen=True)
class OutlookWeek:
    year: int  # ISO year and week
    week: int
    starts_on: datetime.date  # its Monday
    expected_price: int | None  # VND per unit; None without enough data
    typical_volume: Decimal | None
    years: int  # past years with prices for this week


@dataclass(frozen=True)
class Outlook:
    unit: str
    district: str | None
    weeks: list[OutlookWeek]
    years_of_data: int
    trend_per_year: int | None  # VND per unit per year
    enough_data: bool
    method: str  # the method in plain words, in the active language


def _mean(values) -> Fraction:
    values = list(values)
    return sum(values, Fraction(0)) / len(values)


def _round(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _slope(points: dict[int, Fraction]) -> Fraction:
    """Least-squares slope of y against x (at least two distinct x)."""
    mean_x, mean_y = _mean(points), _mean(points.values())
    covariance = sum(((x - mean_x) * (y - mean_y) for x, y in points.items()), Fraction(0))
    variance = sum(((x - mean_x) ** 2 for x in points), Fraction(0))
    return covariance / variance


def _weekly(rows) -> tuple[dict, dict]:
    """Mean price and completed-order volume per (ISO year, ISO week)."""
    prices, volumes = defaultdict(list), defaultdict(Decimal)
    for day, source, price, volume in rows:
        year, week, _weekday = day.isocalendar()
        prices[year, week].append(price)
        if source == DailyPrice.Source.ORDERS:
            volumes[year, week] += volume
    return {key: _mean(values) for key, values in prices.items()}, volumes


def _method(years: int, trend: Fraction | None) -> str:
    text = _(
        "Expected price: the average price in the same week of past years, moved along the "
        "trend of the yearly average prices (a straight line fitted by least squares). "
        "Typical supply: the average quantity sold through completed orders in that week "
        "of past years. Years of past prices: %(years)d."
    ) % {"years": years}
    if trend is None:
        return " ".join([text, _("At least two years are needed: there is no outlook for now.")])
    sign = "+" if trend >= 0 else "−"
    trend_text = _("Trend: %(trend)s per year.") % {"trend": sign + format_vnd(abs(_round(trend)))}
    return " ".join([text, trend_text, _("This is a guide from past prices, not a promise.")])


def _week(monday, weekly, volumes, years, slope) -> OutlookWeek:
    year, week, _weekday = monday.isocalendar()
    samples = {past: weekly[past, week] for past in years if (past, week) in weekly}
    sold = [volumes[past, week] for past in years if (past, week) in volumes]
    expected = volume = None
    if slope is not None and samples:
        value = _mean(samples.values()) + slope * (year - _mean(samples))
        expected = _round(value) if value > 0 else None  # a line below zero does not fit
    if slope is not None and sold:
        volume = (sum(sold) / len(sold)).quantize(Decimal("0.001"))
    return OutlookWeek(year, week, monday, expected, volume, len(samples))


def seasonal_outlook(
    product: Product,
    *,
    unit: str,
    district: str | None = None,
    today: datetime.date | None = None,
    weeks: int = 8,
) -> Outlook:
    """The outlook for this ISO week and the ``weeks - 1`` after it."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise field_error("weeks", _("Ask for 1 to 26 weeks."), MarketplaceErrorCode.INVALID_WEEKS)
    today = today or timezone.localdate()
    this_year, this_week, _weekday = today.isocalendar()
    rows = DailyPrice.objects.filter(
        product=product,
        unit=checked_unit(unit),
        day__lt=datetime.date.fromisocalendar(this_year, 1, 1),
    )
    if district:
        rows = rows.filter(district=district)
    weekly, volumes = _weekly(rows.values_list("day", "source", "average_price", "volume"))
    yearly = defaultdict(list)
    for (year, _week_number), price in weekly.items():
        yearly[year].append(price)
    yearly = {year: _mean(prices) for year, prices in yearly.items()}
    years = sorted(yearly)
    slope = _slope(yearly) if len(years) >= MIN_YEARS else None
    first = datetime.date.fromisocalendar(this_year, this_week, 1)
    mondays = [first + datetime.timedelta(weeks=index) for index in range(weeks)]
    return Outlook(
        unit=unit,
        district=district or None,
        weeks=[_week(monday, weekly, volumes, years, slope) for monday in mondays],
        years_of_data=len(years),
        trend_per_year=None if slope is None else _round(slope),
        enough_data=slope is not None,
        method=_method(len(years), slope),
    )
