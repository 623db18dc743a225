import pytest

from farms.models import Membership
from tests import factories
from tests.factories import kg, moment
from traceability.services.batches import create_batch


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


@pytest.fixture
def admin_user(db):
    """pytest-django's admin logs in with a phone number here."""
    from accounts.models import User

    return User.objects.create_superuser("0900000001", "an-admin-passphrase", full_name="Admin")


@pytest.fixture
def growing(owner, coop, product, plot):
    """A crop planted 30 days ago, not yet harvested."""
    return create_batch(owner, producer=coop, product=product, plots=[plot])


@pytest.fixture
def harvested(owner, coop, product, plot):
    """100 kg harvested yesterday."""
    return create_batch(
        owner,
        producer=coop,
        product=product,
        plots=[plot],
        harvested_at=moment(1),
        quantity=kg(100),
    )
