"""Opening hours of markets and soil tests of plots."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from farms.models import SoilSample
from farms.opening_hours import is_open, parse
from farms.soil import record_soil_sample, soil_advice
from tests import factories

MONDAY_6AM = datetime.datetime(2026, 11, 23, 6, 0)


@pytest.mark.parametrize(
    ("hours", "at", "expected"),
    [
        ("Mo-Sa 05:00-11:00,15:00-19:00; Su off", MONDAY_6AM, True),
        ("Mo-Sa 05:00-11:00,15:00-19:00; Su off", MONDAY_6AM.replace(hour=12), False),
        ("Mo-Sa 05:00-11:00; Su off", MONDAY_6AM + datetime.timedelta(days=6), False),
        ("Mo-Su 05:00-11:00; Mo off", MONDAY_6AM, False),  # a later rule wins for its days
        ("Sa-Mo 05:00-09:00", MONDAY_6AM, True),  # a range over the week's end
        ("24/7", MONDAY_6AM.replace(hour=3), True),
        ("", MONDAY_6AM, None),
    ],
)
def test_open_now(hours, at, expected):
    assert is_open(hours, at) is expected


@pytest.mark.parametrize("hours", ["Mo-Sa", "Xx 05:00-11:00", "Mo 11:00-05:00", "Mo 5-11", ";"])
def test_bad_opening_hours_are_refused(hours):
    with pytest.raises(ValidationError):
        parse(hours)


def test_a_soil_test_is_recorded_and_read_plainly(owner, coop):
    plot = factories.PlotFactory(producer=coop)
    sample = record_soil_sample(
        owner,
        plot,
        sampled_on=datetime.date(2026, 10, 2),
        laboratory="Trung tâm Phân tích đất Hà Nội",
        ph="5.1",
        organic_matter="1.2",
    )
    assert (sample.ph, sample.potassium) == (Decimal("5.1"), None)
    advice = soil_advice(sample)
    assert len(advice) == 2 and advice[0].startswith("Đất chua")


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"ph": "51"}, "ph", "out_of_range"),
        ({"ph": "NaN"}, "ph", "out_of_range"),
        ({"salinity": "-1"}, "salinity", "out_of_range"),
        ({}, "ph", "no_results"),
        ({"ph": "6", "laboratory": " "}, "laboratory", "laboratory"),
        ({"ph": "6", "sampled_on": datetime.date(2099, 1, 1)}, "sampled_on", "future_date"),
    ],
)
def test_bad_soil_results_change_nothing(owner, coop, fields, field, code):
    plot = factories.PlotFactory(producer=coop)
    values = {"sampled_on": datetime.date(2026, 10, 2), "laboratory": "Phòng thí nghiệm", **fields}
    with pytest.raises(ValidationError) as refused:
        record_soil_sample(owner, plot, **values)
    assert refused.value.error_dict[field][0].code == code
    assert not SoilSample.objects.exists()


def test_a_stranger_cannot_record_a_soil_test(stranger, coop):
    with pytest.raises(PermissionDenied):
        record_soil_sample(
            stranger,
            factories.PlotFactory(producer=coop),
            sampled_on=datetime.date(2026, 10, 2),
            laboratory="Phòng thí nghiệm",
            ph="6",
        )
