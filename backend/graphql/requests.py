"""Reading an API request's body within bounds, before any GraphQL work: its size, its
JSON's shape, the multipart upload spec and the pixels of the photos it carries. Each
refusal is a 400 (or 413) with a translated message and a code in ``extensions``."""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils.translation import gettext as _
from graphene_django.views import HttpError
from graphene_file_upload.utils import place_files_in_operations

from backend.error_codes import CommonErrorCode
from backend.images import pixel_count

MAX_QUERY_LENGTH = 20_000  # characters of GraphQL text in one request
MAX_VALUE_NESTING = 32  # GeoJSON multipolygons nest 5 deep, a sync queue about 8
MAX_LIST_ITEMS = 10_000  # a plot's ring has at most PLOT_MAX_VERTICES points


class Refused(HttpError):
    """A request refused before GraphQL runs: its message, and a code for the app."""

    def __init__(self, message: str, code: CommonErrorCode, status: int = 400):
        super().__init__(HttpResponse(status=status), message)
        self.code = code.value

    def formatted(self) -> dict:
        return {"message": self.message, "extensions": {"code": self.code}}


def not_a_request() -> Refused:
    return Refused(
        _("The request body is not a valid GraphQL request."), CommonErrorCode.INVALID_REQUEST
    )


def check_size(request) -> None:
    """Refuse a body over the limit by its declared length, before reading any of it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.GRAPHQL_MAX_REQUEST_BYTES:
        raise Refused(
            _("This request is too large: send fewer or smaller photos at a time."),
            CommonErrorCode.REQUEST_TOO_LARGE,
            413,
        )


def json_body(request) -> dict:
    try:
        data = json.loads(request.body.decode("utf-8"))
    except RequestDataTooBig as error:
        raise Refused(
            _("This request is too large."), CommonErrorCode.REQUEST_TOO_LARGE, 413
        ) from error
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise not_a_request() from error
    return data


def shape_problem(value) -> Refused | None:
    """What makes a request's JSON unfit, walked without recursion (a body nested
    thousands deep must not exhaust Python's stack): too deep, a list too long, or a
    NUL, which never belongs in text here and which PostgreSQL refuses."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_VALUE_NESTING:
            return Refused(_("The variables are nested too deeply."), CommonErrorCode.TOO_DEEP)
        if isinstance(item, str):
            if "\x00" in item:
                return Refused(
                    _("The request contains a forbidden control character."),
                    CommonErrorCode.CONTROL_CHARACTER,
                )
        elif isinstance(item, dict):
            stack.extend((part, depth + 1) for pair in item.items() for part in pair)
        elif isinstance(item, list):
            if len(item) > MAX_LIST_ITEMS:
                return Refused(_("A list in the request is too long."), CommonErrorCode.TOO_LONG)
            stack.extend((child, depth + 1) for child in item)
    return None


def checked(data) -> dict:
    """The request's parameters, refused when unfit."""
    if not isinstance(data, dict):
        raise not_a_request()
    query = data.get("query")
    if query is not None and not isinstance(query, str):
        raise Refused(_("The query must be a string."), CommonErrorCode.INVALID_REQUEST)
    if len(query or "") > MAX_QUERY_LENGTH:
        raise Refused(_("This query is too long."), CommonErrorCode.QUERY_TOO_LONG)
    if "\\u0000" in (query or ""):
        raise Refused(
            _("The request contains a forbidden control character."),
            CommonErrorCode.CONTROL_CHARACTER,
        )
    if problem := shape_problem(data):
        raise problem
    return data


def multipart(request) -> dict:
    """The GraphQL multipart request spec: ``operations`` with null where files go, and
    ``map`` from each file's form key to the paths it fills."""
    try:
        operations = json.loads(request.POST.get("operations", "{}"))
        files_map = json.loads(request.POST.get("map", "{}"))
    except (ValueError, RecursionError) as error:
        raise not_a_request() from error
    if not isinstance(files_map, dict) or not all(
        isinstance(paths, list) and all(isinstance(path, str) for path in paths)
        for paths in files_map.values()
    ):
        raise _upload_refused(
            _("The upload's map must link each file to a list of paths in the operation.")
        )
    if any(key not in request.FILES for key in files_map):
        raise _upload_refused(_("The upload's map names a file that was not sent."))
    _check_upload_budget(request.FILES)
    if not isinstance(operations, dict):
        raise not_a_request()
    try:
        return place_files_in_operations(operations, files_map, request.FILES)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        raise _upload_refused(_("The upload's map does not match the operation.")) from error


def _upload_refused(message: str) -> Refused:
    return Refused(message, CommonErrorCode.INVALID_UPLOAD)


def _check_upload_budget(files) -> None:
    """Decoding and re-encoding photos is the costliest work a request can ask for:
    bound the number of files and their pixels, whichever mutations they feed."""
    if len(files) > settings.GRAPHQL_MAX_UPLOAD_FILES:
        raise Refused(
            _("Send at most %(max)d files in one request.")
            % {"max": settings.GRAPHQL_MAX_UPLOAD_FILES},
            CommonErrorCode.TOO_MANY_FILES,
        )
    pixels = sum(pixel_count(upload) for upload in files.values())
    if pixels > settings.GRAPHQL_MAX_UPLOAD_PIXELS:
        raise Refused(
            _("These photos are too large together: send smaller photos or fewer at a time."),
            CommonErrorCode.PHOTOS_TOO_LARGE,
        )
