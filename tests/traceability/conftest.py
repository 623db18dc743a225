import pytest

from tests.factories import kg, moment
from traceability.services.batches import create_batch


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
