"""Who writes the knowledge base: extension staff and experts write, review and publish;
every signed-in person (farmers first) may propose."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from farms.permissions import EXTENSION_STAFF_GROUP
from farms.roles import EXPERT_GROUP

EDITOR_GROUPS = {EXTENSION_STAFF_GROUP, EXPERT_GROUP}


def is_editor(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=EDITOR_GROUPS).exists()


def require_editor(user) -> None:
    if not is_editor(user):
        raise PermissionDenied(_("Only extension staff and experts may do this."))
