"""Opening hours of markets and soil tests of plots."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from farms.models import SoilSample
from farms.opening_hours import is_open, parse
from farms.permissions import EXTENSION_STAFF_GROUP
from farms.soil import record_soil_sample, soil_advice
from tests import factories
from tests.mobile_api.conftest import Api, token_for

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
        ("24/7", MONDAY_6AM.replace(hour=23, minute=59, second=30), True),
        ("", MONDAY_6AM, None),
        ("unknown", MONDAY_6AM, None),
        # A wholesale market trading at night: open at 23:00 and at 01:00 the next day.
        ("Mo-Sa 22:00-04:00; Su off", MONDAY_6AM.replace(hour=23), True),
        ("Mo-Sa 22:00-04:00; Su off", MONDAY_6AM + datetime.timedelta(hours=19), True),
        ("Mo-Sa 22:00-04:00; Su off", MONDAY_6AM.replace(hour=21), False),
        ("Mo-Sa 22:00-04:00; Su off", MONDAY_6AM.replace(hour=4, minute=30), False),
        ("Mo-Sa 22:00-04:00; Su off", MONDAY_6AM.replace(hour=1), False),  # Sunday night
        ("Mo 22:00-02:00", MONDAY_6AM + datetime.timedelta(hours=19), True),  # Tuesday 01:00
        ("Mo-Su 05:00-11:00; PH off", datetime.datetime(2026, 9, 2, 6, 0), False),  # Quốc khánh
    ],
)
def test_open_now(hours, at, expected):
    assert is_open(hours, at) is expected


def test_open_now_reads_an_aware_time_in_viet_nam():
    night = datetime.datetime(2026, 11, 23, 17, 30, tzinfo=datetime.UTC)  # 00:30 in Hà Nội
    assert is_open("Mo-Su 22:00-02:00", night) is True
    assert is_open("Mo-Su 22:00-02:00", night.replace(hour=20)) is False  # 03:00


@pytest.mark.parametrize("hours", ["Xx 05:00-11:00", "Mo 5-11", ";", "Mo 25:00-26:00x", "9h-17h"])
def test_bad_opening_hours_are_refused(hours):
    with pytest.raises(ValidationError) as refused:
        parse(hours)
    assert refused.value.code == "opening_hours"


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


RECORD = """mutation($input: RecordSoilSampleInput!) { recordSoilSample(input: $input) {
  soilSample { id sampledOn laboratory ph organicMatter potassium advice }
  errors { field code message }
} }"""
PLOTS_WITH_SOIL = "{ myPlots { name soilSamples { sampledOn ph advice } } }"


def soil_input(plot, **measures) -> dict:
    return {
        "input": {
            "plotId": str(plot.uuid),
            "sampledOn": "2026-10-02",
            "laboratory": "Trung tâm Phân tích đất Hà Nội",
            **measures,
        }
    }


def test_a_farmer_records_a_soil_test_in_the_app_and_reads_it_back(api, coop):
    plot = factories.PlotFactory(producer=coop)

    sample = api.ok(RECORD, soil_input(plot, ph="4.2", organicMatter="2.5"))["recordSoilSample"]

    assert sample["soilSample"]["ph"] == "4.2"
    assert sample["soilSample"]["potassium"] is None
    (advice,) = sample["soilSample"]["advice"]
    assert advice.startswith("Đất rất chua")
    (listed,) = api.ok(PLOTS_WITH_SOIL)["myPlots"]
    assert listed["soilSamples"] == [
        {"sampledOn": "2026-10-02", "ph": "4.2", "advice": sample["soilSample"]["advice"]}
    ]


def test_extension_staff_record_soil_tests_for_any_farm(client, rf, coop):
    officer = factories.UserFactory()
    officer.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    plot = factories.PlotFactory(producer=coop)

    Api(client, token_for(officer, rf)).ok(RECORD, soil_input(plot, ph="6.5"))

    assert SoilSample.objects.get().recorded_by == officer


def test_a_wrong_soil_test_in_the_app_is_a_typed_error(api, stranger_api, coop):
    plot = factories.PlotFactory(producer=coop)

    wrong = api(RECORD, soil_input(plot, ph="45"))["data"]["recordSoilSample"]
    foreign = stranger_api(RECORD, soil_input(plot, ph="6"))["data"]["recordSoilSample"]

    assert [(e["field"], e["code"]) for e in wrong["errors"]] == [("ph", "out_of_range")]
    assert [e["field"] for e in foreign["errors"]] == ["plotId"]
    assert not SoilSample.objects.exists()


def test_soil_tests_do_not_add_queries_to_the_plot_list(api, coop, django_assert_max_num_queries):
    def sample(plot, ph):
        SoilSample.objects.create(
            plot=plot, sampled_on=datetime.date(2026, 9, 1), laboratory="Lab", ph=ph
        )

    sample(factories.PlotFactory(producer=coop), Decimal("6.0"))
    with CaptureQueriesContext(connection) as few:
        assert len(api.ok(PLOTS_WITH_SOIL)["myPlots"]) == 1
    for _ in range(4):
        plot = factories.PlotFactory(producer=coop)
        sample(plot, Decimal("4.0"))
        sample(plot, Decimal("5.0"))

    with django_assert_max_num_queries(len(few)):
        plots = api.ok(PLOTS_WITH_SOIL)["myPlots"]
    assert sum(len(plot["soilSamples"]) for plot in plots) == 9


def test_a_result_is_answered_as_it_is_stored(api, coop):
    plot = factories.PlotFactory(producer=coop)
    answer = api.ok(RECORD, soil_input(plot, ph="5.46"))["recordSoilSample"]["soilSample"]
    assert answer["ph"] == "5.5" and SoilSample.objects.get().ph == Decimal("5.5")
    assert answer["advice"] == []  # 5.5 is not acid: the reply and the stored row agree


def test_a_soil_test_sent_twice_is_recorded_once(api, coop):
    plot = factories.PlotFactory(producer=coop)
    sent = soil_input(plot, ph="6.1")
    sent["input"]["clientId"] = "5c0e2a4e-8a5b-4a43-9d1e-3f6c2b1a7d90"
    first = api.ok(RECORD, sent)["recordSoilSample"]["soilSample"]
    again = api.ok(RECORD, sent)["recordSoilSample"]["soilSample"]
    assert first["id"] == again["id"] and SoilSample.objects.count() == 1
    sync = """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
      results { errors { code } } } }"""
    result = api.ok(sync, {"ops": [{"recordSoilSample": sent["input"]}]})["sync"]["results"]
    assert result == [{"errors": []}] and SoilSample.objects.count() == 1
