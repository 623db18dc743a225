"""The EPCIS 2.0 REST interface under /epcis/, after GS1's REST bindings (OpenAPI): the
top-level resources, events and their query parameters in pages, and the event types,
EPC classes, business steps, locations and dispositions that lead to them.

Callers present an API key (``Authorization: Bearer …``) made in the admin; what a key
sees is decided in one place, ``epcis_query.visible_events``. Errors are RFC 7807 problems
typed with EPCIS's exceptions.
"""

import datetime
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import TooManyFieldsSent
from django.http import HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from traceability import epcis
from traceability.models import ApiKey, CaptureJob
from traceability.services import api_keys, epcis_capture, epcis_dimensions
from traceability.services.epcis_query import (
    TOKEN_LIFETIME,
    Page,
    QueryParameterError,
    QueryTooLargeError,
    condition,
    filter_events,
    page_of,
    visible_events,
)

EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
TOP_LEVEL = [
    "events",
    "eventTypes",
    "epcs",
    "bizSteps",
    "bizLocations",
    "readPoints",
    "dispositions",
    "capture",
    "queries",
]
_JSON = {"ensure_ascii": False}


def problem(status: int, exception: str, title: str, detail: str = "") -> JsonResponse:
    body = {"type": f"epcisException:{exception}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JsonResponse(
        body, status=status, content_type="application/problem+json", json_dumps_params=_JSON
    )


def _discovery(allowed: str) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = allowed
    for bound in ("Min", "Max"):
        response[f"GS1-EPCIS-{bound}"] = EPCIS_VERSION
        response[f"GS1-CBV-{bound}"] = CBV_VERSION
    return response


