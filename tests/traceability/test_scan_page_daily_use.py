"""The consumer's five seconds: whether each waiting period was kept, a copy warning that
does not look like a recall and a way to report one, dates nobody misreads."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import kg, moment
from tests.traceability.scanning import add_label, phone
from traceability.models import CopyReport, Label
from traceability.services.events import InputUse, record_event
from traceability.steps import BusinessStep as Step

_REPORT_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def crop_sprayed(owner, plot, growing, pesticide, sprayed_days_ago: float) -> Label:
    record_event(owner, growing, Step.SEEDING, occurred_at=moment(30), plot=plot)
    record_event(
        owner,
        growing,
        Step.SPRAYING,
        occurred_at=moment(sprayed_days_ago),
        plot=plot,
        inputs=[InputUse(agricultural_input=pesticide, dose=kg(10), dose_unit="ml")],
    )
    record_event(owner, growing, Step.HARVESTING, occurred_at=moment(2), quantity=kg(50))
    return add_label(growing)


def day(days_ago: float) -> str:
    return timezone.localtime(moment(days_ago)).strftime("%d/%m/%Y")


def test_the_page_says_the_waiting_period_was_kept(client, owner, plot, growing, pesticide):
    label = crop_sprayed(owner, plot, growing, pesticide, sprayed_days_ago=12)
    page = client.get(f"/s/{label.serial}").content.decode()
    assert (
        f"Đã đủ thời gian cách ly: {pesticide.name} phun ngày {day(12)}, "
        f"thu hoạch ngày {day(2)} (cần 7 ngày)." in page
    )


def test_the_page_says_when_it_was_not_kept(client, owner, plot, growing, pesticide):
    label = crop_sprayed(owner, plot, growing, pesticide, sprayed_days_ago=4)
    page = client.get(f"/s/{label.serial}").content.decode()
    assert f"CHƯA đủ thời gian cách ly: {pesticide.name} phun ngày {day(4)}" in page


def test_english_pages_write_dates_nobody_misreads(owner, plot, growing, pesticide):
    label = crop_sprayed(owner, plot, growing, pesticide, sprayed_days_ago=12)
    page = phone("203.0.113.7").get(f"/s/{label.serial}").content.decode()
    harvested = timezone.localtime(moment(2))
    assert f"{harvested.day} {harvested:%b} {harvested.year}" in page
    assert harvested.strftime("%m/%d/%Y") not in page


@pytest.fixture
def label(owner, plot, growing, pesticide):
    return crop_sprayed(owner, plot, growing, pesticide, sprayed_days_ago=12)


def report(client: Client, token: str, **words):
    return client.post("/scan/report", {"token": token, **words})


def test_a_consumer_reports_a_copy_once_per_network_for_staff_only(label):
    shopper = phone("198.51.100.20")
    token = _REPORT_TOKEN.search(shopper.get(f"/s/{label.serial}").content.decode())[1]

    first = report(shopper, token, bought_at="Chợ Long Biên", note="Tem in mờ, giá rẻ bất thường")
    again = report(shopper, token, bought_at="Chợ Long Biên", note="Tem in mờ")

    assert first.status_code == again.status_code == 200
    assert f'href="/s/{label.serial}"' in again.content.decode()
    saved = CopyReport.objects.get()
    assert (saved.bought_at, saved.note) == ("Chợ Long Biên", "Tem in mờ")
    label.refresh_from_db()
    assert label.suspicion == Label.Suspicion.REPORTED and not label.public_warning
    page = phone("192.0.2.44").get(f"/s/{label.serial}").content.decode()
    assert 'class="copy"' not in page  # one person's word accuses no one publicly


@pytest.mark.parametrize(
    "words",
    [
        {"token": "not-a-token"},
        {"note": "x" * 1001},
        {"bought_at": "Chợ\x1b[31m"},
    ],
    ids=["forged token", "huge note", "control characters"],
)
def test_bad_reports_change_nothing(label, words):
    shopper = phone("198.51.100.21")
    token = _REPORT_TOKEN.search(shopper.get(f"/s/{label.serial}").content.decode())[1]
    answer = shopper.post("/scan/report", {"token": token, **words})
    assert answer.status_code == 400
    assert 'class="alert"' in answer.content.decode()
    assert not CopyReport.objects.exists()


def test_one_network_cannot_flood_reports(label):
    shopper = phone("198.51.100.22")
    token = _REPORT_TOKEN.search(shopper.get(f"/s/{label.serial}").content.decode())[1]
    answers = [report(shopper, token, note=f"lần {n}").status_code for n in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == 429


def test_a_copy_warning_looks_unlike_a_recall_and_leads_to_the_report(label):
    Label.objects.filter(pk=label.pk).update(
        suspicion=Label.Suspicion.TOO_MANY_SCANS, public_warning=True
    )
    page = Client(REMOTE_ADDR="198.51.100.23").get(f"/s/{label.serial}")
    html = page.content.decode()
    warning = re.search(r'<div class="copy" role="alert">.*?</div>', html, re.S)[0]
    assert 'href="#report"' in warning and 'class="alert"' not in warning
    assert '<details class="card" id="report" open>' in html


def test_a_report_for_a_label_that_no_longer_exists_is_refused_plainly(label):
    from traceability.services.copy_reports import report_token

    token = report_token(label)
    Label.objects.filter(pk=label.pk).delete()
    answer = phone("198.51.100.24").post("/scan/report", {"token": token, "note": "Tem mờ"})
    assert answer.status_code == 400 and not CopyReport.objects.exists()
