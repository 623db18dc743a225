"""Telling the other party of an order what changed, by email and (when configured) by
text message. Rows are written with the change, sent by a Celery task after commit, and
retried on failure; a row sent once is never sent again."""

from django.conf import settings
from django.core.mail import send_mail
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from backend.tasks import queue_after_commit
from backend.text_messages import send_text, texts_are_delivered
from farms.models import Membership
from marketplace.models import Notification, Order, OrderStatusChange
from marketplace.permissions import Party, parties_of
from traceability.services.recall_notices import tell_people
from traceability.signals import batches_recalled


def _people_of(change: OrderStatusChange, party: Party):
    from accounts.models import User

    order = change.order
    if party == Party.BUYER:
        return order.buyer.members.filter(is_active=True)
    return User.objects.filter(
        is_active=True,
        memberships__producer=order.producer,
        memberships__role__in=(Membership.Role.OWNER, Membership.Role.MANAGER),
    )


def recipients(change: OrderStatusChange) -> list:
    """The people of the party that did not make the change."""
    actor = change.changed_by
    acting = parties_of(actor, change.order) if actor else set()
    others = [party for party in Party if party not in acting] or list(Party)
    people = {user.pk: user for party in others for user in _people_of(change, party)}
    people.pop(getattr(actor, "pk", None), None)
    return list(people.values())


def notify(change: OrderStatusChange) -> list[Notification]:
    """Queue the messages for ``change``; they leave only if the change is committed."""
    rows = []
    for user in recipients(change):
        if user.email:
            rows.append(Notification(change=change, recipient=user, channel="email"))
        if texts_are_delivered():
            rows.append(Notification(change=change, recipient=user, channel="sms"))
    Notification.objects.bulk_create(rows)
    for row in rows:
        queue_after_commit("marketplace.tasks.send_notification", row.pk)
    return rows


def message(change: OrderStatusChange) -> tuple[str, str]:
    """Subject and text, in the active language."""
    order = change.order
    subject = _("Order %(code)s: %(status)s") % {
        "code": order.code,
        "status": change.get_to_status_display().lower(),
    }
    lines = [
        _("Order %(code)s from %(buyer)s to %(seller)s is now “%(status)s”.")
        % {
            "code": order.code,
            "buyer": order.buyer.name,
            "seller": order.producer.name,
            "status": change.get_to_status_display(),
        }
    ]
    if change.reason:
        lines.append(_("Reason: %(reason)s") % {"reason": change.reason})
    lines.append(settings.SITE_URL + reverse("market-order", args=[order.code]))
    return subject, "\n".join(lines)


def deliver(notification: Notification) -> None:
    """Send one notification in its recipient's language (raises to be retried)."""
    user = notification.recipient
    with translation.override(user.preferred_language):
        subject, text = message(notification.change)
    if notification.channel == Notification.Channel.EMAIL:
        send_mail(subject, text, None, [user.email])
    else:
        send_text(user.phone, text)


@receiver(batches_recalled)
def tell_buyers_of_recalled_lots(sender, batches, recall, **kwargs) -> None:
    """Buyers of orders served from a recalled lot (not cancelled or rejected) are told
    with the producers, whatever the order's stage: what they hold must not be sold."""
    from accounts.models import User

    orders = Order.objects.filter(lines__allocations__batch__in=batches).exclude(
        status__in=(Order.Status.CANCELLED, Order.Status.REJECTED)
    )
    buyers = User.objects.filter(buyers__orders__in=orders, is_active=True).distinct()
    tell_people(recall, buyers)
