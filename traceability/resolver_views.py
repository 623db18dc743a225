"""The GS1-conformant resolver (GS1-Conformant Resolver standard 1.2) for this product's
Digital Link URIs, ``/01/<GTIN>[/22/…][/10/<lot>][/21/<serial>]``.

GET and HEAD redirect (307) to the requested link type or to the default link, passing the
query string on, or answer the linkset; OPTIONS answers CORS preflights. Every answer is
open to other origins and points to the linkset in a ``Link`` header. The resolver counts
nothing: the consumer's scan page it redirects to does.
"""

from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from backend.gs1 import InvalidDigitalLink, check_data_attributes, parse_digital_link
from backend.linkset import LINKSET_MEDIA_TYPE, Resolution
from traceability.services.resolver import resolve

METHODS = "GET, HEAD, OPTIONS"
_ASKING_FOR_LINKSET = {"all", "linkset"}
_LINKSET_TYPES = [LINKSET_MEDIA_TYPE, "application/json"]
_PROBLEM_TYPE = "application/problem+json"


@csrf_exempt  # it changes nothing: any other method is answered 405, not refused as forged
@never_cache
def resolver(request, path: str):
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Headers"] = "*"  # read-only and public: any header
        response["Access-Control-Max-Age"] = "86400"
    elif request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=405)
    else:
        response = _answer(request, path)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = METHODS
    response["Access-Control-Expose-Headers"] = "Link, Location"
    response["Allow"] = METHODS
    return response


def _answer(request, path: str) -> HttpResponse:
    try:
        link = parse_digital_link(_request_target(request))
        check_data_attributes(dict(request.GET.lists()))
    except InvalidDigitalLink as error:
        return _problem(request, 400, _("Not a valid GS1 Digital Link"), error.reason)
    resolution = resolve(link)
    if resolution is None:
        return _problem(request, 404, _("Not found"), _("This GTIN is not known here."))
    wanted = request.GET.get("linkType", "")
    if wanted in _ASKING_FOR_LINKSET or (not wanted and _prefers_linkset(request)):
        response = _linkset(request, resolution)
    elif wanted:
        target = resolution.find(wanted)
        if target is None:
            detail = _("This item has no link of type %(type)s.") % {"type": wanted}
            response = _problem(request, 404, _("Not found"), detail)
        else:
            response = _redirect(request, target.href)
    else:
        response = _redirect(request, resolution.default.href)
    response["Link"] = _linkset_header(resolution.levels[0].anchor)
    response["Vary"] = "Accept, Accept-Language"
    return response


def _request_target(request) -> str:
    """The path as the client wrote it, where the server passes it on (gunicorn's RAW_URI,
    uWSGI's REQUEST_URI): Django decodes ``%2F`` in a lot into a separator and re-encodes
    bytes that are not UTF-8. Elsewhere (runserver), Django's path, encoded again."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    return urlsplit(raw).path if raw else quote(request.path_info)


def _linkset_header(anchor: str) -> str:
    """RFC 8288: an ASCII title, and the reader's language in ``title*``."""
    title = quote(_("All the links of this item"), safe="")
    return (
        f'<{anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET_MEDIA_TYPE}"; '
        f"title=\"All the links of this item\"; title*=UTF-8''{title}"
    )


def _prefers_linkset(request) -> bool:
    return request.get_preferred_type(["text/html", *_LINKSET_TYPES]) in _LINKSET_TYPES


def _linkset(request, resolution: Resolution) -> HttpResponse:
    media_type = request.get_preferred_type(_LINKSET_TYPES) or LINKSET_MEDIA_TYPE
    return JsonResponse(
        resolution.linkset(),
        content_type=media_type,
        json_dumps_params={"ensure_ascii": False},
    )


class TemporaryRedirect(HttpResponseRedirectBase):
    status_code = 307  # the method is kept, and the target may change with the item


def _redirect(request, href: str) -> HttpResponse:
    """Every key=value pair but linkType passes on."""
    passed_on = [
        (key, value) for key, values in request.GET.lists() if key != "linkType" for value in values
    ]
    return TemporaryRedirect(href + ("?" + urlencode(passed_on) if passed_on else ""))


def _problem(request, status: int, title: str, detail: str) -> HttpResponse:
    """RFC 9457 for programs, the friendly page for people."""
    if request.get_preferred_type(["text/html", "application/json", _PROBLEM_TYPE]) != "text/html":
        return JsonResponse(
            {"type": "about:blank", "title": title, "status": status, "detail": detail},
            status=status,
            content_type=_PROBLEM_TYPE,
            json_dumps_params={"ensure_ascii": False},
        )
    template = "traceability/not_found.html" if status == 404 else "traceability/invalid_link.html"
    return render(request, template, {"reason": detail}, status=status)


def description_file(request):
    """/.well-known/gs1resolver: what this resolver is and what it resolves."""
    response = JsonResponse(
        {
            "name": _("Nông sản số traceability resolver"),
            "resolverRoot": settings.SITE_URL,
            "supportedPrimaryKeys": ["01"],
            "supportedLinkType": [{"namespace": "https://ref.gs1.org/voc/", "prefix": "gs1:"}],
            "linkTypeDefaultCanBeLinkset": False,
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
