"""The demo data loads through the services, once, and tells a true story."""

import io

import pytest
from django.apps import apps
from django.contrib.gis.geos import Polygon
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase

from accounts.models import User
from accounts.phone import normalize_phone
from farms.models import Plot, Product
from fixtures.demo import (
    DEMO_PASSWORD,
    HOUSEHOLD_FARMER,
    PRODUCTS,
    demo_labels,
    demo_producers,
    load_demo,
    scan_path,
    summarize,
)
from knowledge.models import Article, Proposal, Treatment
from knowledge.services.search import search_articles
from maps.models import OpenDataFile
from maps.services.advisories import advisories
from maps.services.weather import weather_for_plots
from marketplace.models import DailyPrice, Equipment, Offer, Order, Review
from traceability.models import Batch, TraceEvent
from traceability.services.integrity import verify_batch
from traceability.services.mass_balance import lot_balances, transformation_balances

# Rough boxes around each pilot district (west, south, east, north), from the map.
DISTRICT_BOXES = {
    "Đông Anh": (105.72, 21.05, 105.93, 21.24),
    "Thanh Trì": (105.78, 20.89, 105.92, 20.99),
    "Phúc Thọ": (105.46, 21.05, 105.63, 21.19),
    "Phú Xuyên": (105.83, 20.64, 105.99, 20.79),
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module and rolled back after its last test. What
    the demo queues after commit (label sheets…) runs as it would once committed."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            summary = load_demo()
        yield summarize(created=summary.created)
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, db):
    return loaded


def row_counts() -> dict[str, int]:
    app_labels = ("accounts", "auth", "farms", "traceability", "marketplace", "knowledge", "maps")
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in app_labels
    }


def test_the_demo_loads(demo):
    assert demo.created
    assert demo.producers == 7 and demo.plots >= 14 and demo.users == 8
    assert demo.batches >= 10 and demo.events >= 50 and demo.labels == 5 * 24
    assert {producer.district for producer in demo_producers()} == set(DISTRICT_BOXES)


