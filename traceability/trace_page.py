"""The lot-level part of the public trace pages, rendered once per version of what it
shows and kept in the shared cache.

A promotion or a news story sends thousands of phones to one lot at once, while the
lot's story changes only when something is recorded. One query reads the lot's row and
the rows its story shows (``_LOT_COLUMNS``): their values are the story's version, and
the cache key is their digest with the language and today's date. So the key changes
with the lot's chain head (any event on it: a step, a correction, a hold or its release,
a recall, a partner's captured event), its recorded facts, its certificate's state, a
certificate lapsing at midnight, the product and producer as shown. Nothing needs
invalidating: a change makes a new key, and the old entry expires. What the key cannot
see cheaply (a photo's thumbnail made later, a late diary entry on another lot of the
same land, a renamed plot or partner, a tampered row of an ancestor) shows within
``STORY_SECONDS``.

The whole page is kept too, for visitors who are not signed in, with holes for what is
each request's own (the CSP nonce, the CSRF token, the path, the serial, the tokens),
filled in by plain replacement: a page costs one query and no template.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backend import prepared
from traceability.models import Batch, Label
from traceability.public import copy_warning, public_trace
from traceability.services.trace import load_trace

STORY_SECONDS = 60
# Where the scan page puts the label's serial inside the lot's card.
LABEL_SLOT = "<!--label-->"

# Everything the story shows that can change without a new event on the lot. A column
# added to the page's header or card belongs here, or the page would not see it change.
_LOT_COLUMNS = """
    batch.id, batch.code, batch.max_scans_per_label,
    batch.chain_head, batch.event_count, batch.harvest_date, batch.produced_on,
    batch.use_by, batch.quantity, batch.unit, batch.certification_id,
    product.name_vi, product.name_en, product.gtin, product.image,
    farm.name, farm.kind, farm.commune, farm.district, farm.province, farm.description,
    cooperative.name,
    certificate.scheme, certificate.status, certificate.verified_at, certificate.number,
    certificate.issued_by, certificate.valid_from, certificate.valid_to
"""
_LOT_JOINS = """
    JOIN farms_product AS product ON product.id = batch.product_id
    JOIN farms_producer AS farm ON farm.id = batch.producer_id
    LEFT JOIN farms_producer AS cooperative ON cooperative.id = farm.cooperative_id
    LEFT JOIN farms_certification AS certificate ON certificate.id = batch.certification_id
"""
# Built from constants only; codes and serials are parameters.
_BY_CODE = f"""
SELECT {_LOT_COLUMNS} FROM traceability_batch AS batch {_LOT_JOINS} WHERE batch.code = $1
"""  # noqa: S608
_BY_SERIAL = f"""
SELECT label.id, label.public_warning, label.suspicion, label.reviewed_at, {_LOT_COLUMNS}
FROM traceability_label AS label
JOIN traceability_batch AS batch ON batch.id = label.batch_id {_LOT_JOINS}
WHERE label.serial = $1
"""  # noqa: S608


@dataclass(frozen=True)
class LotOnPage:
    """A lot as its public page needs it on every request: which, and which version."""

    batch: Batch  # the row's id, code and scan limit (other fields load when read)
    version: tuple

    @property
    def code(self) -> str:
        return self.batch.code


def _loaded(model, **values):
    """An instance with these fields loaded (any other loads when read, as with .only())."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db("default", names, [values[name] for name in names])


def _lot(row: tuple) -> LotOnPage:
    pk, code, max_scans = row[:3]
    return LotOnPage(_loaded(Batch, id=pk, code=code, max_scans_per_label=max_scans), row)


def lot_by_code(code: str) -> LotOnPage | None:
    row = prepared.fetch_one("trace_page_lot", _BY_CODE, [code])
    return _lot(row) if row else None


def label_by_serial(serial: str) -> tuple[Label, LotOnPage] | None:
    """The label (with what recording its scans needs) and its lot, in one query."""
    row = prepared.fetch_one("trace_page_label", _BY_SERIAL, [serial])
    if row is None:
        return None
    label_id, public_warning, suspicion, reviewed_at, *lot_row = row
    lot = _lot(tuple(lot_row))
    label = _loaded(
        Label,
        id=label_id,
        serial=serial,
        batch_id=lot.batch.pk,
        public_warning=public_warning,
        suspicion=suspicion,
        reviewed_at=reviewed_at,
    )
    label.batch = lot.batch
    return label, lot


