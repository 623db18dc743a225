"""Weather forecasts ingested from recorded Open-Meteo answers served over real HTTP on
loopback, their advisories, and what a farmer reads through GraphQL."""

import datetime
import json
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from farms.permissions import EXTENSION_STAFF_GROUP
from maps import tasks
from maps.models import DailyForecast
from maps.services import weather
from maps.services.advisories import advisories, describe
from tests import factories
from tests.maps.conftest import RECORDINGS, box, plot
from tests.mobile_api.conftest import Api, token_for

NOV = datetime.date(2026, 11, 1)


def day(number: int) -> datetime.date:
    return NOV.replace(day=number)


def stored(area) -> dict[datetime.date, DailyForecast]:
    return {forecast.day: forecast for forecast in DailyForecast.objects.filter(area=area)}


def test_a_batch_of_communes_is_fetched_in_one_request_and_stored_per_commune(
    land, weather_provider
):
    assert weather.ingest([land.west.pk, land.east.pk]) == 14

    (request,) = weather_provider.requests
    latitudes = [float(value) for value in request["latitude"][0].split(",")]
    longitudes = [float(value) for value in request["longitude"][0].split(",")]
    assert longitudes[0] < 105.85 < longitudes[1]  # a point inside each commune, in order
    assert all(21.1 < latitude < 21.2 for latitude in latitudes)
    assert request["timezone"] == ["Asia/Ho_Chi_Minh"]
    assert request["forecast_days"] == ["7"]
    assert set(request["daily"][0].split(",")) == set(weather.DAILY_VARIABLES)

    west, east = stored(land.west), stored(land.east)
    assert sorted(west) == [day(n) for n in range(24, 31)]
    wet = west[day(25)]
    assert (wet.weather_code, wet.precipitation, wet.wind_gusts_max) == (65, 62.4, 64.8)
    assert (wet.temperature_max, wet.temperature_min) == (22.1, 17.8)
    assert east[day(25)].precipitation == 38.7
    assert east[day(30)].precipitation_probability is None  # the provider had no value


def test_a_later_ingest_replaces_the_days_it_covers(land, weather_provider):
    weather.ingest([land.west.pk, land.east.pk])
    first_fetch = stored(land.west)[day(24)].fetched_at
    weather_provider.answers.append((200, "open_meteo_one_location.json"))

    assert weather.ingest([land.west.pk]) == 7

    assert DailyForecast.objects.count() == 14
    hot = stored(land.west)[day(24)]
    assert hot.temperature_max == 36.2 and hot.fetched_at > first_fetch
    assert stored(land.east)[day(24)].temperature_max == 26.4  # untouched


