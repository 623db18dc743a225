"""The public price page of a product: the last 90 days and the seasonal outlook.

Built for a phone on a slow connection: one small page, the chart drawn on the server
as SVG, no script. It costs the same few queries however many days have prices.
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from backend.numbers import format_quantity, format_vnd
from farms.models import Product, Unit
from marketplace.models import DailyPrice
from marketplace.services.outlook import seasonal_outlook
from marketplace.services.prices import (
    HISTORY_DAYS,
    PricePoint,
    checked_district,
    price_history,
)

MAX_DISTRICTS = 40  # links to choose a district; the rest is reached by ?district=
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 320, 100, 6
CHART_COLOURS = {DailyPrice.Source.ORDERS: "#2e7d32", DailyPrice.Source.MARKET: "#e65100"}


def _district(request) -> str | None:
    """The district asked for, spaced as stored; a value no district can have is a 404."""
    if not request.GET.get("district", "").strip():
        return None
    try:
        return checked_district(request.GET["district"])
    except ValidationError as error:
        raise Http404 from error


def _chart(points: list[PricePoint], first_day: datetime.date) -> dict | None:
    """One polyline of daily average prices per source; x is the day, y the price."""
    if not points:
        return None
    low = min(point.average_price for point in points)
    high = max(point.average_price for point in points)
    x_step = (CHART_WIDTH - 2 * CHART_PAD) / (HISTORY_DAYS - 1)
    y_scale = (CHART_HEIGHT - 2 * CHART_PAD) / ((high - low) or 1)
    lines: dict[str, list[str]] = {}
    for point in points:
        x = CHART_PAD + (point.day - first_day).days * x_step
        y = CHART_HEIGHT - CHART_PAD - (point.average_price - low) * y_scale
        lines.setdefault(point.source, []).append(f"{x:.1f},{y:.1f}")
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "low": format_vnd(low),
        "high": format_vnd(high),
        "lines": [
            {
                "source": source,
                "label": DailyPrice.Source(source).label,
                "colour": CHART_COLOURS[source],
                # A lone day is a zero-length line, drawn as a dot by its round cap.
                "points": " ".join(xy * 2 if len(xy) == 1 else xy),
            }
            for source, xy in sorted(lines.items())
        ],
    }


def _rows(points: list[PricePoint], unit_label: str) -> list[dict]:
    """The table, newest day first, with money and quantities written for the reader."""
    return [
        {
            "day": point.day,
            "source": DailyPrice.Source(point.source).label,
            "average": format_vnd(point.average_price),
            "low": format_vnd(point.min_price),
            "high": format_vnd(point.max_price),
            "volume": f"{format_quantity(point.volume)}\u00a0{unit_label}" if point.volume else "",
            "samples": point.samples,
        }
        for point in reversed(points)
    ]


def _outlook_rows(outlook, unit_label: str) -> list[dict]:
    return [
        {
            "week": week.week,
            "starts_on": week.starts_on,
            "expected": format_vnd(week.expected_price) if week.expected_price else "",
            "volume": (
                f"{format_quantity(week.typical_volume)}\u00a0{unit_label}"
                if week.typical_volume is not None
                else ""
            ),
        }
        for week in outlook.weeks
    ]


@require_GET
@cache_control(public=True, max_age=900)
def price_page(request, code: str):
    product = get_object_or_404(Product, code=code)
    district, unit = _district(request), product.unit
    unit_label = Unit(unit).label
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=HISTORY_DAYS - 1)
    points = price_history(product, unit=unit, district=district, since=first_day)
    outlook = seasonal_outlook(product, unit=unit, district=district, today=today)
    districts = (
        DailyPrice.objects.filter(product=product, unit=unit)
        .values_list("district", flat=True)
        .distinct()
        .order_by("district")[:MAX_DISTRICTS]
    )
    context = {
        "product": product,
        "district": district,
        "districts": list(districts),
        "unit": unit_label,
        "chart": _chart(points, first_day),
        "rows": _rows(points, unit_label),
        "outlook": outlook,
        "outlook_rows": _outlook_rows(outlook, unit_label),
        "days": HISTORY_DAYS,
    }
    return render(request, "marketplace/prices.html", context)


urlpatterns = [
    path("prices/<slug:code>/", price_page, name="market-prices"),
]
