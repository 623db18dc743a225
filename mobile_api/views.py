from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt

from accounts.bearer import authenticate_request
from backend.graphql.view import BoundedGraphQLView


@method_decorator(csrf_exempt, name="dispatch")  # bearer tokens only: no cookie is trusted
class MobileGraphQLView(BoundedGraphQLView):
    """The app's endpoint: bearer tokens, multipart uploads (GraphQL multipart request
    spec), and the toolkit's limits."""

    def authenticate(self, request) -> None:
        authenticate_request(request)


def graphql_view():
    return MobileGraphQLView.as_view(graphiql=settings.DEBUG)
