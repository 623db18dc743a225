"""Prices: what extension staff saw at markets, and what buyers paid in completed orders.

DailyPrice rows are derived data. ``aggregate_daily_prices`` rebuilds one day from the
orders and the surveys, and may run any number of times with the same result, so a
late survey entry or a missed night is fixed by running that day again.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Case, Count, DecimalField, F, Max, Min, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from backend.numbers import format_vnd
from farms.models import Place, Product, Unit
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import DailyPrice, MarketPrice, Order, OrderLine
from marketplace.permissions import is_price_surveyor

# What one unit of produce may plausibly cost, in đồng: (lowest, highest). The floor lies
# under farm-gate prices in a glut, the ceiling above the dearest produce sold by that
# unit; outside them a price is a slip (a zero missing or extra, a price per kg typed per
# tonne) or a test entry, and one such price would skew a day's average and the outlook.
PLAUSIBLE_PRICES: dict[str, tuple[int, int]] = {
    # Cabbage and watermelon have sold for 200–500 đ/kg at the farm in gluts; edible
    # bird's nest, the dearest produce sold by weight here, for 30–50 million.
    Unit.KILOGRAM: (200, 50_000_000),
    # Bulk trade (paddy, cassava, coffee, pepper, tea): the kilogram's floor × 1,000, up
    # to 1 million đ/kg.
    Unit.TONNE: (200_000, 1_000_000_000),
    # A bunch of herbs or greens from 1,000 đ; a bunch of orchids or peach branches for
    # Tết up to a few million.
    Unit.BUNCH: (1_000, 5_000_000),
    # A quail egg or a lime from 200 đ; a pomelo or melon grown in a mould for Tết up to
    # millions.
    Unit.FRUIT: (200, 10_000_000),
    # Fish fry and fingerlings from 100 đ a head; a breeding bull or buffalo up to
    # hundreds of millions.
    Unit.HEAD: (100, 1_000_000_000),
    # Vinegar or whey from 1,000 đ a litre; wild honey or ginseng wine up to millions.
    Unit.LITRE: (1_000, 10_000_000),
}
MAX_SURVEY_AGE = datetime.timedelta(days=5 * 366)  # older notes belong in an archive
MAX_DISTRICT_LENGTH = MarketPrice._meta.get_field("district").max_length
# Serialises the aggregation of one day (the second key is the day's ordinal).
AGGREGATION_LOCK = 0x50524943  # "PRIC"
HISTORY_DAYS = 90  # what the page and the app show by default
KEY_FIELDS = ["product", "unit", "district", "day", "source"]
VALUE_FIELDS = ["average_price", "min_price", "max_price", "volume", "samples"]
# Wide enough for quantity × price summed over a day.
AMOUNT = DecimalField(max_digits=40, decimal_places=3)


def checked_unit(unit: str, field: str = "unit") -> str:
    if unit not in Unit.values:
        raise field_error(
            field, _("Choose one of the units in the list."), MarketplaceErrorCode.INVALID_UNIT
        )
    return unit


def check_plausible_price(price: int, unit: str, field: str = "price_per_unit") -> int:
    """``price`` if it is within its unit's PLAUSIBLE_PRICES; else implausible_price."""
    low, high = PLAUSIBLE_PRICES[unit]
    if not low <= price <= high:
        raise field_error(
            field,
            _("A price per %(unit)s must be between %(low)s and %(high)s.")
            % {"unit": Unit(unit).label, "low": format_vnd(low), "high": format_vnd(high)},
            MarketplaceErrorCode.IMPLAUSIBLE_PRICE,
        )
    return price


def checked_price(value, unit: str, field: str = "price_per_unit") -> int:
    """A whole number of đồng, plausible for one ``unit``."""
    try:
        price = Decimal(value)
    except (TypeError, ValueError, ArithmeticError) as error:
        raise field_error(
            field, _("Give the price in whole đồng."), MarketplaceErrorCode.INVALID_PRICE
        ) from error
    if not price.is_finite() or price != price.to_integral_value():
        raise field_error(
            field, _("Give the price in whole đồng."), MarketplaceErrorCode.INVALID_PRICE
        )
    return check_plausible_price(int(price), unit, field)


def checked_day(value, field: str = "observed_on") -> datetime.date:
    """A day that has happened, in Viet Nam's calendar, within the last five years."""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if not isinstance(value, datetime.date):
        raise field_error(field, _("Give a date."), CommonErrorCode.INVALID_DATE)
    today = timezone.localdate()
    if value > today:
        raise field_error(
            field, _("A price cannot be observed in the future."), MarketplaceErrorCode.FUTURE_DATE
        )
    if value < today - MAX_SURVEY_AGE:
        raise field_error(
            field,
            _("This date is more than five years ago: check the year."),
            MarketplaceErrorCode.TOO_OLD,
        )
    return value


