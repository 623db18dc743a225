"""Public reading of the knowledge base (pages come with the staff pages next)."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backend.errors import readable
from farms.models import Product
from knowledge.services.bundle import as_json, bundle

MAX_CROPS = 50


@require_GET
def bundle_json(request):
    """/knowledge/bundle.json?crops=rau-muong,buoi-dien&lang=vi&updated_since=<ISO time>"""
    codes = [code for code in request.GET.get("crops", "").split(",") if code][:MAX_CROPS]
    since_text = request.GET.get("updated_since", "")
    since = parse_datetime(since_text) if since_text else None
    if since_text and since is None:
        return JsonResponse({"error": _("updated_since is not an ISO 8601 time.")}, status=400)
    language = request.GET.get("lang", "vi")
    if language not in ("vi", "en"):
        return JsonResponse({"error": _("Choose Vietnamese or English.")}, status=400)
    try:
        found = bundle(
            crops=list(Product.objects.filter(code__in=codes)),
            language=language,
            updated_since=since,
        )
    except ValidationError as error:
        return JsonResponse({"error": readable(error)}, status=400)
    response = JsonResponse(as_json(found), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=300"
    return response
