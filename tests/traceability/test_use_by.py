"""The use-by date: fixed when a lot begins, kept by repacking, and the end of every
intention: no offer, sale, shipping, label or new lot past it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import ProductFactory, converts, error_code, harvested_lot, kg, moment
from traceability.models import Batch
from traceability.services.labels import order_label_sheet
from traceability.services.transformations import split_batch, transform_batches


@pytest.fixture
def lettuce(db):
    return ProductFactory(code="xa-lach", shelf_life_days=5)


def test_a_lot_is_to_be_used_by_its_harvest_plus_the_shelf_life(owner, coop, plot, lettuce):
    lot = harvested_lot(owner, coop, plot, lettuce, 1)
    assert lot.use_by == lot.harvest_date + datetime.timedelta(days=5)
    lettuce.shelf_life_days = 30  # a later catalogue change does not move it
    lettuce.save()
    halves = split_batch(owner, lot, [kg(20), kg(20)], occurred_at=moment(0.5))
    assert {half.use_by for half in halves} == {lot.use_by}
    salad = ProductFactory(code="salad-hop", shelf_life_days=2)
    converts(lettuce, salad, "0.8", "1")
    made = transform_batches(
        owner, [(halves[0], kg(10))], product=salad, quantity=kg(9), occurred_at=moment(0.2)
    )
    made_on = timezone.localdate(moment(0.2))  # the day it was made, in Viet Nam
    assert made.use_by == made_on + datetime.timedelta(days=2)


def test_past_its_use_by_a_lot_is_neither_labelled_nor_made_into_new_lots(
    owner, coop, plot, lettuce
):
    old = harvested_lot(owner, coop, plot, lettuce, 8)
    converts(lettuce, lettuce, "0.8", "1")
    assert old.expired
    with pytest.raises(ValidationError) as refused:
        order_label_sheet(owner, old, 10)
    assert error_code(refused.value) == "lot_expired"
    with pytest.raises(ValidationError) as refused:
        transform_batches(
            owner, [(old, kg(10))], product=lettuce, quantity=kg(9), occurred_at=moment(0.2)
        )
    assert error_code(refused.value) == "expired_input"
    assert Batch.objects.count() == 1
