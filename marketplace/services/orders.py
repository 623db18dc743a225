"""An order's life: who may move it to which state, and what each move does to stock
and to the trace of the lots it sells.

    placed ──confirm──▶ confirmed ──ship──▶ shipped ──receive──▶ delivered ──▶ completed
      │                  │    └──ready (pickup)──▶ ready ──receive──┘
      ├─reject           └─cancel (stock returns)
      └─cancel
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import field_error, replayed
from backend.text import without_controls
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import (
    Allocation,
    Offer,
    OfferBatch,
    Order,
    OrderLine,
    OrderStatusChange,
)
from marketplace.permissions import Party, parties_of
from marketplace.services.buyers import partner_of
from marketplace.services.notifications import notify
from marketplace.services.offers import not_enough_stock, not_on_sale
from traceability.epcis import party_uri
from traceability.models import Batch
from traceability.services.events import (
    check_not_expired,
    record_handover,
    release_sale,
    reserve_for_sale,
)
from traceability.services.holds import check_not_held
from traceability.steps import BusinessStep

Status = Order.Status
MAX_REASON = 500


@dataclass(frozen=True)
class Transition:
    parties: frozenset[Party]
    fulfilment: str | None = None  # only for this fulfilment
    needs_reason: bool = False
    recalled_only: bool = False  # only when a lot of the order has been recalled


SELLER = frozenset({Party.SELLER})
BUYER = frozenset({Party.BUYER})
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Status.PLACED, Status.CONFIRMED): Transition(SELLER),
    (Status.PLACED, Status.REJECTED): Transition(SELLER, needs_reason=True),
    (Status.PLACED, Status.CANCELLED): Transition(BUYER),
    (Status.CONFIRMED, Status.READY): Transition(SELLER, Order.Fulfilment.PICKUP),
    (Status.CONFIRMED, Status.SHIPPED): Transition(SELLER, Order.Fulfilment.DELIVERY),
    (Status.CONFIRMED, Status.CANCELLED): Transition(SELLER | BUYER, needs_reason=True),
    (Status.READY, Status.DELIVERED): Transition(BUYER),
    (Status.READY, Status.CANCELLED): Transition(SELLER, needs_reason=True, recalled_only=True),
    (Status.SHIPPED, Status.DELIVERED): Transition(BUYER),
    (Status.SHIPPED, Status.CANCELLED): Transition(SELLER, needs_reason=True, recalled_only=True),
    (Status.DELIVERED, Status.COMPLETED): Transition(SELLER),
}
# Stock still with the seller: cancelling from these gives it back.
UNSHIPPED = (Status.CONFIRMED, Status.READY)


def next_statuses(order: Order, parties: set[Party]) -> list[str]:
    """The states ``parties`` may move the order to now (for buttons in the pages)."""
    return [
        to
        for (start, to), rule in TRANSITIONS.items()
        if start == order.status and rule.parties & parties and _applies(rule, order)
    ]


def _applies(rule: Transition, order: Order) -> bool:
    if rule.fulfilment not in (None, order.fulfilment):
        return False
    return not rule.recalled_only or has_recalled_lot(order)


def has_recalled_lot(order: Order) -> bool:
    """Read from the order's prefetched lines when a list has them (one query per list,
    not per order); otherwise ask the database."""
    if "lines" in getattr(order, "_prefetched_objects_cache", {}):
        return any(
            allocation.batch.status == Batch.Status.RECALLED
            for line in order.lines.all()
            for allocation in line.allocations.all()
        )
    recalled = Allocation.objects.filter(line__order=order, batch__status=Batch.Status.RECALLED)
    return recalled.exists()


def log_change(
    order: Order, actor, start: str, end: str, reason: str = "", change_uuid=None
) -> OrderStatusChange:
    change = OrderStatusChange.objects.create(
        order=order,
        from_status=start,
        to_status=end,
        changed_by=actor,
        reason=reason,
        uuid=change_uuid or uuid.uuid4(),
    )
    notify(change)
    return change


def _rule(order: Order, actor, to_status: str, reason: str) -> Transition:
    parties = parties_of(actor, order)
    if not parties:
        raise PermissionDenied(_("You may not see this order."))
    rule = TRANSITIONS.get((order.status, to_status))
    if rule is None or not _applies(rule, order):
        raise field_error(
            "status",
            _("An order that is “%(now)s” cannot become “%(next)s”.")
            % {"now": order.get_status_display(), "next": Status(to_status).label},
            MarketplaceErrorCode.ILLEGAL_TRANSITION,
        )
    if not rule.parties & parties:
        raise PermissionDenied(
            _("Only the seller can do this.")
            if Party.SELLER in rule.parties
            else _("Only the buyer can do this.")
        )
    if rule.needs_reason and not reason:
        raise field_error(
            "reason", _("Say why, for the other party."), MarketplaceErrorCode.REASON_REQUIRED
        )
    if len(reason) > MAX_REASON:
        raise field_error(
            "reason", _("At most 500 characters."), MarketplaceErrorCode.REASON_TOO_LONG
        )
    without_controls(reason, "reason", paragraph=True)
    return rule


def change_status(
    actor, order: Order, to_status: str, reason: str = "", change_uuid: uuid.UUID | None = None
) -> Order:
    """Move ``order`` to ``to_status`` if ``actor`` is the party who may, with its effects
    on stock and trace, in one transaction. A change sent again with the same
    ``change_uuid`` (from the app's queue) is answered with the order as it is."""
    reason = (reason or "").strip()
    with transaction.atomic():
        # Locks, always in this order: order, offer, offer's lots, lot.
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("producer", "buyer")
            .get(pk=order.pk)
        )
        # The same change sent again is answered; the key on anything else is refused.
        if replayed(
            OrderStatusChange,
            change_uuid,
            order_id=order.pk,
            changed_by_id=actor.pk,
            to_status=to_status,
        ):
            return order
        _rule(order, actor, to_status, reason)
        start = order.status
        if to_status == Status.CONFIRMED:
            _reserve(order)
        elif to_status == Status.CANCELLED and start in UNSHIPPED:
            _release(order)
        elif to_status == Status.SHIPPED:
            _hand_over(actor, order, [BusinessStep.SHIPPING])
        elif to_status == Status.DELIVERED and start == Status.READY:
            # Picked up: handed over and received at once.
            _hand_over(actor, order, [BusinessStep.SHIPPING, BusinessStep.RECEIVING])
        elif to_status == Status.DELIVERED:
            _hand_over(actor, order, [BusinessStep.RECEIVING])
        order.status, order.status_changed_at = to_status, timezone.now()
        order.save(update_fields=["status", "status_changed_at"])
        log_change(order, actor, start, to_status, reason, change_uuid)
    return order


