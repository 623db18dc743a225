"""The Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("nongsan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The app of every thread too (a threaded server's requests), not only the importing one:
# otherwise Celery would make an unconfigured default app there and send tasks astray.
app.set_default()
