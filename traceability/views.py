"""Thin views over the traceability services: the public scan page and staff downloads."""

import json

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from backend.gs1 import CSET82, MAX_LOT_OR_SERIAL_LENGTH
from backend.throttle import client_address, network_of
from farms.models import Place, Plot, Producer
from farms.permissions import Action, require
from traceability import epcis, qr, trace_page
from traceability.models import Batch, LabelSheet, Party
from traceability.public import public_trace
from traceability.services import copy_reports, labels, resolver, scans
from traceability.services.labels import label_url
from traceability.services.trace import load_trace
from traceability.steps import STEP_RULES, BusinessStep

SCANNED_COOKIE = "scanned"


def _well_formed(*codes: str) -> bool:
    """Lots and serials are short GS1 strings: anything else is not ours (and never
    reaches the database, which refuses some characters outright)."""
    return all(len(code) <= MAX_LOT_OR_SERIAL_LENGTH and set(code) <= CSET82 for code in codes)


def not_found(request, exception=None):
    """The friendly page for unknown or malformed codes (and every other 404)."""
    return render(request, "traceability/not_found.html", status=404)


def _render_trace(request, lot: trace_page.LotOnPage, label=None, scan=None):
    """The lot's story (cached, see ``trace_page``) and the label's own part."""
    return trace_page.respond(
        request,
        lot,
        label,
        report=copy_reports.report_token(label) if label else "",
        location=scans.location_token(scan) if scan else "",
    )