def _lines(order: Order) -> list[OrderLine]:
    # A fixed order of offers, so two confirmations never wait on each other's rows.
    return list(order.lines.select_related("offer__product", "product").order_by("offer_id"))


def _reserve(order: Order) -> None:
    """Take each line's quantity from its offer's stock with one conditional UPDATE (the
    row lock it takes makes concurrent confirmations queue, and the second one sees the
    first's result), then assign the quantity to the offer's lots, oldest harvest first."""
    for line in _lines(order):
        # A paused offer takes no new orders but honours those already placed.
        taken = Offer.objects.filter(
            pk=line.offer_id,
            status__in=(Offer.Status.ACTIVE, Offer.Status.PAUSED),
            quantity_available__gte=line.quantity,
        ).update(quantity_available=F("quantity_available") - line.quantity)
        if not taken:
            line.offer.refresh_from_db(fields=["status", "quantity_available"])
            raise _not_enough(line)
        _allocate(line)


def _not_enough(line: OrderLine):
    if line.offer.status == Offer.Status.CLOSED:
        return not_on_sale(line.offer, "lines")
    return not_enough_stock(line.offer, "lines")


def _allocate(line: OrderLine) -> None:
    """Serve the line from the offer's lots, oldest harvest first, reserving the quantity
    on each lot so that no other step (a split, another sale) can use it."""
    shares = (
        OfferBatch.objects.select_for_update(of=("self",))
        .filter(offer_id=line.offer_id, allocated__lt=F("quantity"))
        .select_related("batch")
        .order_by("batch__harvest_date", "pk")
    )
    needed = line.quantity
    for share in shares:
        take = min(needed, share.quantity - share.allocated)
        check_not_expired(share.batch, "lines")
        check_not_held(share.batch, "lines")
        if not reserve_for_sale(share.batch, take):
            raise _lot_unavailable(share.batch)
        OfferBatch.objects.filter(pk=share.pk).update(allocated=F("allocated") + take)
        Allocation.objects.create(line=line, share=share, batch=share.batch, quantity=take)
        needed -= take
        if needed == 0:
            return
    raise AssertionError(f"Offer {line.offer_id} stock is out of step with its lots")


def _lot_unavailable(batch: Batch):
    batch.refresh_from_db()
    if batch.status == Batch.Status.RECALLED:
        message = _("Lot %(lot)s has been recalled: it cannot be sold.")
        return field_error("lines", message % {"lot": batch.code}, MarketplaceErrorCode.RECALLED)
    message = _("Lot %(lot)s no longer holds what this offer promised: the seller must update it.")
    return field_error("lines", message % {"lot": batch.code}, MarketplaceErrorCode.LOT_SHORT)


def _release(order: Order) -> None:
    """Give a cancelled order's quantities back to the offers, their lots' shares, and
    the lots' free stock (locks in the usual order: offer, share, lot)."""
    for line in _lines(order):
        Offer.objects.filter(pk=line.offer_id).update(
            quantity_available=F("quantity_available") + line.quantity
        )
        for allocation in line.allocations.select_related("batch"):
            OfferBatch.objects.filter(pk=allocation.share_id).update(
                allocated=F("allocated") - allocation.quantity
            )
            release_sale(allocation.batch, allocation.quantity)
        line.allocations.all().delete()


def _hand_over(actor, order: Order, steps: list[str]) -> None:
    """Shipping (seller) and/or receiving (buyer) events on every lot the order sells
    from: the trace goes on into the sale. The buyer appears by kind and an opaque id only."""
    allocations = Allocation.objects.filter(line__order=order).select_related("batch")
    per_lot: dict[int, tuple[Batch, Decimal]] = {}
    for allocation in allocations.order_by("batch_id"):
        batch, quantity = per_lot.get(allocation.batch_id, (allocation.batch, Decimal(0)))
        per_lot[allocation.batch_id] = (batch, quantity + allocation.quantity)
    details = {
        "order": order.code,
        "seller": party_uri(order.producer),  # a cooperative may sell its member's lot
        "buyer": f"urn:uuid:{order.buyer.uuid}",
        "buyer_kind": order.buyer.kind,
    }
    buyer = partner_of(order.buyer)
    for step in steps:
        for batch, quantity in per_lot.values():
            if step == BusinessStep.SHIPPING:  # expired or held food is not sent out
                check_not_expired(batch, "lines")
                check_not_held(batch, "lines")
            record_handover(
                actor,
                batch,
                step,
                quantity=quantity,
                details=details,
                buyer=buyer,
                place=order.pickup_place,
            )
