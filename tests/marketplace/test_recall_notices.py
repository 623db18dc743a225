"""The buyers of orders served from a recalled lot are told, with the producer."""

from django.core import mail

from marketplace.models import Order
from marketplace.services.orders import change_status
from tests.marketplace.test_orders import place
from traceability.models import RecallNotice
from traceability.services.batches import recall_batch


def test_buyers_of_orders_from_a_recalled_lot_are_told(
    owner, chef, buyer, offer, harvested, django_capture_on_commit_callbacks
):
    served = place(chef, buyer, offer)
    change_status(owner, served, Order.Status.CONFIRMED)
    cancelled = place(chef, buyer, offer)
    change_status(chef, cancelled, Order.Status.CANCELLED, "Đặt nhầm")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        recall_batch(owner, harvested, "Dư lượng thuốc vượt ngưỡng cho phép.")

    told = RecallNotice.objects.filter(recipient=chef)
    assert list(told.values_list("channel", flat=True)) == ["email"]
    (to_chef,) = [message for message in mail.outbox if message.to == [chef.email]]
    assert harvested.code in to_chef.body