def checked_district(value, field: str = "district") -> str:
    """The district's name with spacing tidied, so that one district groups as one."""
    district = " ".join(str(value or "").split())
    if not district:
        raise field_error(
            field, _("Name the district of the market."), MarketplaceErrorCode.DISTRICT_REQUIRED
        )
    if len(district) > MAX_DISTRICT_LENGTH or "\x00" in district:
        raise field_error(
            field, _("This district name is too long."), MarketplaceErrorCode.INVALID_DISTRICT
        )
    return district


def clean_market_price(
    *, product, unit, district, price_per_unit, observed_on, price_confirmed=False
) -> dict:
    """The checked values of a survey entry (also used by the admin form to show errors).
    A price far from recent ones is refused (``unusual_price``) unless confirmed."""
    unit = checked_unit(unit)
    values = {
        "unit": unit,
        "district": checked_district(district),
        "price_per_unit": checked_price(price_per_unit, unit),
        "observed_on": checked_day(observed_on),
    }
    if not price_confirmed:
        check_usual_price(product, unit, values["price_per_unit"])
    return values


UNUSUAL_PRICE_FACTOR = 3  # three times the typical price, or a third of it
RECENT_PRICE_DAYS = 60


def typical_price(product: Product, unit: str, day: datetime.date) -> int | None:
    """The median of the prices surveyed for ``product`` per ``unit`` in the two months
    before ``day``; None without at least three of them."""
    since = day - datetime.timedelta(days=RECENT_PRICE_DAYS)
    prices = sorted(
        MarketPrice.objects.filter(
            product=product, unit=unit, observed_on__range=(since, day)
        ).values_list("price_per_unit", flat=True)[:500]
    )
    return prices[len(prices) // 2] if len(prices) >= 3 else None


def unusual_price(product: Product, unit: str, price: int, day: datetime.date) -> int | None:
    """The typical recent price when ``price`` is far from it (a zero too many or too
    few is the usual slip), so the person typing it is asked to confirm it."""
    typical = typical_price(product, unit, day)
    if typical and not typical / UNUSUAL_PRICE_FACTOR <= price <= typical * UNUSUAL_PRICE_FACTOR:
        return typical
    return None


def check_usual_price(product: Product, unit: str, price: int, field: str = "price_per_unit"):
    """Refuse (``unusual_price``) a price far from recent ones until the person typing it
    confirms it: a zero too many or too few is the usual slip."""
    typical = unusual_price(product, unit, price, timezone.localdate())
    if typical is not None:
        raise field_error(
            field,
            _(
                "%(price)s per %(unit)s is far from recent prices of this product (about "
                "%(typical)s). Check the zeros; if it is right, confirm it and save again."
            )
            % {
                "price": format_vnd(price),
                "unit": Unit(unit).label,
                "typical": format_vnd(typical),
            },
            MarketplaceErrorCode.UNUSUAL_PRICE,
        )


def require_price_surveyor(actor) -> None:
    if not is_price_surveyor(actor):
        raise PermissionDenied(_("Only extension staff may record market prices."))


@transaction.atomic
def record_market_price(
    actor,
    *,
    product: Product,
    unit: str,
    district: str,
    price_per_unit: int,
    observed_on: datetime.date,
    place: Place | None = None,
    price_confirmed: bool = False,
) -> MarketPrice:
    """Extension staff note a price seen at a market. The day's prices are recomputed at
    once: an entry for a past day would otherwise never reach the nightly aggregation."""
    require_price_surveyor(actor)
    values = clean_market_price(
        product=product,
        unit=unit,
        district=district,
        price_per_unit=price_per_unit,
        observed_on=observed_on,
        price_confirmed=price_confirmed,
    )
    entry = MarketPrice.objects.create(product=product, place=place, recorded_by=actor, **values)
    aggregate_daily_prices(entry.observed_on)
    return entry


@transaction.atomic
def delete_market_price(actor, entry: MarketPrice) -> None:
    """A mistaken entry is deleted (and typed again); its day is recomputed."""
    require_price_surveyor(actor)
    day = entry.observed_on
    entry.delete()
    aggregate_daily_prices(day)


def local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight in Viet Nam's time (the platform's time zone)."""
    start = datetime.datetime.combine(day, datetime.time.min, timezone.get_default_timezone())
    return start, start + datetime.timedelta(days=1)


def _rounded(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _order_prices(day: datetime.date) -> list[DailyPrice]:
    """Retail lines of orders completed that day, per product, unit and seller's district.
    Wholesale prices are for verified businesses only, so they stay out of public prices."""
    start, end = local_day_bounds(day)
    groups = (
        OrderLine.objects.filter(
            order__status=Order.Status.COMPLETED,
            order__status_changed_at__gte=start,
            order__status_changed_at__lt=end,
            wholesale=False,
        )
        .values("product_id", "unit", district=F("order__producer__district"))
        .annotate(
            volume=Sum("quantity"),
            amount=Sum(F("quantity") * F("unit_price"), output_field=AMOUNT),
            low=Min("unit_price"),
            high=Max("unit_price"),
            samples=Count("pk"),
            buyers=Count("order__buyer", distinct=True),
        )
        # Published prices never reveal one buyer's deal.
        .filter(buyers__gte=settings.MARKET_PRICE_MIN_BUYERS)
        .order_by()
    )
    return [
        _daily(group, day, DailyPrice.Source.ORDERS, group["amount"] / group["volume"])
        for group in groups
    ]


def _market_prices(day: datetime.date) -> list[DailyPrice]:
    """Survey entries of the day, per product, unit and district: a plain average."""
    groups = (
        MarketPrice.objects.filter(observed_on=day)
        .values("product_id", "unit", "district")
        .annotate(
            total=Sum("price_per_unit"),
            low=Min("price_per_unit"),
            high=Max("price_per_unit"),
            samples=Count("pk"),
        )
        .order_by()
    )
    return [
        _daily(group, day, DailyPrice.Source.MARKET, Decimal(group["total"]) / group["samples"])
        for group in groups
    ]


def _daily(group: dict, day: datetime.date, source: str, average: Decimal) -> DailyPrice:
    """One aggregated group (product, unit, district, low, high, samples) as a row."""
    return DailyPrice(
        product_id=group["product_id"],
        unit=group["unit"],
        district=group["district"],
        day=day,
        source=source,
        average_price=_rounded(average),
        min_price=group["low"],
        max_price=group["high"],
        volume=group.get("volume", 0),  # surveys have prices, not quantities
        samples=group["samples"],
    )


def _key(row) -> tuple:
    return (row.product_id, row.unit, row.district, row.source)


@transaction.atomic
def aggregate_daily_prices(day: datetime.date) -> int:
    """Recompute ``day``'s DailyPrice rows; return how many were written.

    Rows are upserted on their natural key and groups that no longer exist (an order
    reopened, a survey entry deleted) are removed, so running twice changes nothing.
    """
    with connection.cursor() as cursor:
        # Two runs for the same day (the nightly task, a survey entry) take turns: the
        # second then reads what the first committed instead of overwriting it with less.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [AGGREGATION_LOCK, day.toordinal()])
    rows = _order_prices(day) + _market_prices(day)
    if rows:
        DailyPrice.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=KEY_FIELDS, update_fields=VALUE_FIELDS
        )
    kept = {_key(row) for row in rows}
    existing = DailyPrice.objects.filter(day=day).only("product", "unit", "district", "source")
    stale = [row.pk for row in existing if _key(row) not in kept]
    if stale:
        DailyPrice.objects.filter(pk__in=stale).delete()
    return len(rows)


@dataclass(frozen=True)
class PricePoint:
    """One day's price from one source, over one district or all of them."""

    day: datetime.date
    source: str
    average_price: int
    min_price: int
    max_price: int
    volume: Decimal
    samples: int


