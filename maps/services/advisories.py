"""What a day's forecast means for field work: a few plain advisories. Thresholds follow
the terms of Vietnam's weather bulletins (moderate rain from 16 mm a day, heavy rain
over 50 mm, strong wind from Beaufort force 6, hot from 35 °C, severe cold at a daily
mean of 15 °C or less)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maps.models import DailyForecast

MODERATE_RAIN_MM = 16
HEAVY_RAIN_MM = 50
STRONG_WIND_KMH = 39
STRONG_GUSTS_KMH = 62
HOT_C = 35
SEVERE_COLD_MEAN_C = 15
THUNDERSTORM_CODES = {95, 96, 99}

# WMO weather interpretation codes, as Open-Meteo uses them.
WEATHER_CODES = {
    0: gettext_lazy("Clear sky"),
    1: gettext_lazy("Mainly clear"),
    2: gettext_lazy("Partly cloudy"),
    3: gettext_lazy("Overcast"),
    45: gettext_lazy("Fog"),
    48: gettext_lazy("Fog"),
    51: gettext_lazy("Light drizzle"),
    53: gettext_lazy("Drizzle"),
    55: gettext_lazy("Dense drizzle"),
    56: gettext_lazy("Freezing drizzle"),
    57: gettext_lazy("Freezing drizzle"),
    61: gettext_lazy("Light rain"),
    63: gettext_lazy("Rain"),
    65: gettext_lazy("Heavy rain"),
    66: gettext_lazy("Freezing rain"),
    67: gettext_lazy("Freezing rain"),
    80: gettext_lazy("Light showers"),
    81: gettext_lazy("Showers"),
    82: gettext_lazy("Violent showers"),
    95: gettext_lazy("Thunderstorm"),
    96: gettext_lazy("Thunderstorm with hail"),
    99: gettext_lazy("Thunderstorm with hail"),
}


@dataclass(frozen=True)
class Advisory:
    code: str
    severity: str  # "warning": act before the day; "caution": plan around it
    message: str


def describe(forecast: DailyForecast) -> str:
    return str(WEATHER_CODES.get(forecast.weather_code, ""))


def advisories(forecast: DailyForecast) -> list[Advisory]:
    """The advisories for one day, most urgent first."""
    found = [*_rain(forecast), *_storm(forecast), *_temperature(forecast)]
    return sorted(found, key=lambda advisory: advisory.severity != "warning")


def _rain(day: DailyForecast) -> list[Advisory]:
    rain = day.precipitation or 0
    if rain > HEAVY_RAIN_MM:
        message = _(
            "Heavy rain (%(mm)s mm): delay spraying and fertilising, clear the drainage "
            "ditches and harvest what is ripe before it comes."
        )
        return [Advisory("heavy_rain", "warning", message % {"mm": _number(rain)})]
    if rain >= MODERATE_RAIN_MM:
        message = _("Rain (%(mm)s mm): do not spray or fertilise, the rain would wash it off.")
        return [Advisory("rain", "caution", message % {"mm": _number(rain)})]
    return []


def _storm(day: DailyForecast) -> list[Advisory]:
    found = []
    if day.weather_code in THUNDERSTORM_CODES:
        found.append(
            Advisory(
                "thunderstorm", "warning", _("Thunderstorms: leave the fields when it thunders.")
            )
        )
    wind, gusts = day.wind_speed_max or 0, day.wind_gusts_max or 0
    if wind >= STRONG_WIND_KMH or gusts >= STRONG_GUSTS_KMH:
        message = _(
            "Strong wind (gusts up to %(kmh)s km/h): do not spray, it drifts; stake tall "
            "plants and tie down net houses."
        )
        strongest = _number(max(wind, gusts))
        found.append(Advisory("strong_wind", "warning", message % {"kmh": strongest}))
    return found


def _temperature(day: DailyForecast) -> list[Advisory]:
    if day.temperature_max is not None and day.temperature_max >= HOT_C:
        message = _(
            "Hot (up to %(c)s °C): water early in the morning or late in the afternoon, "
            "shade seedlings, give animals water and shade."
        )
        return [Advisory("heat", "caution", message % {"c": _number(day.temperature_max)})]
    if day.temperature_max is None or day.temperature_min is None:
        return []
    if (day.temperature_max + day.temperature_min) / 2 <= SEVERE_COLD_MEAN_C:
        message = _(
            "Severe cold (down to %(c)s °C): cover rice seedbeds and young plants, keep "
            "livestock warm, wait to transplant."
        )
        return [Advisory("severe_cold", "warning", message % {"c": _number(day.temperature_min)})]
    return []


def _number(value: float) -> str:
    return f"{value:.0f}"