@pytest.mark.parametrize(
    ("answer", "explains"),
    [
        ((200, "open_meteo_one_location.json"), "asked for 2 places, got 1"),
        ((400, "open_meteo_error.json"), "invalid String value tempeture_2m_max"),
        ((200, None), "not JSON"),
    ],
)
def test_an_unusable_answer_changes_nothing(land, weather_provider, answer, explains):
    weather.ingest([land.west.pk, land.east.pk])
    before = list(DailyForecast.objects.order_by("pk").values())
    weather_provider.answers.append(answer)

    with pytest.raises(weather.ForecastRejected, match=explains):
        weather.ingest([land.west.pk, land.east.pk])

    assert list(DailyForecast.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("status", [429, 503])
def test_a_provider_in_trouble_is_worth_asking_again(land, weather_provider, status):
    weather_provider.answers.append((status, None))
    with pytest.raises(weather.WeatherUnavailable):
        weather.ingest([land.west.pk, land.east.pk])
    assert not DailyForecast.objects.exists()


def test_a_provider_that_does_not_answer_is_worth_asking_again(land, weather_provider, settings):
    settings.WEATHER_FORECAST_URL = "http://127.0.0.1:9/v1/forecast"  # the discard port
    with pytest.raises(weather.WeatherUnavailable):
        weather.ingest([land.west.pk])


def test_the_provider_address_may_carry_its_own_parameters(land, weather_provider, settings):
    settings.WEATHER_FORECAST_URL += "?apikey=K-123"
    weather.ingest([land.west.pk, land.east.pk])
    (request,) = weather_provider.requests
    assert request["apikey"] == ["K-123"] and len(request["latitude"][0].split(",")) == 2


def test_staff_fetch_chosen_communes_now_from_the_admin(
    admin_client, land, weather_provider, settings
):
    settings.WEATHER_BATCH_SIZE = 1  # a request per commune
    weather_provider.default = (200, "open_meteo_one_location.json")
    answer = admin_client.post(
        "/admin/maps/administrativearea/",
        {
            "action": "fetch_forecast",
            "_selected_action": [land.west.pk, land.east.pk, land.district.pk],
        },
        follow=True,
    )
    assert "2 xã" in answer.content.decode()
    assert DailyForecast.objects.filter(area__level="commune").count() == 14
    assert len(weather_provider.requests) == 2


def test_a_failed_fetch_from_the_admin_is_told_not_crashed(admin_client, land, weather_provider):
    weather_provider.default = (503, None)
    answer = admin_client.post(
        "/admin/maps/administrativearea/",
        {"action": "fetch_forecast", "_selected_action": [land.west.pk]},
        follow=True,
    )
    assert answer.status_code == 200 and "503" in answer.content.decode()
    assert not DailyForecast.objects.exists()


def test_only_http_addresses_are_fetched(land, settings):
    settings.WEATHER_FORECAST_URL = "file:///etc/passwd"
    with pytest.raises(weather.ForecastRejected, match="http"):
        weather.ingest([land.west.pk])


def recorded_location() -> dict:
    return json.loads((RECORDINGS / "open_meteo_one_location.json").read_text())


@pytest.mark.parametrize(
    ("spoil", "explains"),
    [
        (lambda loc: loc["daily_units"].update(temperature_2m_max="°F"), "not '°C'"),
        (lambda loc: loc["daily"]["precipitation_sum"].pop(), "one value per day"),
        (lambda loc: loc["daily"]["wind_speed_10m_max"].__setitem__(0, 9000), "not plausible"),
        (lambda loc: loc["daily"]["precipitation_sum"].__setitem__(0, "1"), "not plausible"),
        (lambda loc: loc["daily"]["time"].__setitem__(0, "24/11/2026"), "not a day"),
        (lambda loc: loc.pop("daily"), "no daily forecast"),
        (lambda loc: loc.update(utc_offset_seconds=0), "not in Asia/Ho_Chi_Minh"),
        (lambda loc: loc["daily"]["time"].__setitem__(1, "2026-11-24"), "repeated"),
    ],
)
def test_each_value_of_an_answer_is_checked(spoil, explains):
    location = recorded_location()
    assert len(weather.parse_location(location)) == 7
    spoil(location)
    with pytest.raises(weather.ForecastRejected, match=explains):
        weather.parse_location(location)


def test_the_beat_task_fetches_every_commune_in_batches(land, weather_provider, settings):
    settings.WEATHER_BATCH_SIZE = 1
    weather_provider.default = (200, "open_meteo_one_location.json")

    assert tasks.refresh_weather() == 2  # eager here: each batch ran in-process

    assert len(weather_provider.requests) == 2
    assert DailyForecast.objects.filter(area=land.west).count() == 7
    assert DailyForecast.objects.filter(area=land.east).count() == 7


def test_the_beat_task_does_nothing_without_a_provider(land, settings):
    settings.WEATHER_FORECAST_URL = ""
    assert tasks.refresh_weather() == 0


@pytest.mark.celery_broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_ingests_the_forecast_through_the_broker(broker_app, land, weather_provider):
    with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        tasks.refresh_weather.delay()
        deadline = time.monotonic() + 60
        while DailyForecast.objects.count() < 14 and time.monotonic() < deadline:
            time.sleep(0.2)
    assert DailyForecast.objects.count() == 14
    assert stored(land.west)[day(25)].precipitation == 62.4


def forecast(**values) -> DailyForecast:
    quiet = {"weather_code": 1, "temperature_max": 27.0, "temperature_min": 20.0}
    return DailyForecast(**{**quiet, "precipitation": 0.0, "wind_gusts_max": 15.0, **values})


@pytest.mark.parametrize(
    ("values", "codes"),
    [
        ({}, []),
        ({"precipitation": 62.4, "weather_code": 65}, ["heavy_rain"]),
        ({"precipitation": 18.3}, ["rain"]),
        ({"precipitation": 15.9}, []),
        ({"weather_code": 95, "wind_gusts_max": 64.8}, ["thunderstorm", "strong_wind"]),
        ({"wind_speed_max": 39.0}, ["strong_wind"]),
        ({"temperature_max": 36.2}, ["heat"]),
        ({"temperature_max": 17.2, "temperature_min": 11.8}, ["severe_cold"]),
        ({"temperature_max": 19.0, "temperature_min": 11.8}, []),  # mean 15.4: not severe
        ({"temperature_max": None, "precipitation": None, "wind_gusts_max": None}, []),
    ],
)
def test_advisories_follow_the_bulletin_thresholds(values, codes):
    assert [advisory.code for advisory in advisories(forecast(**values))] == codes


def test_warnings_come_first_and_speak_vietnamese():
    day_of_storm = forecast(precipitation=20.0, weather_code=95)
    with translation.override("vi"):
        found = advisories(day_of_storm)
        assert describe(day_of_storm) == "Dông"
    assert [advisory.severity for advisory in found] == ["warning", "caution"]
    assert "Mưa (20 mm)" in found[1].message


WEATHER = """query($producer: ID) { weather(producerId: $producer) {
  communeCode communeName plots fetchedAt
  days { day summary precipitation windGustsMax advisories { code severity message } }
} }"""


def forecast_week(area, start: datetime.date) -> None:
    DailyForecast.objects.bulk_create(
        forecast(
            area=area,
            day=start + datetime.timedelta(days=offset),
            precipitation=60.0 if offset == 1 else 0.0,
            fetched_at=timezone.now(),
        )
        for offset in range(7)
    )


def test_a_farmer_reads_the_coming_days_over_their_plots(api, coop, land):
    plot(coop, box(105.81, 21.12, 105.82, 21.13))
    today = timezone.localdate()
    forecast_week(land.west, today - datetime.timedelta(days=2))  # two days already past
    forecast_week(land.east, today)  # no plot there

    with translation.override("vi"):
        (commune,) = api.ok(WEATHER)["weather"]

    assert (commune["communeCode"], commune["communeName"]) == ("00454", "Vân Nội")
    assert commune["plots"] == ["Thửa"]
    assert [d["day"] for d in commune["days"]][:1] == [today.isoformat()]
    assert len(commune["days"]) == 5
    assert commune["days"][0]["summary"] == "Gần như quang đãng"
    assert commune["fetchedAt"]
    assert [d["advisories"] for d in commune["days"]] == [[]] * 5  # the rain was yesterday


def test_tomorrows_heavy_rain_reaches_the_farmer(api, coop, land):
    plot(coop, box(105.86, 21.12, 105.87, 21.13))
    forecast_week(land.east, timezone.localdate())

    (commune,) = api.ok(WEATHER)["weather"]

    tomorrow = commune["days"][1]
    assert tomorrow["precipitation"] == 60.0
    assert [a["code"] for a in tomorrow["advisories"]] == ["heavy_rain"]
    assert "hoãn phun thuốc" in tomorrow["advisories"][0]["message"]


def test_the_weather_query_costs_the_same_for_many_communes(api, coop, land):
    plot(coop, box(105.81, 21.12, 105.82, 21.13))
    forecast_week(land.west, timezone.localdate())
    with CaptureQueriesContext(connection) as one:
        assert len(api.ok(WEATHER)["weather"]) == 1
    plot(coop, box(105.86, 21.12, 105.87, 21.13))
    plot(coop, box(105.88, 21.15, 105.89, 21.16))
    forecast_week(land.east, timezone.localdate())

    with CaptureQueriesContext(connection) as two:
        assert [len(c["plots"]) for c in api.ok(WEATHER)["weather"]] == [2, 1]
    assert len(two) == len(one)


def test_extension_staff_see_a_farm_s_weather_when_they_name_it(client, rf, coop, land):
    officer = factories.UserFactory()
    officer.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    plot(coop, box(105.81, 21.12, 105.82, 21.13))
    forecast_week(land.west, timezone.localdate())
    staff_api = Api(client, token_for(officer, rf))

    assert staff_api.ok(WEATHER)["weather"] == []  # not every farm of the country at once
    named = staff_api.ok(WEATHER, {"producer": str(coop.uuid)})["weather"]
    assert [commune["communeName"] for commune in named] == ["Vân Nội"]


def test_others_see_nothing_of_a_farm_s_weather(stranger_api, anonymous_api, coop, land):
    plot(coop, box(105.81, 21.12, 105.82, 21.13))
    forecast_week(land.west, timezone.localdate())

    assert stranger_api.ok(WEATHER)["weather"] == []
    refused = anonymous_api(WEATHER)
    assert refused["data"] is None or refused["data"]["weather"] is None
    assert refused["errors"][0]["message"] == "Vui lòng đăng nhập."
    other = factories.ProducerFactory()
    producer_id = str(other.uuid)
    assert stranger_api.ok(WEATHER, {"producer": producer_id})["weather"] == []