@require_GET
@cache_control(private=True, no_cache=True)
def scan_short(request, serial: str):
    """The consumer's scan page, where Digital Link labels are redirected too: a real
    visit counts as a scan once."""
    found = trace_page.label_by_serial(serial) if _well_formed(serial) else None
    if found is None:
        return not_found(request)
    label, lot = found
    seen = _recently_scanned(request)
    scan = None
    if scans.counts_as_scan(label.serial, request.headers.get("User-Agent", ""), seen):
        scan = scans.record_scan(label, _network(request))
    response = _render_trace(request, lot, label, scan)
    if scan is None:  # a repeat, a preview, or a network over its rate: the page only
        return response
    response.set_signed_cookie(
        SCANNED_COOKIE,
        ",".join(scans.remember(label.serial, seen)),
        salt=SCANNED_COOKIE,
        max_age=scans.REPEAT_WINDOW_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def _network(request) -> str:
    return network_of(client_address(request))


def _recently_scanned(request) -> list[str]:
    value = request.get_signed_cookie(
        SCANNED_COOKIE, default="", salt=SCANNED_COOKIE, max_age=scans.REPEAT_WINDOW_SECONDS
    )
    return [serial for serial in value.split(",") if serial]


def _public_batch(lot: str) -> Batch | None:
    if not _well_formed(lot):
        return None
    return Batch.objects.filter(code=lot).select_related("product").first()


@require_GET
@cache_control(private=True, no_cache=True)  # a recall shows on the very next visit
def lot_page(request, lot: str):
    """A lot's public journey (where Digital Link lots are redirected): shown, not counted."""
    found = trace_page.lot_by_code(lot) if _well_formed(lot) else None
    if found is None:
        return not_found(request)
    return _render_trace(request, found)


@require_GET
@cache_control(no_cache=True)
def recall_status(request, lot: str):
    """Whether a lot is recalled or held, read from its hash chain (GS1 link type
    recallStatus)."""
    batch = _public_batch(lot)
    if batch is None:
        return not_found(request)
    context = {"trace": public_trace(load_trace(batch))}
    return render(request, "traceability/recall_status.html", context)


@require_GET
@cache_control(private=True, max_age=60)  # private: the page carries the visitor's CSRF token
def product_page(request, gtin: str):
    """A GTIN's product information page (GS1 link type pip): the product and its lots
    now in stock."""
    product = resolver.product_by_gtin(gtin) if gtin.isdigit() and len(gtin) <= 14 else None
    if product is None:
        return not_found(request)
    context = {"product": product, "lots": resolver.lots_in_stock(product)}
    return render(request, "traceability/product.html", context)


@require_POST
def share_scan_location(request):
    """The consumer chose to share a coarse position for the scan they just made."""
    try:
        scans.share_location(
            request.POST.get("token", ""),
            float(request.POST.get("latitude", "")),
            float(request.POST.get("longitude", "")),
            _network(request),
        )
    except ValueError:
        return _refused(_("That is not a position on Earth."), "invalid_position")
    except ValidationError as error:
        return _refused(error.messages[0], error.code)
    # Nothing about the label's evidence: consumers learn it only from the page.
    return JsonResponse({"thanks": _("Thank you.")})


@require_POST
def report_copy(request):
    """A consumer reports that the label they scanned looks copied (a plain form: it
    works without scripts)."""
    try:
        report = copy_reports.report_copy(
            request.POST.get("token", ""),
            _network(request),
            bought_at=request.POST.get("bought_at", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        status = 429 if getattr(error, "code", None) == "throttled" else 400
        context = {"error": " ".join(error.messages)}
        return render(request, "traceability/reported.html", context, status=status)
    back = reverse("traceability:scan", args=[report.label.serial])
    return render(request, "traceability/reported.html", {"back": back})


def _refused(message: str, code: str | None) -> JsonResponse:
    status = 429 if code == "throttled" else 400
    return JsonResponse({"error": message, "code": code}, status=status)


@require_GET
def verify_lot(request, lot: str):
    """Whether each recorded history in a lot's trace is intact (public, no private data)."""
    batch = Batch.objects.filter(code=lot).first() if _well_formed(lot) else None
    if batch is None:
        return not_found(request)
    trace = load_trace(batch)
    return render(request, "traceability/verify.html", {"trace": trace})


@login_required
@require_GET
def epcis_export(request, lot: str):
    if not _well_formed(lot):
        raise Http404
    batch = get_object_or_404(Batch.objects.select_related("producer"), code=lot)
    require(request.user, Action.VIEW, batch.producer)
    document = epcis.document(load_trace(batch, verify=False))
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1), content_type="application/ld+json"
    )
    response["Content-Disposition"] = f'attachment; filename="{batch.code}.epcis.jsonld"'
    return response


@require_GET
def label_sheet_pdf(request, sheet_uuid):
    """For signed-in members, or anyone holding a fresh signed link from the app."""
    sheet = get_object_or_404(LabelSheet.objects.select_related("batch__producer"), uuid=sheet_uuid)
    if not labels.download_token_valid(sheet, request.GET.get("token", "")):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require(request.user, Action.OPERATE, sheet.batch.producer)  # labels print goods
    if sheet.status != LabelSheet.Status.READY:
        raise Http404(_("This label sheet is not ready yet."))
    return FileResponse(
        sheet.file.open("rb"),
        as_attachment=True,
        filename=f"{sheet.batch.code}-labels.pdf",
        content_type="application/pdf",
    )


@login_required
@require_GET
def label_image(request, serial: str, extension: str):
    label = scans.find_label(serial)
    if label is None:
        raise Http404
    require(request.user, Action.OPERATE, label.batch.producer)
    url = label_url(label.serial, label.batch)
    if extension == "svg":
        return HttpResponse(qr.svg(url), content_type="image/svg+xml")
    return HttpResponse(qr.png(url), content_type="image/png")


@require_GET
@cache_control(private=True, max_age=3600)  # private: the page carries a CSRF token
def location_page(request, code: str):
    """What a location code in a trace record names: public facts only."""
    if not _well_formed(code):
        return not_found(request)
    where = (
        Plot.objects.select_related("producer", "crop").filter(location_code=code).first()
        or Place.objects.filter(location_code=code).first()
    )
    if where is None:
        return not_found(request)
    return render(request, "traceability/location.html", {"where": where})


@require_GET
@cache_control(private=True, max_age=3600)  # private: the page carries a CSRF token
def party_page(request, producer_uuid):
    """A producer's or a trading partner's public identity, as named by trace records (no
    contacts, no street address, and a person's name only as they registered a farm)."""
    producer = Producer.objects.select_related("cooperative").filter(uuid=producer_uuid).first()
    if producer is not None:
        return render(request, "traceability/party.html", {"producer": producer})
    partner = get_object_or_404(Party, uuid=producer_uuid)
    return render(request, "traceability/partner.html", {"partner": partner})


@require_GET
@cache_control(private=True, max_age=86400)  # private: the page carries a CSRF token
def vocabulary_term(request, term: str):
    """Our vocabulary URIs for farm steps that CBV lacks resolve to a definition."""
    if term not in BusinessStep.values or STEP_RULES[term].cbv:
        return not_found(request)
    return render(
        request, "traceability/vocabulary.html", {"term": term, "label": BusinessStep(term).label}
    )
