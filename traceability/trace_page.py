"""The lot-level part of the public trace pages, rendered once per version of what it
shows and kept in the shared cache.

A promotion or a news story sends thousands of phones to one lot at once, while the
lot's story changes only when something is recorded. The key names everything the part
shows that can change: the lot's chain head (any event on it: a step, a correction, a
hold or its release, a recall, a partner's captured event), the lot's recorded facts,
its certificate's state and today's date (a certificate lapses at midnight), the
product and producer as shown, and the language. Nothing needs invalidating: a change
makes a new key, and the old entry expires. What the key cannot see cheaply (a photo's
thumbnail made later, a late diary entry on another lot of the same land, a renamed
plot or partner, a tampered row of an ancestor) shows within ``FRAGMENT_SECONDS``.

The label-level parts (serial, copy warning, tokens, the CSRF token) are never cached.
"""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from traceability.models import Batch
from traceability.public import public_trace
from traceability.services.trace import load_trace

FRAGMENT_SECONDS = 60
# What a request loads with the lot, in the same query, for the key.
BATCH_RELATIONS = ("product", "producer__cooperative", "certification")
# Where the scan page puts the label's serial inside the lot's card.
LABEL_SLOT = "<!--label-->"


def _version(batch: Batch) -> tuple:
    """Everything the part shows that a request reads from the lot's row and the rows
    joined to it (``BATCH_RELATIONS``)."""
    product, producer, certificate = batch.product, batch.producer, batch.certification
    return (
        batch.chain_head,
        batch.event_count,
        (batch.harvest_date, batch.produced_on, batch.use_by, batch.quantity, batch.unit),
        (product.name, product.gtin, product.image.name),
        (producer.name, producer.kind, producer.public_address, producer.description),
        producer.cooperative.name if producer.cooperative_id else "",
        certificate
        and (
            certificate.pk,
            certificate.status,
            certificate.verified_at,
            certificate.number,
            certificate.issued_by,
            certificate.valid_from,
            certificate.valid_to,
        ),
        timezone.localdate(),
        get_language(),
    )


def cache_key(batch: Batch) -> str:
    digest = hashlib.sha256(repr(_version(batch)).encode()).hexdigest()[:32]
    return f"trace-page:{batch.pk}:{digest}"


def lot_part(batch: Batch, serial: str = "") -> SafeString:
    """The lot's public story as HTML (from the cache, or rendered and kept), with the
    serial of the label that opened it."""
    key = cache_key(batch)
    html = cache.get(key)
    if html is None:
        trace = public_trace(load_trace(batch))
        html = render_to_string("traceability/_lot.html", {"trace": trace})
        cache.set(key, html, FRAGMENT_SECONDS)
    label = format_html("<dt>{}</dt><dd>{}</dd>", _("Serial"), serial) if serial else ""
    return mark_safe(html.replace(LABEL_SLOT, label, 1))  # noqa: S308 (both parts escaped)
