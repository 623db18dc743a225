"""The other party hears of every order change, in its language, retried on failure."""

from decimal import Decimal

import pytest
from celery import current_app
from django.core import mail

from backend.text_messages import TextBackend
from marketplace.models import Notification, Order
from marketplace.services.cart import checkout, set_cart_quantity
from marketplace.services.orders import change_status

SENT: list[tuple[str, str]] = []


class FlakyTextBackend(TextBackend):
    """Fails on its first message of each test, like a provider timing out once."""

    failures_left = 0

    def send(self, phone: str, text: str) -> None:
        if FlakyTextBackend.failures_left:
            FlakyTextBackend.failures_left -= 1
            raise ConnectionError("provider timed out")
        SENT.append((phone, text))


@pytest.fixture
def seller_email(owner):
    owner.email, owner.preferred_language = "owner@htx.example.vn", "vi"
    owner.save()
    return owner.email


def place(chef, buyer, offer, capture) -> Order:
    set_cart_quantity(chef, buyer, offer, Decimal(3))
    with capture(execute=True):
        (order,) = checkout(chef, buyer, fulfilment="delivery")
    return order


def test_a_placed_order_emails_the_seller_and_a_confirmation_the_buyer(
    chef, buyer, offer, owner, seller_email, django_capture_on_commit_callbacks
):
    chef.preferred_language = "en"
    chef.save()
    order = place(chef, buyer, offer, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[seller_email]]
    assert order.code in mail.outbox[0].subject
    assert "chờ người bán xác nhận" in mail.outbox[0].subject  # the seller reads Vietnamese
    assert f"/market/orders/{order.code}/" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        change_status(owner, order, Order.Status.CONFIRMED)
    assert mail.outbox[1].to == [chef.email]
    assert "confirmed" in mail.outbox[1].subject  # the chef chose English
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


def test_nothing_is_sent_for_a_change_that_was_rolled_back(chef, buyer, offer, seller_email):
    set_cart_quantity(chef, buyer, offer, Decimal(3))
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            checkout(chef, buyer, fulfilment="delivery")
            raise RuntimeError("the request failed later")
    assert mail.outbox == []
    assert not Notification.objects.exists()


@pytest.fixture
def retries_run_eagerly():
    """Eager Celery re-runs a retried task only when errors do not propagate."""
    conf = current_app.conf
    previous = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = previous


def test_a_failing_text_provider_is_retried_and_the_message_sent_once(
    settings, chef, buyer, offer, owner, django_capture_on_commit_callbacks, retries_run_eagerly
):
    settings.TEXT_MESSAGE_BACKEND = f"{__name__}.FlakyTextBackend"
    SENT.clear()
    FlakyTextBackend.failures_left = 1
    order = place(chef, buyer, offer, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(channel="sms", change__order=order)
    assert notification.sent_at is not None
    assert notification.attempts == 2
    (phone, text), *others = SENT
    assert (phone, others) == (owner.phone, [])
    assert order.code in text


def test_rejection_reason_reaches_the_buyer(
    chef, buyer, offer, owner, django_capture_on_commit_callbacks
):
    order = place(chef, buyer, offer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(owner, order, Order.Status.REJECTED, reason="Mưa đá làm dập rau")
    (to_buyer,) = [m for m in mail.outbox if m.to == [chef.email]]
    assert "Mưa đá làm dập rau" in to_buyer.body
