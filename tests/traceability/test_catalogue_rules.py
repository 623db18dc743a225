"""The catalogue says what a field can give and what a product can be made into: typing
slips (500 t from 0.3 ha, 1 kg of water spinach into 5,000 pomelos) are refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import CertificationFactory, ProductFactory, converts, error_code, kg, moment
from traceability.models import Batch
from traceability.services.batches import create_batch
from traceability.services.transformations import transform_batches


@pytest.fixture
def spinach(db):
    return ProductFactory(code="rau-muong", max_yield_per_ha=Decimal(40_000))


def harvest(owner, coop, plot, product, quantity, unit=None):
    return create_batch(
        owner,
        producer=coop,
        product=product,
        plots=[plot],
        unit=unit,
        harvested_at=moment(1),
        quantity=quantity,
    )


@pytest.mark.parametrize(("quantity", "unit"), [(kg(500_000), None), (kg(15), "tan")])
def test_a_harvest_no_field_of_that_size_gives_is_refused(
    owner, coop, plot, spinach, quantity, unit
):
    assert 3_500 < plot.area_m2 < 3_700  # 0.36 ha: at most 14.4 t of water spinach a cutting
    with pytest.raises(ValidationError) as refused:
        harvest(owner, coop, plot, spinach, quantity, unit)
    assert error_code(refused.value) == "implausible_harvest"
    assert "0,36 ha" in str(refused.value)
    assert not Batch.objects.exists()


def test_a_harvest_within_the_plausible_yield_is_recorded(owner, coop, plot, spinach):
    assert harvest(owner, coop, plot, spinach, kg(12), "tan").quantity == kg(12)


def test_only_conversions_the_catalogue_lists_and_within_their_yield(owner, coop, plot, spinach):
    lot = harvest(owner, coop, plot, spinach, kg(1000))
    pomelo = ProductFactory(code="buoi-dien", unit="qua")
    with pytest.raises(ValidationError) as refused:
        transform_batches(
            owner, [(lot, kg(1))], product=pomelo, quantity=kg(5000), occurred_at=moment(0.5)
        )
    assert error_code(refused.value) == "no_conversion"

    trimmed = ProductFactory(code="rau-muong-nhat", name_vi="Rau muống nhặt sẵn")
    converts(spinach, trimmed, "0.7", "0.9")
    for impossible in (kg(9_000_000), kg(1)):
        with pytest.raises(ValidationError) as refused:
            transform_batches(
                owner,
                [(lot, kg(100))],
                product=trimmed,
                quantity=impossible,
                occurred_at=moment(0.5),
            )
        assert error_code(refused.value) == "implausible_yield"
    made = transform_batches(
        owner, [(lot, kg(100))], product=trimmed, quantity=kg(80), occurred_at=moment(0.5)
    )
    assert made.quantity == kg(80)


def test_a_result_keeps_the_certificate_only_where_the_standard_allows(owner, coop, plot, spinach):
    CertificationFactory(producer=coop).plots.add(plot)
    lot = harvest(owner, coop, plot, spinach, kg(1000))
    assert lot.certification is not None
    pickled = ProductFactory(code="dua-muoi", name_vi="Rau muống muối chua")
    bagged = ProductFactory(code="rau-muong-tui", name_vi="Rau muống túi 500 g", unit="qua")
    converts(spinach, pickled, "0.5", "0.9")
    converts(spinach, bagged, "1.9", "2", keeps_certification=True)
    processed = transform_batches(
        owner, [(lot, kg(100))], product=pickled, quantity=kg(60), occurred_at=moment(0.5)
    )
    packed = transform_batches(
        owner, [(lot, kg(100))], product=bagged, quantity=kg(196), occurred_at=moment(0.5)
    )
    assert processed.certification is None
    assert packed.certification == lot.certification