def _answer(request, view, allowed: tuple[str, ...], *args, **kwargs) -> HttpResponse:
    if request.method == "OPTIONS":
        return _discovery(", ".join(allowed))
    if request.method not in allowed:
        response = problem(405, "ImplementationException", _("Method not allowed"))
        response["Allow"] = ", ".join(allowed)
        return response
    key = api_keys.authenticate(request.headers.get("Authorization", ""))
    if key is None:
        response = problem(
            401,
            "SecurityException",
            _("Unauthorised request"),
            _("Send the API key you were given: Authorization: Bearer <key>."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="epcis"'
        return response
    try:
        return view(request, key, *args, **kwargs)
    except TooManyFieldsSent:
        return problem(400, "QueryParameterException", _("Invalid query parameter"))
    except QueryParameterError as error:
        return problem(400, "QueryParameterException", _("Invalid query parameter"), str(error))
    except QueryTooLargeError as error:
        return problem(413, "QueryTooLargeException", _("Query too large"), str(error))


def resource(*methods: str) -> Callable:
    """An EPCIS resource: OPTIONS for discovery, these methods for key holders, the
    version headers on every answer."""
    allowed = ("OPTIONS", *methods)

    def decorate(view):
        @csrf_exempt  # keys, not cookies: there is no session to forge a request from
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = _answer(request, view, allowed, *args, **kwargs)
            response["GS1-EPCIS-Version"] = EPCIS_VERSION
            response["GS1-CBV-Version"] = CBV_VERSION
            response["Vary"] = "Authorization"
            response["Cache-Control"] = "private, no-cache"
            return response

        return wrapper

    return decorate


def collection(members: list[str], page_token: str | None = None, request=None) -> JsonResponse:
    response = JsonResponse(
        {"@context": epcis.EPCIS_CONTEXT, "type": "Collection", "member": members},
        json_dumps_params=_JSON,
    )
    if page_token and request is not None:
        _link_next(response, request, page_token)
    return response


def _link_next(response: HttpResponse, request, token: str) -> None:
    query = request.GET.copy()
    query["nextPageToken"] = token
    response["Link"] = (
        f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
    )
    expires = timezone.now() + TOKEN_LIFETIME
    response["GS1-Next-Page-Token-Expires"] = expires.strftime("%Y-%m-%dT%H:%M:%SZ")


def _events_answer(request, key: ApiKey, page: Page) -> JsonResponse:
    document = epcis.query_document(page.events, with_notes=key.scope != ApiKey.Scope.PARTNER)
    response = JsonResponse(document, json_dumps_params=_JSON)
    if page.next_token:
        _link_next(response, request, page.next_token)
    return response


@resource("GET")
def top_level(request, key):
    return collection(TOP_LEVEL)


@resource("GET")
def events(request, key):
    found = filter_events(visible_events(key), request.GET)
    return _events_answer(request, key, page_of(found, request.GET))


@resource("GET")
def event(request, key, event_id: str):
    if "\x00" in event_id:
        return problem(404, "NoSuchNameException", _("Resource not found"))
    found = visible_events(key).filter(uuid=epcis.event_uuid(event_id))
    page = page_of(found, QueryDict())
    if not page.events:
        return problem(404, "NoSuchNameException", _("Resource not found"), event_id)
    return _events_answer(request, key, page)


@resource("GET")
def values(request, key, dimension: str):
    events = visible_events(key, every_row=dimension == "epcs")  # a split's every lot
    members, token = epcis_dimensions.page_of_values(dimension, events, request.GET)
    return collection(members, token, request)


@resource("GET")
def value(request, key, dimension: str, value: str):
    return collection(["events"])


@resource("GET")
def events_of_value(request, key, dimension: str, value: str):
    """The value in the path is required; the query string may narrow it, not widen it."""
    found = filter_events(visible_events(key), request.GET)
    found = found.filter(condition(epcis_dimensions.PARAMETERS[dimension], [value]))
    query = request.GET.copy()
    query["@resource"] = f"{dimension}/{value}"  # a page token is for this resource only
    return _events_answer(request, key, page_of(found, query))


@resource("GET", "POST")
def not_yet(request, key):
    """Named queries and subscriptions: listed, as the bindings ask, not implemented yet."""
    return problem(501, "ImplementationException", _("Not implemented yet"))


def _job(job: CaptureJob) -> dict:
    data = {
        "captureID": str(job.uuid),
        "createdAt": job.created_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "running": job.running,
        "success": job.success,
        "captureErrorBehaviour": job.error_behaviour,
        "errors": job.errors,
    }
    if job.finished_at:
        data["finishedAt"] = job.finished_at.astimezone(datetime.UTC).isoformat(timespec="seconds")
    return data


@resource("GET", "POST")
def capture(request, key):
    """POST an EPCISDocument: 202 and the job's address; GET: this key's latest jobs."""
    if request.method == "GET":
        jobs = CaptureJob.objects.filter(api_key=key)[: epcis_capture.JOBS_LISTED]
        return JsonResponse([_job(job) for job in jobs], safe=False)
    if request.content_type not in ("application/json", "application/ld+json"):
        return problem(415, "UnsupportedMediaTypeException", _("Send the document as JSON."))
    behaviour = request.headers.get("GS1-Capture-Error-Behaviour", "rollback")
    try:
        job = epcis_capture.submit(key, request.body, behaviour)
    except epcis_capture.CaptureRefused as refusal:
        response = problem(refusal.status, refusal.exception, _("Capture refused"), str(refusal))
        _capture_limits(response)
        return response
    response = HttpResponse(status=202)
    response["Location"] = reverse("traceability:epcis_capture_job", args=[job.uuid])
    _capture_limits(response)
    return response


def _capture_limits(response: HttpResponse) -> None:
    response["GS1-EPCIS-Capture-Limit"] = str(epcis_capture.MAX_EVENTS)
    response["GS1-EPCIS-Capture-File-Size-Limit"] = str(epcis_capture.MAX_BYTES // 1024)


@resource("GET")
def capture_job(request, key, capture_id):
    job = CaptureJob.objects.filter(uuid=capture_id, api_key=key).first()
    if job is None:
        return problem(404, "NoSuchNameException", _("Resource not found"), str(capture_id))
    return JsonResponse(_job(job))


@resource("GET")
def unknown(request, key):
    return problem(404, "NoSuchNameException", _("Resource not found"), request.path)
