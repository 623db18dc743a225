"""The GraphQL endpoint, bounded: every request is parsed, validated and run within
limits of size, shape and time, so no single request can hold a worker for long.

1. The body: length, NUL characters, nesting of the variables, the multipart map.
2. The document: at most ``GRAPHQL_MAX_TOKENS`` lexical tokens.
3. GraphQL's specified validation rules, then (only on a valid document) the product's
   limits of depth and cost (``limits.py``).
4. Execution under a deadline (``GRAPHQL_DEADLINE_SECONDS``) checked at every field.
   (Every SQL statement of a web process is bounded too: ``DATABASE_STATEMENT_TIMEOUT_MS``,
   set by gunicorn.conf.py.)
"""

import json
import time

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from graphene_django.views import HttpError
from graphene_file_upload.django import FileUploadGraphQLView
from graphene_file_upload.utils import place_files_in_operations
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)

from backend.error_codes import CommonErrorCode
from backend.graphql.limits import limit_rules
from backend.images import pixel_count

MAX_QUERY_LENGTH = 20_000  # characters of GraphQL text in one request
MAX_VALUE_NESTING = 32  # GeoJSON multipolygons nest 5 deep, a sync queue about 8


def _too_deep(value, limit: int = MAX_VALUE_NESTING) -> bool:
    """Whether a JSON value nests deeper than ``limit`` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            stack.extend((child, depth + 1) for child in children)
    return False


def _holds_nul(value) -> bool:
    """NUL never belongs in text here, and PostgreSQL refuses it in any string. (In a
    query's own text it can also be written as the escape \\u0000.)"""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _bad_request(message: str) -> HttpError:
    return HttpError(HttpResponseBadRequest(message))


def _not_a_request() -> HttpError:
    return _bad_request(_("The request body is not a valid GraphQL request."))


def _multipart(request) -> dict:
    """The GraphQL multipart request spec: ``operations`` with null where files go, and
    ``map`` from each file's form key to the paths it fills."""
    try:
        operations = json.loads(request.POST.get("operations", "{}"))
        files_map = json.loads(request.POST.get("map", "{}"))
    except (ValueError, RecursionError) as error:
        raise _not_a_request() from error
    if not isinstance(files_map, dict) or not all(
        isinstance(paths, list) and all(isinstance(path, str) for path in paths)
        for paths in files_map.values()
    ):
        raise _bad_request(
            _("The upload's map must link each file to a list of paths in the operation.")
        )
    if any(key not in request.FILES for key in files_map):
        raise _bad_request(_("The upload's map names a file that was not sent."))
    _check_upload_budget(request.FILES)
    if not isinstance(operations, dict) or _too_deep(operations):
        raise _not_a_request()
    try:
        return place_files_in_operations(operations, files_map, request.FILES)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        raise _bad_request(_("The upload's map does not match the operation.")) from error


def _check_upload_budget(files) -> None:
    """Decoding and re-encoding photos is the costliest work a request can ask for:
    bound the number of files and their pixels, whichever mutations they feed."""
    if len(files) > settings.GRAPHQL_MAX_UPLOAD_FILES:
        raise _bad_request(
            _("Send at most %(max)d files in one request.")
            % {"max": settings.GRAPHQL_MAX_UPLOAD_FILES}
        )
    pixels = sum(pixel_count(upload) for upload in files.values())
    if pixels > settings.GRAPHQL_MAX_UPLOAD_PIXELS:
        raise _bad_request(
            _("These photos are too large together: send smaller photos or fewer at a time.")
        )


class RequestBounds:
    """Graphene middleware: stop resolving once the request's time is up, and refuse a
    page size out of bounds (given in a variable, validation could not see it)."""

    def resolve(self, next, root, info, **args):
        deadline = getattr(info.context, "graphql_deadline", None)
        if deadline is not None and time.monotonic() > deadline:
            raise GraphQLError(
                _("This request took too long: ask for fewer items."),
                extensions={"code": CommonErrorCode.REQUEST_TOO_LONG.value},
            )
        _check_page(args)
        return next(root, info, **args)


MAX_OFFSET = 100_000  # further than anyone pages by hand; a cursor goes on from there


def _check_page(args: dict) -> None:
    """Paging arguments of a connection, checked before graphene-django asserts on them."""
    for size in (args.get("first"), args.get("last")):
        if isinstance(size, int) and not 0 <= size <= settings.GRAPHQL_MAX_PAGE_SIZE:
            raise GraphQLError(
                _("Ask for between 0 and %(max)d items at a time.")
                % {"max": settings.GRAPHQL_MAX_PAGE_SIZE},
                extensions={"code": CommonErrorCode.PAGE_TOO_LARGE.value},
            )
    offset = args.get("offset")
    if isinstance(offset, int) and not (0 <= offset <= MAX_OFFSET and args.get("before") is None):
        raise GraphQLError(
            _("Give an offset between 0 and %(max)d, and no “before” cursor with it.")
            % {"max": MAX_OFFSET},
            extensions={"code": CommonErrorCode.INVALID_OFFSET.value},
        )


class BoundedGraphQLView(FileUploadGraphQLView):
    """Validation as GraphQL specifies it, then the product's limits, then execution
    under a deadline. ``authenticate(request)`` is the composing project's hook."""

    def authenticate(self, request) -> None:
        raise NotImplementedError

    def get_middleware(self, request):
        return [RequestBounds(), *(self.middleware or [])]

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "POST"):
            response = HttpResponseNotAllowed(["GET", "POST"])
            response.content = json.dumps({"errors": [{"message": _("Use GET or POST.")}]})
            response["Content-Type"] = "application/json"
            return response
        request.graphql_deadline = time.monotonic() + settings.GRAPHQL_DEADLINE_SECONDS
        self.authenticate(request)
        return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request):
        if self.get_content_type(request) == "multipart/form-data":
            data = _multipart(request) if "operations" in request.POST else {}
        else:
            try:
                data = super().parse_body(request)
            except RecursionError as error:
                raise _not_a_request() from error
        if not isinstance(data, dict):
            raise _not_a_request()
        query = data.get("query")
        if query is not None and not isinstance(query, str):
            raise _bad_request(_("The query must be a string."))
        if len(query or "") > MAX_QUERY_LENGTH:
            raise _bad_request(_("This query is too long."))
        if _too_deep(data.get("variables")):
            raise _bad_request(_("The variables are nested too deeply."))
        if _holds_nul(data) or "\\u0000" in (query or ""):
            raise _bad_request(_("The request contains a forbidden control character."))
        return data

    def execute_graphql_request(
        self, request, data, query, variables, operation_name, show_graphiql=False
    ):
        if not query:
            if show_graphiql:
                return None
            raise _bad_request(_("Send a GraphQL query."))
        if variables is not None and not isinstance(variables, dict):
            raise _bad_request(_("The variables must be a JSON object."))
        if operation_name is not None and not isinstance(operation_name, str):
            raise _bad_request(_("The operation name must be a string."))
        schema = self.schema.graphql_schema
        try:
            document = parse(query, max_lexical_tokens=settings.GRAPHQL_MAX_TOKENS)
        except GraphQLError as error:
            return ExecutionResult(errors=[error])
        errors = validate(schema, document, specified_rules) or validate(
            schema, document, limit_rules()
        )
        if errors:
            return ExecutionResult(errors=errors)
        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseNotAllowed(["POST"], _("Send changes with POST.")))
        return execute(
            schema,
            document,
            root_value=self.get_root_value(request),
            context_value=self.get_context(request),
            variable_values=variables,
            operation_name=operation_name,
            middleware=self.get_middleware(request),
        )
