"""The farmers' app: one shell page, its manifest, its service worker and its translations.
Everything else the app shows comes from /graphql."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.i18n import JSONCatalog

from farmapp import assets

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
_APP_CATALOG = JSONCatalog.as_view(domain="djangojs", packages=["farmapp"])


@require_safe
@cache_control(no_cache=True)
def shell(request):
    """The page every screen of the app lives in (the router is the page's hash)."""
    context = {
        "import_map": json.dumps(assets.import_map()),
        "version": assets.version(),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "farmapp/shell.html", context)


@require_safe
def manifest(request):
    """What makes the app installable: name, start, standalone display, icons."""
    data = {
        "name": _("Nông sản số: the farmers' app"),
        "short_name": "Nông sản số",
        "description": _("Record your plots, lots and sales, with or without a network."),
        "start_url": reverse("farmapp:shell"),
        "scope": reverse("farmapp:shell"),
        "display": "standalone",
        "orientation": "portrait",
        "lang": translation.get_language(),
        "background_color": "#f6f8f7",
        "theme_color": "#2e7d32",
        "icons": [
            {
                "src": static(f"farmapp/icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_safe
@cache_control(no_cache=True)
def service_worker(request):
    """Served from /app/ so that its scope is the app; its text changes with the shell's
    version, which makes browsers install the new release."""
    context = {
        "version": assets.version(),
        "shell_url": reverse("farmapp:shell"),
        "files": json.dumps(
            [
                *assets.shell_files(),
                reverse("farmapp:manifest"),
                *[reverse("farmapp:catalog", args=[code]) for code in sorted(LANGUAGE_CODES)],
            ]
        ),
    }
    response = render(request, "farmapp/sw.js", context, content_type="text/javascript")
    response["Service-Worker-Allowed"] = reverse("farmapp:shell")
    return response


@require_safe
def catalog(request, language: str) -> HttpResponse:
    """The app's own strings in one language, for gettext() in its scripts."""
    if language not in LANGUAGE_CODES:
        raise Http404
    with translation.override(language):
        return _APP_CATALOG(request)
