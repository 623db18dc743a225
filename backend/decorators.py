"""View decorators shared by the apps."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required


def signed_in_and(check: Callable[[object], None]):
    """Send visitors to sign in, then let ``check(user)`` raise PermissionDenied (403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def checked(request, *args, **kwargs):
            check(request.user)
            return view(request, *args, **kwargs)

        return checked

    return decorator
