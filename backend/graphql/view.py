"""The GraphQL endpoint, bounded: every request is read, parsed, validated and run within
limits of size, shape and time, so no single request can hold a worker for long.

1. The body (``requests.py``): its declared size, its JSON's shape, the multipart map, the
   photos' pixels.
2. The document: at most ``GRAPHQL_MAX_TOKENS`` lexical tokens, and no selection too wide
   for GraphQL's own rules to check quickly (``limits.check_width``).
3. GraphQL's specified validation rules, then (only on a valid document) the product's
   limits of depth and cost (``limits.py``).
4. Execution under a deadline (``GRAPHQL_DEADLINE_SECONDS``) checked before each query
   field and each mutation. (Every SQL statement of a web process is bounded too:
   ``DATABASE_STATEMENT_TIMEOUT_MS``, set by gunicorn.conf.py.)
"""

import time

from django.conf import settings
from django.utils.translation import gettext as _
from graphene_file_upload.django import FileUploadGraphQLView
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
from backend.graphql import requests
from backend.graphql.limits import RequestBounds, check_width, limit_rules
from backend.graphql.requests import Refused


class BoundedGraphQLView(FileUploadGraphQLView):
    """Validation as GraphQL specifies it, then the product's limits, then execution
    under a deadline. ``authenticate(request)`` is the composing project's hook."""

    def authenticate(self, request) -> None:
        raise NotImplementedError

    def get_middleware(self, request):
        return [RequestBounds(), *(self.middleware or [])]

    @staticmethod
    def format_error(error):
        if isinstance(error, Refused):
            return error.formatted()
        return FileUploadGraphQLView.format_error(error)

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "POST"):
            return self._refusal(
                request, Refused(_("Use GET or POST."), CommonErrorCode.METHOD_NOT_ALLOWED, 405)
            )
        try:
            requests.check_size(request)
        except Refused as refused:
            return self._refusal(request, refused)
        request.graphql_deadline = time.monotonic() + settings.GRAPHQL_DEADLINE_SECONDS
        self.authenticate(request)
        return super().dispatch(request, *args, **kwargs)

    def _refusal(self, request, refused: Refused):
        response = refused.response
        response["Content-Type"] = "application/json"
        response.content = self.json_encode(request, {"errors": [refused.formatted()]})
        return response

    def parse_body(self, request):
        content_type = self.get_content_type(request)
        if content_type == "multipart/form-data":
            data = requests.multipart(request) if "operations" in request.POST else {}
        elif content_type == "application/json":
            data = requests.json_body(request)
        else:
            data = super().parse_body(request)
        return requests.checked(data)

    def execute_graphql_request(
        self, request, data, query, variables, operation_name, show_graphiql=False
    ):
        if not query:
            if show_graphiql:
                return None
            raise Refused(_("Send a GraphQL query."), CommonErrorCode.QUERY_REQUIRED)
        if variables is not None and not isinstance(variables, dict):
            raise Refused(
                _("The variables must be a JSON object."), CommonErrorCode.INVALID_REQUEST
            )
        if operation_name is not None and not isinstance(operation_name, str):
            raise Refused(
                _("The operation name must be a string."), CommonErrorCode.INVALID_REQUEST
            )
        schema = self.schema.graphql_schema
        try:
            document = parse(query, max_lexical_tokens=settings.GRAPHQL_MAX_TOKENS)
        except GraphQLError as error:
            return ExecutionResult(errors=[_syntax_error(error)])
        errors = (
            check_width(document)
            or validate(schema, document, specified_rules)
            or validate(schema, document, limit_rules())
        )
        if errors:
            return ExecutionResult(errors=errors)
        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise Refused(_("Send changes with POST."), CommonErrorCode.METHOD_NOT_ALLOWED, 405)
        return execute(
            schema,
            document,
            root_value=self.get_root_value(request),
            context_value=self.get_context(request),
            variable_values=variables,
            operation_name=operation_name,
            middleware=self.get_middleware(request),
        )


def _syntax_error(error: GraphQLError) -> GraphQLError:
    """GraphQL's own syntax message, with a code (too many tokens has its own)."""
    code = CommonErrorCode.TOO_MANY_TOKENS if "tokens" in error.message else CommonErrorCode.SYNTAX
    return GraphQLError(error.message, error.nodes, extensions={"code": code.value})
