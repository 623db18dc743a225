"""A recall tells who must act: the producers whose lots it reached, and each partner
still holding some (a text in Vietnamese), once each, retried until it leaves."""

import pytest
from django.core import mail

from backend.text_messages import MemoryTextBackend
from tests.factories import kg, moment, ship
from traceability.models import RecallNotice
from traceability.services.batches import recall_batch
from traceability.services.events import record_event
from traceability.services.parties import register_party
from traceability.services.transformations import split_batch
from traceability.steps import BusinessStep as Step
from traceability.tasks import send_recall_notice


class FlakyTexts(MemoryTextBackend):
    """A provider that is down for the first text it is given."""

    failures = 1

    def send(self, phone, text):
        if FlakyTexts.failures:
            FlakyTexts.failures -= 1
            raise ConnectionError("provider unreachable")
        super().send(phone, text)


@pytest.fixture
def texts(settings):
    settings.TEXT_MESSAGE_BACKEND = "backend.text_messages.MemoryTextBackend"
    MemoryTextBackend.outbox.clear()
    return MemoryTextBackend.outbox


def partner(owner, coop, name, phone):
    return register_party(
        owner, coop, name=name, kind="wholesale_stall", district="Long Biên", phone=phone
    )


def test_partners_still_holding_the_lot_are_texted(
    owner, coop, harvested, texts, django_capture_on_commit_callbacks
):
    owner.email = "chu.nhiem@example.vn"
    owner.save()
    holding = partner(owner, coop, "Sạp cô Hoa", "0913 222 333")
    gave_back = partner(owner, coop, "Sạp anh Tuấn", "0913 444 555")
    halves = split_batch(owner, harvested, [kg(50), kg(50)], occurred_at=moment(0.6))
    ship(owner, halves[0], kg(20), moment(0.5), to=holding)
    ship(owner, halves[1], kg(10), moment(0.5), to=gave_back)
    record_event(
        owner, halves[1], Step.RETURNED, occurred_at=moment(0.4), quantity=kg(10), party=gave_back
    )

    with django_capture_on_commit_callbacks(execute=True):
        recall_batch(owner, harvested, "Dư lượng thuốc vượt ngưỡng cho phép.")

    (to_partner,) = [text for phone, text in texts if phone == "+84913222333"]
    assert halves[0].code in to_partner and "ngừng bán" in to_partner
    assert not [phone for phone, _text in texts if phone == "+84913444555"]
    assert [message.to for message in mail.outbox] == [["chu.nhiem@example.vn"]]
    assert harvested.code in mail.outbox[0].subject
    notices = RecallNotice.objects.all()
    assert notices.count() == 3  # the owner's email and text, the partner's text
    assert all(notice.sent_at and notice.attempts == 1 for notice in notices)


def test_a_notice_that_fails_is_retried_and_sent_once(
    owner, coop, harvested, settings, django_capture_on_commit_callbacks
):
    settings.TEXT_MESSAGE_BACKEND = "tests.traceability.test_recall_notices.FlakyTexts"
    FlakyTexts.outbox.clear()
    FlakyTexts.failures = 1
    ship(owner, harvested, kg(30), moment(0.5), to=partner(owner, coop, "Sạp cô Hoa", "0913222333"))
    owner.phone, owner.email = "+84900000099", ""
    owner.save()

    with django_capture_on_commit_callbacks(execute=True):
        recall_batch(owner, harvested, "Nhiễm khuẩn.")  # the first text fails, is kept

    failed = RecallNotice.objects.get(sent_at=None)
    assert (failed.attempts, failed.last_error) == (1, "provider unreachable")
    send_recall_notice(failed.pk)  # Celery's retry
    send_recall_notice(failed.pk)  # a copy of the retry: already sent
    failed.refresh_from_db()
    assert failed.sent_at and failed.attempts == 2 and failed.last_error == ""
    assert len(FlakyTexts.outbox) == 2  # the owner and the partner, once each


def test_without_a_text_provider_only_email_is_written(owner, coop, harvested, texts, settings):
    settings.TEXT_MESSAGE_BACKEND = ""
    ship(owner, harvested, kg(30), moment(0.5), to=partner(owner, coop, "Sạp cô Hoa", "0913222333"))
    recall_batch(owner, harvested, "Nhiễm khuẩn.")
    assert set(RecallNotice.objects.values_list("channel", flat=True)) <= {"email"}
