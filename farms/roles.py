"""Platform roles as Django groups, with the model permissions the admin needs.

Object-level limits (which producers) come from farms.permissions; these groups only
open the admin's doors. Kept in code so every deployment has the same roles.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from farms.permissions import EXTENSION_STAFF_GROUP, INSPECTOR_GROUP

EXPERT_GROUP = "expert"  # writes the knowledge base (see knowledge/permissions.py)

COOPERATIVE_STAFF_GROUP = "cooperative_staff"

_VIEW_ALL = (
    [
        ("farms", m, "view")
        for m in (
            "producer",
            "membership",
            "plot",
            "plothandover",
            "certification",
            "place",
            "product",
            "agriculturalinput",
            "soilsample",
        )
    ]
    + [("maps", m, "view") for m in ("administrativearea", "planningzone")]
    + [
        ("traceability", m, "view")
        for m in (
            "batch",
            "batchlink",
            "traceevent",
            "eventinput",
            "eventphoto",
            "label",
            "copyreport",
            "labelsheet",
            "scan",
            "hold",
            "party",
            "recallnotice",
        )
    ]
    + [
        ("marketplace", m, "view")
        for m in ("offer", "review", "equipment", "equipmentbooking", "dailyprice")
    ]
)
ROLE_PERMISSIONS = {
    COOPERATIVE_STAFF_GROUP: [
        *_VIEW_ALL,
        ("farms", "producer", "change"),
        ("farms", "membership", "add"),
        ("farms", "membership", "change"),
        ("farms", "plot", "add"),
        ("farms", "plot", "change"),
        ("farms", "certification", "add"),
        ("farms", "certification", "change"),
        ("farms", "place", "add"),
        ("farms", "place", "change"),
        ("farms", "soilsample", "add"),
        ("traceability", "batch", "add"),
        ("traceability", "batch", "change"),
        ("traceability", "labelsheet", "add"),
        ("marketplace", "offer", "change"),
        ("marketplace", "order", "view"),  # only their producers' (buyers' addresses inside)
        ("marketplace", "equipment", "add"),
        ("marketplace", "equipment", "change"),
        ("marketplace", "equipmentbooking", "add"),
        ("marketplace", "equipmentbooking", "change"),
    ],
    EXTENSION_STAFF_GROUP: [
        *_VIEW_ALL,
        ("farms", "producer", "add"),
        ("farms", "product", "add"),
        ("farms", "product", "change"),
        ("farms", "agriculturalinput", "add"),
        ("farms", "agriculturalinput", "change"),
        ("farms", "place", "add"),
        ("marketplace", "buyer", "view"),
        ("marketplace", "buyer", "change"),
        ("marketplace", "marketprice", "view"),
        ("marketplace", "marketprice", "add"),
        ("marketplace", "marketprice", "delete"),
        ("farms", "soilsample", "add"),
        ("maps", "planningzone", "add"),
        ("maps", "planningzone", "change"),
        ("maps", "planningzone", "delete"),
        ("maps", "administrativearea", "add"),
        ("maps", "administrativearea", "change"),
    ],
    INSPECTOR_GROUP: [*_VIEW_ALL, ("traceability", "batch", "change")],
    EXPERT_GROUP: [
        ("farms", "product", "view"),
        ("farms", "agriculturalinput", "view"),
    ],
}


def ensure_role_groups(**kwargs) -> None:
    # Other apps' permissions may not exist yet when this app's post_migrate runs.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for group_name, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        codenames = {f"{action}_{model}" for _app, model, action in wanted}
        labels = {app for app, _model, _action in wanted}
        permissions = Permission.objects.filter(
            content_type__app_label__in=labels, codename__in=codenames
        )
        group.permissions.set(permissions)
