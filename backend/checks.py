"""Deployment checks of our own (``manage.py check --deploy``): what a production site
needs beyond Django's checklist."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def shared_services(app_configs, **kwargs) -> list[Warning]:
    problems = []
    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        problems.append(
            Warning(
                "The cache is each process's own memory: throttles and locks would hold "
                "per worker only.",
                hint="Set CACHE_URL to a Redis server shared by every worker.",
                id="nongsan.W001",
            )
        )
    if not settings.CELERY_BROKER_URL:
        problems.append(
            Warning(
                "No Celery broker: label sheets and photos would be made inside requests.",
                hint="Set CELERY_BROKER_URL and run a worker (see README).",
                id="nongsan.W002",
            )
        )
    if not settings.TEXT_MESSAGE_BACKEND:
        problems.append(
            Warning(
                "No text message provider: sign-up codes would only be logged.",
                hint="Set TEXT_MESSAGE_BACKEND to an SMS or Zalo provider's backend.",
                id="nongsan.W003",
            )
        )
    return problems
