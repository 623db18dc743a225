"""The buttons that move an order on: each says what it does (a verb, not the state it
leads to), the ones that end an order look different and ask before they act."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketplace.models import Order

Status = Order.Status


@dataclass(frozen=True)
class OrderAction:
    status: str
    verb: str | Promise
    question: str | Promise = ""  # asked before acting; only for steps that end an order
    needs_reason: bool = False

    @property
    def destructive(self) -> bool:
        return bool(self.question)


ACTIONS = {
    Status.CONFIRMED: OrderAction(Status.CONFIRMED, _("Confirm the order")),
    Status.READY: OrderAction(Status.READY, _("Mark ready for pickup")),
    Status.SHIPPED: OrderAction(Status.SHIPPED, _("Mark as shipped")),
    Status.DELIVERED: OrderAction(Status.DELIVERED, _("I have received it")),
    Status.COMPLETED: OrderAction(Status.COMPLETED, _("Close the order")),
    Status.REJECTED: OrderAction(
        Status.REJECTED,
        _("Reject"),
        _("Reject this order? The buyer will see your reason."),
        needs_reason=True,
    ),
    Status.CANCELLED: OrderAction(
        Status.CANCELLED,
        _("Cancel the order"),
        _("Cancel this order? This cannot be undone."),
        needs_reason=True,
    ),
}


def actions_for(statuses: list[str]) -> list[OrderAction]:
    """Safe steps first, the ones that end an order last."""
    return sorted((ACTIONS[status] for status in statuses), key=lambda action: action.destructive)
