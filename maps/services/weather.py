"""Weather forecasts per commune, ingested from a provider that speaks the Open-Meteo
forecast JSON format (``WEATHER_FORECAST_URL``), and read back for a farmer's plots.

A batch of communes is asked for in one request (Open-Meteo takes lists of coordinates
and answers with a list of locations in the same order). A batch is stored whole or
not at all: an answer that fails any check changes nothing."""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import Request, urlopen
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from farms.models import Plot, Producer
from farms.permissions import Action, has_global_access, producers_for
from maps.models import AdministrativeArea, DailyForecast

# The provider's daily variables: our field, the unit we store, and the plausible range.
DAILY_VARIABLES = {
    "weather_code": ("weather_code", "wmo code", (0, 99)),
    "temperature_2m_max": ("temperature_max", "°C", (-20, 60)),
    "temperature_2m_min": ("temperature_min", "°C", (-20, 60)),
    "precipitation_sum": ("precipitation", "mm", (0, 1500)),
    "precipitation_probability_max": ("precipitation_probability", "%", (0, 100)),
    "wind_speed_10m_max": ("wind_speed_max", "km/h", (0, 400)),
    "wind_gusts_10m_max": ("wind_gusts_max", "km/h", (0, 500)),
}
STORED_FIELDS = [name for name, _unit, _range in DAILY_VARIABLES.values()]
MAX_DAYS = 16  # the most Open-Meteo forecasts
MAX_RESPONSE_BYTES = 5 * 1024 * 1024


class WeatherUnavailable(Exception):
    """The provider did not answer (network, timeout, overload): worth trying again."""


class ForecastRejected(ValueError):
    """The provider answered with something that is not a usable forecast: trying again
    will not help until someone looks at the configuration or the provider."""


