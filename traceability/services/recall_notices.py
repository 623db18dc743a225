"""Telling who must act when lots are recalled: the owners and managers of every producer
whose lot the recall reached, each partner still holding some of those lots (by text, in
Vietnamese: partners have no account), and the people other apps name (the marketplace
names the buyers of orders served from them). One notice per recipient and channel per
recall, written with the recall and sent by Celery once it commits, retried on failure.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from backend.notices import Notice
from backend.tasks import queue_after_commit
from backend.text_messages import send_text, texts_are_delivered
from farms.permissions import managing
from traceability.models import Batch, Party, RecallNotice, TraceEvent
from traceability.services.recall_scope import reaches_of

REASON_IN_A_TEXT = 160  # characters of the public notice quoted in a message
LOTS_IN_A_TEXT = 6


def queue_recall_notices(recall: TraceEvent, recalled: list[Batch]) -> list[RecallNotice]:
    """Inside the recall's transaction: the notices for its producers and partners."""
    from accounts.models import User

    people = User.objects.none()
    for producer in {lot.producer for lot in recalled}:
        people |= User.objects.filter(managing(producer), is_active=True)
    rows = _for_people(recall, people.distinct())
    if texts_are_delivered():
        rows += [
            RecallNotice(recall=recall, party=party, channel=Notice.Channel.SMS, lots=lots)
            for party, lots in _partners_holding(recalled).items()
        ]
    return _queue(rows)


def tell_people(recall: TraceEvent, people: Iterable) -> list[RecallNotice]:
    """Notices of ``recall`` for ``people`` not yet told of it (for other apps' parties)."""
    told = set(RecallNotice.objects.filter(recall=recall).values_list("recipient_id", flat=True))
    return _queue(_for_people(recall, [person for person in people if person.pk not in told]))


def _for_people(recall: TraceEvent, people) -> list[RecallNotice]:
    rows = []
    for person in people:
        if person.email:
            rows.append(RecallNotice(recall=recall, recipient=person, channel="email"))
        if texts_are_delivered():
            rows.append(RecallNotice(recall=recall, recipient=person, channel="sms"))
    return rows


def _partners_holding(recalled: list[Batch]) -> dict[Party, str]:
    """Partners with a phone (and no account: market buyers are told as people) who still
    hold some of the recalled lots, with those lots' codes."""
    holding = defaultdict(list)
    for reach, _producer in reaches_of({lot.pk: lot for lot in recalled}):
        if reach.still_out > 0 and reach.party.phone and reach.party.buyer_uuid is None:
            holding[reach.party].append(reach.lot)
    return {party: ", ".join(lots[:LOTS_IN_A_TEXT]) for party, lots in holding.items()}


def _queue(rows: list[RecallNotice]) -> list[RecallNotice]:
    RecallNotice.objects.bulk_create(rows)
    for row in rows:
        queue_after_commit("traceability.tasks.send_recall_notice", row.pk)
    return rows


def message(notice: RecallNotice) -> tuple[str, str]:
    """Subject and text, in the active language."""
    recall = notice.recall
    lot = recall.batch
    subject = _("Lot %(lot)s is recalled") % {"lot": lot.code}
    facts = {
        "lot": lot.code,
        "product": lot.product.name,
        "producer": lot.producer.name,
        "why": Truncator(recall.notes).chars(REASON_IN_A_TEXT),
        "lots": notice.lots,
        "page": f"{settings.SITE_URL}/lot/{lot.code}",
    }
    if notice.party_id:
        text = _(
            "%(producer)s recalls %(product)s, lot %(lots)s: %(why)s "
            "Please stop selling it, keep it apart and call whoever delivered it. %(page)s"
        )
    else:
        text = _(
            "Lot %(lot)s (%(product)s, %(producer)s) and what was made from it are "
            "recalled: %(why)s %(page)s"
        )
    return subject, text % facts


def deliver(notice: RecallNotice) -> None:
    """Send one notice (raises to be retried). Partners read the product's language."""
    person = notice.recipient
    language = person.preferred_language if person else settings.LANGUAGE_CODE
    with translation.override(language):
        subject, text = message(notice)
    if person is None:
        send_text(notice.party.phone, text)
    elif notice.channel == Notice.Channel.EMAIL:
        send_mail(subject, text, None, [person.email])
    else:
        send_text(person.phone, text)
