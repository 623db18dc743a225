"""Who sees the staff analyses: people with read access to every producer (extension
staff, inspectors, administrators), as decided in farms.permissions."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from farms.permissions import Action, has_global_access


def require_analyst(user) -> None:
    if not has_global_access(user, Action.VIEW):
        raise PermissionDenied(_("Only extension staff and inspectors see the analyses."))
