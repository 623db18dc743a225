"""The seasonal outlook on hand-made prices whose answer is known exactly."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace.models import DailyPrice
from marketplace.services.outlook import seasonal_outlook
from tests.factories import DailyPriceFactory

TODAY = datetime.date(2025, 3, 5)  # a Wednesday of ISO week 10 of 2025


def price(year: int, week: int, first_year: int) -> int:
    """A season (dearer later in the year) on a trend of +1 000 đồng a year."""
    return 20_000 + 100 * week + 1_000 * (year - first_year)


def seasons(product, first_year: int, years: int = 3, district: str = "Đông Anh", extra=0):
    """Each ISO week of each year: completed orders 100 đồng under the week's price and a
    market survey 100 đồng over it (their mean is the price), with sales growing 10 kg a
    year from 100 kg."""
    rows = []
    for year in range(first_year, first_year + years):
        for week in range(1, 53):
            monday = datetime.date.fromisocalendar(year, week, 1)
            value = price(year, week, first_year) + extra
            for source, day, shift, volume in [
                ("orders", monday, -100, Decimal(100 + 10 * (year - first_year))),
                ("market", monday + datetime.timedelta(days=1), 100, Decimal(0)),
            ]:
                rows.append(
                    DailyPriceFactory.build(
                        product=product,
                        district=district,
                        day=day,
                        source=source,
                        average_price=value + shift,
                        volume=volume,
                    )
                )
    DailyPrice.objects.bulk_create(rows)


@pytest.fixture
def three_years(product):
    seasons(product, 2022)
    return product


def test_three_years_with_a_trend_give_the_exact_expected_prices(
    three_years, django_assert_num_queries
):
    with django_assert_num_queries(1):
        outlook = seasonal_outlook(three_years, unit="kg", today=TODAY)
    assert outlook.enough_data and outlook.years_of_data == 3
    assert outlook.trend_per_year == 1_000
    assert [(w.year, w.week, w.starts_on) for w in outlook.weeks][:2] == [
        (2025, 10, datetime.date(2025, 3, 3)),
        (2025, 11, datetime.date(2025, 3, 10)),
    ]
    # Mean of weeks in 2022–2024 = 21 000 + 100·week (mean year 2023), plus 2 years of trend.
    assert [w.expected_price for w in outlook.weeks] == [
        23_000 + 100 * week for week in range(10, 18)
    ]
    assert {w.typical_volume for w in outlook.weeks} == {Decimal("110.000")}
    assert {w.years for w in outlook.weeks} == {3}


def test_the_current_year_does_not_tilt_the_outlook(three_years):
    seasons(three_years, 2025, years=1, extra=50_000)  # a partial year is no yearly price
    outlook = seasonal_outlook(three_years, unit="kg", today=TODAY)
    assert outlook.years_of_data == 3
    assert outlook.weeks[0].expected_price == 24_000


def test_a_week_without_past_prices_has_no_expected_price(three_years):
    DailyPrice.objects.filter(day__week=12).delete()
    outlook = seasonal_outlook(three_years, unit="kg", today=TODAY)
    by_week = {w.week: w for w in outlook.weeks}
    assert (by_week[12].expected_price, by_week[12].typical_volume, by_week[12].years) == (
        None,
        None,
        0,
    )
    assert by_week[13].expected_price == 24_300  # the other weeks are unchanged
    assert outlook.enough_data


def test_the_trend_runs_to_each_week_s_own_year(product):
    seasons(product, 2021)  # 2021–2023, mean year 2022
    outlook = seasonal_outlook(product, unit="kg", today=datetime.date(2024, 12, 23), weeks=3)
    assert [(w.year, w.week, w.expected_price) for w in outlook.weeks] == [
        (2024, 52, 20_000 + 5_200 + 3_000),
        (2025, 1, 20_000 + 100 + 4_000),
        (2025, 2, 20_000 + 200 + 4_000),
    ]


def test_a_falling_trend_is_stated_with_its_sign(product):
    DailyPrice.objects.bulk_create(
        [
            DailyPriceFactory.build(
                product=product,
                day=datetime.date.fromisocalendar(year, 10, 1),
                average_price=30_000 - 2_500 * (year - 2022),
                min_price=1,
                max_price=50_000,
            )
            for year in (2022, 2023, 2024)
        ]
    )
    outlook = seasonal_outlook(product, unit="kg", today=TODAY, weeks=1)
    assert outlook.trend_per_year == -2_500
    assert outlook.weeks[0].expected_price == 22_500  # 27 500 − 2 × 2 500
    with translation.override("en"):
        method = seasonal_outlook(product, unit="kg", today=TODAY, weeks=1).method
    assert "−2,500\u00a0₫" in method


def test_one_year_is_not_enough_and_nothing_is_invented(product):
    seasons(product, 2024, years=1)
    outlook = seasonal_outlook(product, unit="kg", today=TODAY)
    assert (outlook.enough_data, outlook.years_of_data, outlook.trend_per_year) == (
        False,
        1,
        None,
    )
    assert len(outlook.weeks) == 8
    assert {(w.expected_price, w.typical_volume) for w in outlook.weeks} == {(None, None)}
    assert {w.years for w in outlook.weeks} == {1}
    with translation.override("en"):
        method = seasonal_outlook(product, unit="kg", today=TODAY).method
    assert "least squares" in method and "At least two years are needed" in method


def test_no_data_at_all(product):
    outlook = seasonal_outlook(product, unit="kg", today=TODAY)
    assert not outlook.enough_data and outlook.years_of_data == 0
    assert all(w.expected_price is None for w in outlook.weeks)


def test_a_district_uses_only_its_own_prices(three_years):
    seasons(three_years, 2022, district="Gia Lâm", extra=10_000)
    alone = seasonal_outlook(three_years, unit="kg", district="Đông Anh", today=TODAY)
    assert alone.weeks[0].expected_price == 24_000 and alone.district == "Đông Anh"
    together = seasonal_outlook(three_years, unit="kg", today=TODAY)
    assert together.weeks[0].expected_price == 29_000  # the mean of both districts
    assert together.weeks[0].typical_volume == Decimal("220.000")  # both districts' sales
    other_unit = seasonal_outlook(three_years, unit="tan", today=TODAY)
    assert other_unit.years_of_data == 0


def test_the_outlook_states_its_method_in_the_reader_s_language(three_years):
    with translation.override("en"):
        outlook = seasonal_outlook(three_years, unit="kg", today=TODAY)
    assert "same week of past years" in outlook.method
    assert "Years of past prices: 3." in outlook.method
    assert "+1,000\u00a0₫ per year" in outlook.method
    with translation.override("vi"):
        vietnamese = seasonal_outlook(three_years, unit="kg", today=TODAY).method
    assert "+1.000\u00a0₫" in vietnamese


@pytest.mark.parametrize("weeks", [0, 27])
def test_the_number_of_weeks_is_bounded(product, weeks):
    with pytest.raises(ValidationError) as refused:
        seasonal_outlook(product, unit="kg", today=TODAY, weeks=weeks)
    assert refused.value.error_dict["weeks"][0].code == "invalid_weeks"