def price_history(
    product: Product,
    *,
    unit: str,
    district: str | None = None,
    since: datetime.date | None = None,
) -> list[PricePoint]:
    """Daily points, oldest first, one per day and source.

    The two sources stay apart: what buyers paid on the platform and what a market
    charged are different prices, and averaging them would hide the gap. Without a
    district, a day's districts are combined: order prices weighted by quantity sold,
    survey prices by the number of entries.
    """
    rows = DailyPrice.objects.filter(product=product, unit=checked_unit(unit))
    if district:
        rows = rows.filter(district=district)
    if since:
        rows = rows.filter(day__gte=since)
    weight = Case(
        When(source=DailyPrice.Source.ORDERS, then=F("volume")),
        default=F("samples"),
        output_field=AMOUNT,
    )
    groups = (
        rows.values("day", "source")
        .annotate(
            low=Min("min_price"),
            high=Max("max_price"),
            sold=Sum("volume"),
            entries=Sum("samples"),
            weighted=Sum(F("average_price") * weight, output_field=AMOUNT),
            weights=Sum(weight, output_field=AMOUNT),
        )
        .order_by("day", "source")
    )
    return [
        PricePoint(
            day=group["day"],
            source=group["source"],
            average_price=_rounded(group["weighted"] / group["weights"]),
            min_price=group["low"],
            max_price=group["high"],
            volume=group["sold"],
            samples=group["entries"],
        )
        for group in groups
    ]