def commune_batches() -> list[list[int]]:
    """The ids of all communes, in batches of one request each."""
    return in_batches(
        AdministrativeArea.objects.filter(level=AdministrativeArea.Level.COMMUNE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def in_batches(ids: Iterable[int]) -> list[list[int]]:
    ids, size = list(ids), settings.WEATHER_BATCH_SIZE
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def ingest(area_ids: Iterable[int]) -> int:
    """Fetch and store the forecast of these communes; the number of days stored."""
    areas = list(
        AdministrativeArea.objects.filter(pk__in=list(area_ids))
        .annotate(point=PointOnSurface("geometry"))
        .defer("geometry")
        .order_by("pk")
    )
    if not areas:
        return 0
    locations = fetch([area.point for area in areas])
    fetched_at = timezone.now()
    forecasts = [
        DailyForecast(area=area, fetched_at=fetched_at, **values)
        for area, location in zip(areas, locations, strict=True)
        for values in parse_location(location)
    ]
    with transaction.atomic():
        DailyForecast.objects.bulk_create(
            forecasts,
            update_conflicts=True,
            unique_fields=["area", "day"],
            update_fields=[*STORED_FIELDS, "fetched_at"],
        )
    return len(forecasts)


def fetch(points: list[Point]) -> list[dict]:
    """The provider's answer for these points, one location per point, in order."""
    query = {
        "latitude": ",".join(f"{point.y:.4f}" for point in points),
        "longitude": ",".join(f"{point.x:.4f}" for point in points),
        "daily": ",".join(DAILY_VARIABLES),
        "timezone": settings.TIME_ZONE,
        "forecast_days": settings.WEATHER_FORECAST_DAYS,
    }
    url = urlsplit(settings.WEATHER_FORECAST_URL)
    if url.scheme not in ("https", "http"):  # never file: or other schemes
        raise ForecastRejected("WEATHER_FORECAST_URL is not an http(s) address")
    # The configured address may carry its own parameters (a paid plan's apikey).
    address = url._replace(query=urlencode([*parse_qsl(url.query), *query.items()])).geturl()
    request = Request(  # noqa: S310 (scheme checked above)
        address,
        headers={"Accept": "application/json", "User-Agent": "nongsan-weather/1"},
    )
    try:
        with urlopen(request, timeout=settings.WEATHER_TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except HTTPError as error:
        if error.code == 429 or error.code >= 500:
            raise WeatherUnavailable(f"provider answered {error.code}") from error
        raise ForecastRejected(f"provider refused the request: {_reason(error)}") from error
    except (URLError, OSError) as error:  # refused, unreachable, timed out
        raise WeatherUnavailable(str(error)) from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise ForecastRejected("the answer is too large")
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise ForecastRejected("the answer is not JSON") from error
    locations = payload if isinstance(payload, list) else [payload]
    if len(locations) != len(points):
        raise ForecastRejected(f"asked for {len(points)} places, got {len(locations)}")
    return locations


def _reason(error: HTTPError) -> str:
    """Open-Meteo explains a refusal as {"error": true, "reason": "..."}."""
    try:
        return str(json.loads(error.read(10_000))["reason"])[:300]
    except (ValueError, KeyError, TypeError):
        return str(error.code)


def parse_location(location) -> list[dict]:
    """One location's days as DailyForecast field values, each checked: its unit is
    the one we store and its value is plausible. A variable the provider leaves out
    is stored as unknown."""
    daily = location.get("daily") if isinstance(location, dict) else None
    units = location.get("daily_units") if isinstance(location, dict) else None
    if not isinstance(daily, dict) or not isinstance(units, dict):
        raise ForecastRejected("no daily forecast in the answer")
    days = daily.get("time")
    if not isinstance(days, list) or not 0 < len(days) <= MAX_DAYS:
        raise ForecastRejected("the daily forecast has no days")
    rows = [{"day": _day(text)} for text in days]
    if any(later["day"] <= earlier["day"] for earlier, later in pairwise(rows)):
        raise ForecastRejected("the days are not in order, or one is repeated")
    _check_local_days(location, rows[0]["day"])
    for variable, (name, unit, (low, high)) in DAILY_VARIABLES.items():
        values = daily.get(variable)
        if values is None:
            continue
        if units.get(variable) != unit:
            raise ForecastRejected(f"{variable} is in {units.get(variable)!r}, not {unit!r}")
        if not isinstance(values, list) or len(values) != len(rows):
            raise ForecastRejected(f"{variable} does not have one value per day")
        for row, value in zip(rows, values, strict=True):
            row[name] = _plausible(variable, value, low, high)
    return rows


def _check_local_days(location: dict, first_day: datetime.date) -> None:
    """Daily sums must be over our local days: a provider that ignored the time zone
    asked for would give UTC days, seven hours off."""
    local = datetime.datetime.combine(first_day, datetime.time(12), ZoneInfo(settings.TIME_ZONE))
    expected = int(local.utcoffset().total_seconds())
    if location.get("utc_offset_seconds") != expected:
        raise ForecastRejected(
            f"the days are not in {settings.TIME_ZONE} "
            f"(utc_offset_seconds {location.get('utc_offset_seconds')!r})"
        )


def _day(text) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError) as error:
        raise ForecastRejected(f"{text!r} is not a day") from error


def _plausible(variable: str, value, low: float, high: float) -> float | None:
    if value is None:  # the provider has no value for that day
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ForecastRejected(f"{variable} = {value!r} is not plausible")
    return value


@dataclass
class CommuneWeather:
    """The coming days for one commune and the plots a farmer has in it."""

    area: AdministrativeArea
    plots: list[str] = field(default_factory=list)
    days: list[DailyForecast] = field(default_factory=list)

    @property
    def fetched_at(self) -> datetime.datetime | None:
        return max((day.fetched_at for day in self.days), default=None)


def plots_asked_about(user, producer: Producer | None = None) -> QuerySet[Plot]:
    """Whose weather a person asks for: one producer's plots, if they may see it, or by
    default those of the farms they may see; for staff (who see every farm), those of
    the farms they belong to."""
    visible = producers_for(user, Action.VIEW)
    if producer is not None:
        visible = visible.filter(pk=producer.pk)
    elif has_global_access(user, Action.VIEW):
        visible = visible.filter(memberships__user=user)
    return Plot.objects.filter(producer__in=visible)


def weather_for_plots(plots: QuerySet[Plot]) -> list[CommuneWeather]:
    """The forecast from today on for every commune the plots lie in (a plot belongs to
    the commune holding a point on its surface). Three queries, however many plots."""
    commune = AdministrativeArea.objects.filter(
        level=AdministrativeArea.Level.COMMUNE, geometry__intersects=OuterRef("inner_point")
    )
    located = (
        plots.annotate(inner_point=PointOnSurface("geometry"))
        .annotate(commune_id=Subquery(commune.values("pk")[:1]))
        .exclude(commune_id=None)
    )
    by_commune: dict[int, list[str]] = {}
    for plot_name, commune_id in located.order_by("name").values_list("name", "commune_id"):
        by_commune.setdefault(commune_id, []).append(plot_name)
    areas = AdministrativeArea.objects.filter(pk__in=by_commune).defer("geometry")
    weather = {area.pk: CommuneWeather(area, by_commune[area.pk]) for area in areas}
    days = DailyForecast.objects.filter(area__in=list(weather), day__gte=timezone.localdate())
    for forecast in days.order_by("day"):
        weather[forecast.area_id].days.append(forecast)
    return sorted(weather.values(), key=lambda item: item.area.name)
