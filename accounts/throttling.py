"""Guessing passwords is throttled twice, so that nobody can lock a farmer out:

- django-axes locks an account *at one address* after ``AXES_FAILURE_LIMIT`` failures
  (``AXES_LOCKOUT_PARAMETERS``): its owner, signing in from anywhere else, still gets in;
- this module refuses every login from a network that failed
  ``LOGIN_FAILURES_PER_NETWORK`` times within the hour, whatever accounts it tried.

A refused attempt is flagged as axes flags its own lockouts (``request.axes_locked_out``),
so pages answer with the lockout page and the API with a typed ``locked_out`` error.
Counts live in the shared cache, so every worker and host agrees on them.
"""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from backend.throttle import Rate, client_address, exhausted, hit, network_of

SCOPE = "login-failures"


def _rate() -> Rate:
    return Rate(settings.LOGIN_FAILURES_PER_NETWORK, 3600)


def _network(request) -> str:
    return network_of(client_address(request))


@receiver(user_login_failed)
def count_failure(sender, credentials, request=None, **kwargs) -> None:
    if request is not None:
        hit(SCOPE, _network(request), _rate())


class NetworkThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: stops every login from a network over its
    failure budget before any password is checked. (It has no ``get_user``: it never
    signs anyone in, so no session is ever tied to it.)"""

    def authenticate(self, request, **credentials):
        if request is not None and exhausted(SCOPE, _network(request), _rate()):
            request.axes_locked_out = True
            raise PermissionDenied
        return None