def cache_key(lot: LotOnPage) -> str:
    version = (lot.version, timezone.localdate(), get_language())
    digest = hashlib.sha256(repr(version).encode()).hexdigest()[:32]
    return f"trace-page:{lot.batch.pk}:{digest}"


@dataclass(frozen=True)
class Story:
    title: str
    html: SafeString

    def with_serial(self, serial: str) -> SafeString:
        label = format_html("<dt>{}</dt><dd>{}</dd>", _("Serial"), serial) if serial else ""
        return mark_safe(self.html.replace(LABEL_SLOT, label, 1))  # noqa: S308 (both escaped)


def story(lot: LotOnPage) -> Story:
    """The lot's public story (its page's title and HTML): from the cache, or rendered
    and kept."""
    key = cache_key(lot)
    kept = cache.get(key)
    if kept is None:
        trace = public_trace(load_trace(lot.batch))
        html = render_to_string("traceability/_lot.html", {"trace": trace})
        kept = Story(f"{trace.product} · {trace.producer.name}", html)
        cache.set(key, kept, STORY_SECONDS)
    return kept


PAGE_TEMPLATE = "traceability/scan.html"
HOLES = ("nonce", "path", "csrf", "serial", "report", "location")


def _markers() -> dict[str, str]:
    """A kept page's holes: private-use characters around a random word, so that no
    stored text (a product's name, a recall's reason) can pass for one."""
    word = secrets.token_hex(8)
    return {name: f"\ue000{word}{name}\ue001" for name in HOLES}


@dataclass(frozen=True)
class _RequestHoles:
    """What the page template reads from the request, as holes."""

    csp_nonce: str
    path: str

    def get_full_path(self) -> str:
        return self.path


def _page_context(lot: LotOnPage, story: Story, label, report: str, location: str) -> dict:
    return {
        "lot": lot,
        "title": story.title,
        "story": story.with_serial(label.serial if label else ""),
        "copy_warning": copy_warning(label) if label else "",
        "report_token": report,
        "location_token": location,
    }


def _personal(request) -> bool:
    """A page that may show the visitor's own things (their name, a message for them)."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or CookieStorage.cookie_name in cookies
        or request.user.is_authenticated
    )


def respond(request, lot: LotOnPage, label=None, report: str = "", location: str = ""):
    """The public trace page of ``lot`` (opened by ``label``, with its copy-report and
    location tokens): from the kept page with its holes filled, or rendered in full."""
    if _personal(request):
        context = _page_context(lot, story(lot), label, report, location)
        return render(request, PAGE_TEMPLATE, context)
    variant = (bool(label), bool(label and label.public_warning), bool(location))
    key = f"{cache_key(lot)}:page:" + "".join(str(int(part)) for part in variant)
    kept = cache.get(key)
    if kept is None:
        kept = _kept_page(lot, label, variant)
        cache.set(key, kept, STORY_SECONDS)
    markers, page = kept
    values = {
        "nonce": str(request.csp_nonce),
        "path": escape(request.get_full_path()),
        "csrf": get_token(request),
        "serial": escape(label.serial) if label else "",
        "report": report,
        "location": location,
    }
    for name, marker in markers.items():
        page = page.replace(marker, values[name])
    return HttpResponse(page)


def _kept_page(lot: LotOnPage, label, variant: tuple) -> tuple[dict, str]:
    """The page rendered with holes, and its holes (a label's page has a report token)."""
    markers = _markers()
    shown = label and _loaded(
        Label, id=label.pk, serial=markers["serial"], public_warning=variant[1]
    )
    context = _page_context(
        lot,
        story(lot),
        shown,
        markers["report"] if label else "",
        markers["location"] if variant[2] else "",
    )
    request = _RequestHoles(csp_nonce=markers["nonce"], path=markers["path"])
    page = render_to_string(
        PAGE_TEMPLATE, {**context, "request": request, "csrf_token": markers["csrf"]}
    )
    return markers, page