def test_the_market_demo_has_offers_orders_prices_and_equipment(demo, client):
    assert Offer.objects.filter(status="active").count() >= 4
    assert set(Order.objects.values_list("status", flat=True)) == {
        "placed",
        "shipped",
        "delivered",  # to the restaurant, from the lot recalled since
        "completed",
    }
    assert Review.objects.count() == 1
    rice = DailyPrice.objects.filter(product__code="rau-muong", source="market")
    assert rice.count() == 130
    assert Equipment.objects.count() == 3
    signed_in = client.post(
        "/accounts/login/", {"username": "0904000401", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert "Rau muống" in client.get("/market/").content.decode()


def test_the_knowledge_demo_is_published_and_found_without_diacritics(demo):
    vietnamese = Article.objects.filter(language="vi", status="published")
    assert vietnamese.count() >= 15
    assert Article.objects.filter(language="en", original__isnull=False).count() >= 4
    assert search_articles("sau cuon la").first().slug == "sau-cuon-la-nho-hai-lua"
    treatments = Treatment.objects.select_related("agricultural_input")
    assert treatments.exists()
    assert all(t.agricultural_input.kind == "pesticide" for t in treatments)
    waiting = Proposal.objects.filter(status="pending")
    assert sorted(waiting.values_list("kind", flat=True)) == ["edit", "question"]


def test_loading_twice_creates_nothing(demo):
    before = row_counts()
    again = load_demo()
    assert not again.created
    assert row_counts() == before
    assert (again.batches, again.events, again.labels) == (demo.batches, demo.events, demo.labels)


def test_every_demo_history_is_intact(demo):
    batches = Batch.objects.filter(producer__in=demo_producers())
    assert batches.count() == demo.batches
    for batch in batches:
        report = verify_batch(batch)
        assert report.intact, (batch.code, report.problems)


def test_every_plot_lies_in_its_district(demo):
    plots = Plot.objects.filter(producer__in=demo_producers()).select_related("producer")
    for plot in plots:
        box = Polygon.from_bbox(DISTRICT_BOXES[plot.producer.district])
        assert box.contains(plot.geometry), plot.name


def test_each_label_opens_its_public_page(demo, client):
    labels = demo_labels()
    assert len(labels) == 5
    assert any(scan_path(label).startswith("/01/") for label in labels)
    for label in labels:
        for path in (f"/s/{label.serial}", scan_path(label)):
            response = client.get(path, follow=True)  # Digital Link redirects to /s/
            assert response.status_code == 200, path
            html = response.content.decode()
            assert label.batch.product.name_vi in html
            producer = label.batch.producer
            assert producer.contact_phone not in html
            assert producer.street_address not in html


def test_demo_urls_prints_logins_and_pages(demo):
    out = io.StringIO()
    call_command("demo_urls", base="http://demo.test:8000/", stdout=out)
    text = out.getvalue()
    assert "http://demo.test:8000/admin/" in text and DEMO_PASSWORD in text
    assert "http://demo.test:8000/01/" in text and "/verify" in text and "/epcis.jsonld" in text


def test_the_demo_farmers_see_tomorrow_s_rain_and_the_open_data_is_published(demo, client):
    plots = Plot.objects.filter(producer__in=demo_producers())
    communes = weather_for_plots(plots)
    assert communes, "the demo plots lie in the demo communes"
    tomorrow = communes[0].days[1]
    assert [advisory.code for advisory in advisories(tomorrow)] == ["heavy_rain", "strong_wind"]
    rows = client.get("/open-data/market-places.csv").content.decode().splitlines()
    assert len(rows) > 1 and OpenDataFile.objects.count() == 10


def test_every_demo_lot_and_transformation_balances(demo):
    lots = list(lot_balances())
    assert len(lots) >= 10
    assert [lot.code for lot in lots if not lot.balanced] == []
    transformations = list(transformation_balances())
    assert len(transformations) == 3  # the merge, the milling and the split
    assert all(transformation.balanced for transformation in transformations)


def test_the_demo_tells_a_correction_a_released_hold_and_a_recall(demo):
    from fixtures.record_stories import CORRECTED_PLOT, HELD_PLOT, RECALLED_PLOT
    from marketplace.models import Buyer
    from traceability.models import Hold, RecallNotice

    corrected = Batch.objects.get(origin_plots__name=CORRECTED_PLOT)
    assert corrected.quantity == 52
    assert corrected.events.filter(business_step="correcting").count() == 1
    held = Batch.objects.get(origin_plots__name=HELD_PLOT)
    (hold,) = Hold.objects.filter(batch=held)
    assert hold.released_at and "VNC-HN" in hold.release_note and not held.on_hold
    recalled = Batch.objects.get(origin_plots__name=RECALLED_PLOT)
    chef = Buyer.objects.get(kind="restaurant").members.get()
    assert recalled.status == "recalled" and recalled.remaining_quantity == 0
    assert RecallNotice.objects.filter(recall__batch=recalled, recipient=chef).exists()
    assert recalled.events.filter(business_step="returned", party__buyer_uuid__isnull=False)


def test_the_organic_longan_keeps_its_claim_with_permitted_inputs_only(demo):
    longan = Batch.objects.get(origin_plots__name="Vườn nhãn bãi sông", parent_links=None)
    assert longan.certification.scheme == "organic"


def test_the_demo_products_have_images_that_the_scan_pages_show(demo, client):
    assert all(Product.objects.filter(code=spec.code).get().image for spec in PRODUCTS)
    label = demo_labels()[0]
    page = client.get(scan_path(label), follow=True).content.decode()
    assert label.batch.product.image.url in page
    photographed = TraceEvent.objects.filter(batch=label.batch, photos__isnull=False)
    assert photographed.exists()


def test_a_plain_farmer_holds_her_household_in_the_app(demo):
    farmer = User.objects.get(phone=normalize_phone(HOUSEHOLD_FARMER))
    (membership,) = farmer.memberships.all()
    assert membership.role == "owner" and membership.producer.kind == "household"
    assert not farmer.is_staff and not farmer.groups.exists()
