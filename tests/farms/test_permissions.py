import pytest
from django.contrib.auth.models import AnonymousUser, Group

from farms.models import Membership, Producer
from farms.permissions import EXTENSION_STAFF_GROUP, INSPECTOR_GROUP, Action, can, producers_for
from tests.factories import ProducerFactory, UserFactory, member


@pytest.fixture
def member_farm(coop):
    return ProducerFactory(kind=Producer.Kind.HOUSEHOLD, cooperative=coop, name="Hộ ông Tư")


def test_roles_within_a_producer(coop):
    manager = member(UserFactory(), coop, Membership.Role.MANAGER)
    plain = member(UserFactory(), coop, Membership.Role.MEMBER)
    assert can(manager, Action.MANAGE, coop)
    assert can(plain, Action.OPERATE, coop)
    assert not can(plain, Action.MANAGE, coop)
    assert not can(plain, Action.RECALL, coop)


def test_cooperative_managers_act_for_member_farms_but_members_do_not(coop, member_farm):
    manager = member(UserFactory(), coop, Membership.Role.MANAGER)
    plain = member(UserFactory(), coop, Membership.Role.MEMBER)
    assert can(manager, Action.MANAGE, member_farm)
    assert not can(plain, Action.VIEW, member_farm)
    assert set(producers_for(manager, Action.OPERATE)) == {coop, member_farm}


def test_strangers_and_anonymous_users_see_nothing(coop, stranger):
    assert not can(stranger, Action.VIEW, coop)
    assert not producers_for(AnonymousUser(), Action.VIEW).exists()
    assert coop not in producers_for(stranger, Action.VIEW)


def test_staff_groups_read_everything_and_inspectors_recall(coop):
    extension = UserFactory()
    extension.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    inspector = UserFactory()
    inspector.groups.add(Group.objects.get(name=INSPECTOR_GROUP))
    assert can(extension, Action.VIEW, coop)
    assert not can(extension, Action.OPERATE, coop)
    assert can(inspector, Action.RECALL, coop)
    assert not can(inspector, Action.MANAGE, coop)


def test_inactive_users_lose_access(coop, owner):
    owner.is_active = False
    owner.save()
    assert not can(owner, Action.VIEW, coop)


def test_only_inspectors_verify_certificates_and_edits_clear_it(coop, owner):
    from django.core.exceptions import PermissionDenied

    from farms.services import certificate_edited, verify_certification
    from tests.factories import CertificationFactory

    certificate = CertificationFactory(producer=coop)
    with pytest.raises(PermissionDenied):
        verify_certification(owner, certificate)  # a producer cannot vouch for itself
    inspector = UserFactory()
    inspector.groups.add(Group.objects.get(name=INSPECTOR_GROUP))
    verify_certification(inspector, certificate)
    certificate.refresh_from_db()
    assert certificate.verified_by == inspector and certificate.verified_at
    certificate_edited(certificate, {"valid_to"})
    certificate.refresh_from_db()
    assert certificate.verified_at is None
