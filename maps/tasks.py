from celery import shared_task
from django.conf import settings

from maps.services import open_data, weather


@shared_task
def refresh_weather() -> int:
    """Queue one forecast ingest per batch of communes; the number of batches."""
    if not settings.WEATHER_FORECAST_URL:
        return 0
    batches = weather.commune_batches()
    queue_weather(batches)
    return len(batches)


def queue_weather(batches: list[list[int]]) -> None:
    """One ingest per batch, spaced out: providers limit locations per minute."""
    for position, area_ids in enumerate(batches):
        ingest_weather.apply_async(
            (area_ids,), countdown=position * settings.WEATHER_BATCH_SPACING_SECONDS
        )


@shared_task(
    autoretry_for=(weather.WeatherUnavailable,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
)
def ingest_weather(area_ids: list[int]) -> int:
    """Fetch and store the forecast of a batch of communes. A provider that is down is
    asked again later; an answer that fails the checks is logged and stored nowhere."""
    return weather.ingest(area_ids)


@shared_task
def publish_open_data() -> int:
    """Rebuild the open datasets (daily, after the prices; they aggregate every plot)."""
    return open_data.publish()
