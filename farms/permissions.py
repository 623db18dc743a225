"""Who may act for which producer: the one place where object-level access is decided.

Every write in every app (web, admin, GraphQL, tasks) asks ``require`` or filters with
``producers_for`` before it touches a producer's data.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from farms.models import Membership, Producer

EXTENSION_STAFF_GROUP = "extension_staff"
INSPECTOR_GROUP = "inspector"


class Action(StrEnum):
    VIEW = "view"  # read private data: contacts, full history, exports
    OPERATE = "operate"  # day-to-day work: batches, events, labels
    MANAGE = "manage"  # the producer itself: profile, members, plots, certificates
    RECALL = "recall"  # withdraw a batch from sale
    CERTIFY = "certify"  # confirm a certificate against the paper one (inspectors only)
    SAMPLE = "sample"  # record soil tests of the producer's plots
    INSPECT = "inspect"  # record inspections and laboratory results of the producer's lots
    RELEASE = "release"  # lift a hold on a lot (inspectors only)


_ROLES_FOR_ACTION = {
    Action.VIEW: {Membership.Role.OWNER, Membership.Role.MANAGER, Membership.Role.MEMBER},
    Action.OPERATE: {Membership.Role.OWNER, Membership.Role.MANAGER, Membership.Role.MEMBER},
    Action.MANAGE: {Membership.Role.OWNER, Membership.Role.MANAGER},
    Action.RECALL: {Membership.Role.OWNER, Membership.Role.MANAGER},
    Action.CERTIFY: set(),
    Action.SAMPLE: {Membership.Role.OWNER, Membership.Role.MANAGER, Membership.Role.MEMBER},
    Action.INSPECT: {Membership.Role.OWNER, Membership.Role.MANAGER, Membership.Role.MEMBER},
    Action.RELEASE: set(),
}
# A cooperative's owners and managers also act for its member farms.
_COOPERATIVE_ROLES = {Membership.Role.OWNER, Membership.Role.MANAGER}
# Platform staff groups and what they may do for every producer.
_GROUP_ACTIONS = {
    EXTENSION_STAFF_GROUP: {Action.VIEW, Action.SAMPLE},
    INSPECTOR_GROUP: {Action.VIEW, Action.RECALL, Action.CERTIFY, Action.INSPECT, Action.RELEASE},
}


def group_names(user) -> set[str]:
    """The user's platform groups, read once per user object (that is, per request)."""
    groups = getattr(user, "_cached_group_names", None)
    if groups is None:
        groups = set(user.groups.values_list("name", flat=True))
        user._cached_group_names = groups
    return groups


def _group_grants(user, action: Action) -> bool:
    return any(action in _GROUP_ACTIONS.get(name, ()) for name in group_names(user))


def has_global_access(user, action: Action) -> bool:
    """Superusers and staff groups act for every producer (within their actions)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or _group_grants(user, action)


def producers_for(user, action: Action) -> QuerySet[Producer]:
    """The producers ``user`` may perform ``action`` for."""
    if has_global_access(user, action):
        return Producer.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Producer.objects.none()
    direct = Membership.objects.filter(
        producer=OuterRef("pk"), user=user, role__in=_ROLES_FOR_ACTION[action]
    )
    through_cooperative = Membership.objects.filter(
        producer=OuterRef("cooperative_id"), user=user, role__in=_COOPERATIVE_ROLES
    )
    return Producer.objects.filter(Q(Exists(direct)) | Q(Exists(through_cooperative)))


def member_farms_of_my_cooperatives(user) -> QuerySet[Producer]:
    """The member farms a cooperative's owner or manager acts for (besides their own
    memberships): the producers a cooperative manager switches between in the app."""
    through_cooperative = Membership.objects.filter(
        producer=OuterRef("cooperative_id"), user=user, role__in=_COOPERATIVE_ROLES
    )
    return Producer.objects.filter(Exists(through_cooperative))


def managing(producer: Producer) -> Q:
    """A filter on users: the owners and managers of ``producer`` and of its cooperative,
    the people told when something happens to its lots."""
    producers = [producer.pk] + ([producer.cooperative_id] if producer.cooperative_id else [])
    return Q(memberships__producer__in=producers, memberships__role__in=_COOPERATIVE_ROLES)


def can(user, action: Action, producer: Producer) -> bool:
    if has_global_access(user, action):
        return True
    return producers_for(user, action).filter(pk=producer.pk).exists()


def require(user, action: Action, producer: Producer) -> None:
    """Raise PermissionDenied, with a translated message, unless ``user`` may act."""
    if not can(user, action, producer):
        raise PermissionDenied(
            _("You may not do this for %(producer)s.") % {"producer": producer.name}
        )
