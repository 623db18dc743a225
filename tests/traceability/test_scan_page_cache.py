"""The scan and lot pages keep the lot's story in the shared cache, and never show an
old one: each change below shows on the very next request, after a first request has
cached the page. The hot path costs the same few queries at 5 events as at 200."""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.factories import CertificationFactory, kg, moment, ship
from tests.traceability.epcis_clients import document, partner_event
from traceability.models import Hold, Label
from traceability.services import scans
from traceability.services.batches import recall_batch
from traceability.services.corrections import correct_event
from traceability.services.events import record_event
from traceability.services.holds import place_holds
from traceability.services.labels import new_serials
from traceability.steps import BusinessStep as Step

HOT_PATH_QUERIES = 3


def page(label: Label, language: str = "en", address: str = "203.0.113.7") -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=address)
    response = client.get(f"/s/{label.serial}")
    assert response.status_code == 200
    return response.content.decode()


def lot_page(label: Label) -> str:
    return Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/lot/{label.batch.code}").content.decode()


def test_a_new_event_shows_at_once(owner, label):
    assert "Storing" not in page(label) and "Storing" not in lot_page(label)
    record_event(owner, label.batch, Step.STORING, occurred_at=moment(1))
    assert "Storing" in page(label) and "Storing" in lot_page(label)


def test_a_correction_shows_at_once(owner, label):
    stored = record_event(owner, label.batch, Step.STORING, occurred_at=moment(1))
    assert "declared wrong" not in page(label)
    correct_event(owner, stored, "Nhập nhầm kho")
    assert "declared wrong" in page(label)


def test_a_hold_shows_at_once(label):
    assert "On hold" not in page(label)
    with transaction.atomic():
        place_holds({label.batch.pk}, Hold.Reason.FAILED_CHECK, "Dư lượng vượt ngưỡng")
    assert "On hold" in page(label) and "Dư lượng vượt ngưỡng" in lot_page(label)


def test_a_recall_shows_at_once(owner, label):
    assert "RECALLED" not in page(label)
    recall_batch(owner, label.batch, "Nhiễm khuẩn")
    assert "RECALLED" in page(label) and "Nhiễm khuẩn" in lot_page(label)


def test_a_suspect_label_warning_shows_at_once(label):
    assert "Possible copy" not in page(label)
    scans.flag(label, Label.Suspicion.TOO_MANY_SCANS, public=True)
    assert "Possible copy" in page(label)


def test_a_certificate_lapsing_at_midnight_shows_the_next_day(label, coop, monkeypatch):
    today = timezone.localdate()
    certificate = CertificationFactory(producer=coop, valid_to=today)
    label.batch.certification = certificate
    label.batch.save(update_fields=["certification"])
    assert "in force" in page(label) and "no longer in force" not in page(label)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert "no longer in force" in page(label)


def test_a_suspended_certificate_shows_at_once(label, coop):
    certificate = CertificationFactory(producer=coop)
    label.batch.certification = certificate
    label.batch.save(update_fields=["certification"])
    assert "suspended or withdrawn" not in page(label)
    certificate.status = certificate.Status.SUSPENDED
    certificate.save(update_fields=["status"])
    assert "suspended or withdrawn" in page(label)


def test_each_language_has_its_own_page(label):
    assert "Its journey" in page(label, "en")
    vietnamese = page(label, "vi")
    assert "Hành trình" in vietnamese and "Its journey" not in vietnamese
    assert "Its journey" in page(label, "en")


def test_a_partners_captured_event_shows_at_once(label, owner, partner, supermarket, run):
    ship(owner, label.batch, kg(5), moment(1), to=supermarket)
    assert "Received at Siêu thị Xanh" not in page(label)
    event = partner_event(label.batch, "receiving", 0.5, 5, gtin=label.batch.product.gtin)
    assert run(partner, document(event))["success"] is True
    assert "Received at Siêu thị Xanh" in page(label)


def test_the_serial_and_warning_are_the_labels_own(label):
    other = Label.objects.create(batch=label.batch, serial=new_serials(1)[0])
    scans.flag(label, Label.Suspicion.TOO_MANY_SCANS, public=True)
    first, second = page(label), page(other)
    assert label.serial in first and other.serial not in first
    assert other.serial in second and "Possible copy" not in second


@pytest.mark.parametrize("steps", [5, 200])
def test_the_hot_path_costs_the_same_few_queries(
    owner, label, steps, django_assert_max_num_queries
):
    for index in range(steps - label.batch.event_count):
        record_event(owner, label.batch, Step.STORING, occurred_at=moment(1 + index * 0.001))
    page(label)  # the first visit renders and caches the lot's story
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.4")
    with django_assert_max_num_queries(HOT_PATH_QUERIES):
        response = client.get(f"/s/{label.serial}")
    assert label.scans.count() == 2  # both visits were counted
    assert response.content.decode().count("<li") >= steps - 1
    with django_assert_max_num_queries(HOT_PATH_QUERIES):
        assert client.get(f"/lot/{label.batch.code}").status_code == 200


def test_browsers_ask_again_for_scan_and_lot_pages(label):
    """A browser's copy of a page is checked with the site first: a recall is never hidden
    behind a page the phone kept."""
    for url in (f"/s/{label.serial}", f"/lot/{label.batch.code}"):
        control = Client().get(url)["Cache-Control"]
        assert "no-cache" in control and "private" in control
