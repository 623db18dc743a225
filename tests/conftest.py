import pytest

from farms.models import Membership
from tests import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def coop(db):
    return factories.ProducerFactory()


@pytest.fixture
def owner(coop):
    return factories.member(factories.UserFactory(), coop, Membership.Role.OWNER)


@pytest.fixture
def stranger(db):
    """A user who is a member of another producer only."""
    return factories.member(factories.UserFactory(), factories.ProducerFactory())


@pytest.fixture
def plot(coop):
    return factories.PlotFactory(producer=coop)


@pytest.fixture
def product(db):
    return factories.ProductFactory()


@pytest.fixture
def pesticide(db):
    return factories.PesticideFactory()
