import json
import os
import uuid
from pathlib import Path

import jsonschema
import pytest
from celery import Celery, current_app
from django.core.cache import cache
from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from farms.models import Membership
from tests import factories
from tests.factories import kg, moment
from traceability.services.batches import create_batch


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.WEATHER_FORECAST_URL = ""  # never the network: weather tests serve recordings
    cache.clear()  # no locks or counters left by an earlier test
    # A request with Accept-Language leaves its language active in this thread.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def coop(db):
    return factories.ProducerFactory()


@pytest.fixture
def owner(coop):
    return factories.member(factories.UserFactory(), coop, Membership.Role.OWNER)


@pytest.fixture
def stranger(db):
    """A user who is a member of another producer only."""
    return factories.member(factories.UserFactory(), factories.ProducerFactory())


@pytest.fixture
def plot(coop):
    return factories.PlotFactory(producer=coop)


@pytest.fixture
def product(db):
    return factories.ProductFactory()


@pytest.fixture
def pesticide(db):
    return factories.PesticideFactory()


@pytest.fixture
def admin_user(db):
    """pytest-django's admin logs in with a phone number here."""
    from accounts.models import User

    return User.objects.create_superuser("0900000001", "an-admin-passphrase", full_name="Admin")


@pytest.fixture
def growing(owner, coop, product, plot):
    """A crop planted 30 days ago, not yet harvested."""
    return create_batch(owner, producer=coop, product=product, plots=[plot])


@pytest.fixture
def harvested(owner, coop, product, plot):
    """100 kg harvested yesterday."""
    return create_batch(
        owner,
        producer=coop,
        product=product,
        plots=[plot],
        harvested_at=moment(1),
        quantity=kg(100),
    )


BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def broker_app():
    """A Celery app of its own on the real broker and a queue of its own, made current
    so that the product's shared tasks are sent through it; the default app is left
    untouched for the other tests."""
    previous = current_app._get_current_object()
    app = Celery("nongsan-worker-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=BROKER,
        task_always_eager=False,
        task_default_queue=f"test-{uuid.uuid4().hex[:12]}",
    )
    app.set_current()
    autodiscover_modules("tasks")  # as a real worker does at start
    yield app
    previous.set_current()
    previous.set_default()  # start_worker made the test app the process default
    app.close()


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own database
    # calls are still synchronous, so Django's guard against async callers is lifted.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        yield chromium
        chromium.close()
        connections.close_all()  # opened while Playwright's loop ran: closed in it


@pytest.fixture
def inspector(db):
    from django.contrib.auth.models import Group

    from farms.permissions import INSPECTOR_GROUP

    person = factories.UserFactory(email="thanhtra@example.vn")
    person.groups.add(Group.objects.get(name=INSPECTOR_GROUP))
    return person


EPCIS_SCHEMA = Path(__file__).resolve().parent / "standards" / "epcis" / "EPCIS-JSON-Schema.json"


@pytest.fixture(scope="session")
def validator():
    """GS1's official EPCIS 2.0 JSON Schema."""
    schema = json.loads(EPCIS_SCHEMA.read_text())
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
