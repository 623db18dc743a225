from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import HttpError
from graphene_file_upload.django import FileUploadGraphQLView

from mobile_api.auth import authenticate_request
from mobile_api.limits import validation_rules

MAX_QUERY_LENGTH = 20_000  # characters of GraphQL text in one request


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


@method_decorator(csrf_exempt, name="dispatch")  # bearer tokens only: no cookie is trusted
class MobileGraphQLView(FileUploadGraphQLView):
    """The app's endpoint: bearer tokens, multipart uploads (GraphQL multipart request
    spec), and query limits read from settings on every request."""

    def dispatch(self, request, *args, **kwargs):
        authenticate_request(request)
        self.validation_rules = validation_rules()
        return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request):
        try:
            data = super().parse_body(request)
        except (ValueError, KeyError, TypeError, IndexError) as error:
            raise _bad_request(_("The request body is not a valid GraphQL request.")) from error
        for query in data if isinstance(data, list) else [data]:
            if not isinstance(query, dict):
                raise _bad_request(_("The request body is not a valid GraphQL request."))
            if len(str(query.get("query") or "")) > MAX_QUERY_LENGTH:
                raise _bad_request(_("This query is too long."))
            if _holds_nul(query) or "\\u0000" in str(query.get("query") or ""):
                raise _bad_request(_("The request contains a forbidden control character."))
        return data


def graphql_view():
    return MobileGraphQLView.as_view(graphiql=settings.DEBUG)
