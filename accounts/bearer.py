"""Bearer-token authentication for the API (never the browser session, so no CSRF)."""

from django.contrib.auth.models import AnonymousUser

from accounts.services import session_for_access_token

BEARER = "bearer "


def authenticate_request(request) -> None:
    """Set request.user (and request.api_session) from ``Authorization: Bearer <token>``."""
    header = request.headers.get("Authorization", "")
    session = None
    if header.lower().startswith(BEARER):
        session = session_for_access_token(header[len(BEARER) :].strip())
    request.api_session = session
    request.user = session.user if session else AnonymousUser()
