"""Where each person starts: the page of the work they came to do, not the market for
everyone. Inspectors start at the lots waiting for them, extension staff and experts at
their desk, cooperative and farm staff at their lots, buyers at the market."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from farms.permissions import EXTENSION_STAFF_GROUP, INSPECTOR_GROUP, group_names
from farms.roles import EXPERT_GROUP
from marketplace.permissions import buyers_for


def workspace_for(user) -> tuple[str, str]:
    """(URL, name) of the page ``user`` starts from."""
    groups = group_names(user) if user.is_authenticated else set()
    if INSPECTOR_GROUP in groups:
        url = reverse("admin:traceability_hold_changelist") + "?released_at__isempty=1"
        return url, str(_("Lots on hold"))
    if groups & {EXTENSION_STAFF_GROUP, EXPERT_GROUP}:
        return reverse("knowledge-staff"), str(_("Desk"))
    if user.is_authenticated and user.is_superuser:
        return reverse("admin:index"), str(_("Administration"))
    if user.is_authenticated and user.is_staff:
        return reverse("admin:traceability_batch_changelist"), str(_("My lots"))
    return reverse("market-offers"), str(_("Market"))


def workspace(request) -> dict:
    """Template context: the person's workspace, whether they buy (for the cart link) and
    whether they have the admin. Read lazily: only pages that show them ask."""
    user = request.user

    def describe() -> dict:
        url, name = workspace_for(user)
        return {
            "url": url,
            "name": name,
            "is_market": url == reverse("market-offers"),
            "in_admin": url.startswith(reverse("admin:index")),
        }

    return {
        "workspace": SimpleLazyObject(describe),
        "buys": SimpleLazyObject(lambda: user.is_authenticated and buyers_for(user).exists()),
    }
