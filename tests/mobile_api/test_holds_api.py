"""Holds, checks and the earliest safe harvest through the app's API."""

import datetime
import uuid

from graphql_relay import to_global_id

from tests.factories import kg, moment
from tests.mobile_api.conftest import Api, token_for
from traceability.services.events import InputUse, record_event
from traceability.steps import BusinessStep as Step

RECORD = """mutation($input: RecordEventInput!) { recordEvent(input: $input) {
  errors { field code } event { disposition } batch { onHold holds { reason explanation } } } }"""
RELEASE = """mutation($input: BatchNoteInput!) { releaseHold(input: $input) {
  errors { code } batches { code onHold } } }"""
SAFE = """query($code: String!) { batchByCode(code: $code) { status earliestSafeHarvest } }"""


def test_an_inspector_records_a_failed_test_and_later_releases_the_lot(
    client, rf, inspector, harvested, api
):
    inspector_api = Api(client, token_for(inspector, rf))
    failed = inspector_api.ok(
        RECORD,
        {
            "input": {
                "batchId": to_global_id("BatchNode", harvested.pk),
                "step": "SAMPLING",
                "occurredAt": moment(0.5).isoformat(),
                "check": {
                    "laboratory": "Vinacontrol Hà Nội",
                    "sampleCode": "HN-0412",
                    "residues": [{"substance": "Abamectin", "value": "0.05", "limit": "0.01"}],
                },
            }
        },
    )["recordEvent"]
    assert failed["event"]["disposition"] == "non_conformant"
    assert failed["batch"]["onHold"] is True
    assert failed["batch"]["holds"][0]["reason"] == "FAILED_CHECK"

    note = {"input": {"batchId": to_global_id("BatchNode", harvested.pk), "reason": "Mẫu lại đạt"}}
    refused = api(RELEASE, note)["data"]["releaseHold"]["errors"]
    assert refused == [{"code": "permission_denied"}]
    released = inspector_api.ok(RELEASE, note)["releaseHold"]["batches"]
    assert released == [{"code": harvested.code, "onHold": False}]


def test_the_app_shows_the_earliest_safe_harvest_while_a_waiting_period_runs(
    api, owner, growing, pesticide
):
    record_event(
        owner,
        growing,
        Step.SPRAYING,
        occurred_at=moment(2),
        inputs=[InputUse(agricultural_input=pesticide, dose=kg(20), dose_unit="ml")],
    )
    safe = api.ok(SAFE, {"code": growing.code})["batchByCode"]["earliestSafeHarvest"]
    # Seven days after the spraying, as an instant (the API speaks UTC; Viet Nam's date
    # differs from UTC's after 17:00 UTC).
    expected = moment(2) + (moment(0) - moment(7))
    assert abs(datetime.datetime.fromisoformat(safe) - expected) < datetime.timedelta(minutes=1)


CORRECT = """mutation($input: CorrectEventInput!) { correctEvent(input: $input) {
  errors { field code } correction { businessStep corrects { uuid } }
  batch { quantity remainingQuantity } } }"""


def test_the_app_corrects_a_mistyped_harvest_once_however_often_it_is_sent(api, harvested):
    wrong = harvested.events.get(business_step=Step.HARVESTING)
    correction = {
        "clientId": "7d1b2c0e-8a4f-4c1e-9a55-2f8e6f1d3b21",
        "eventId": str(wrong.uuid),
        "reason": "Gõ nhầm",
        "replacement": {"quantity": "85"},
    }
    for _attempt in range(2):
        done = api.ok(CORRECT, {"input": correction})["correctEvent"]
        assert done["correction"] == {
            "businessStep": "CORRECTING",
            "corrects": {"uuid": str(wrong.uuid)},
        }
        assert done["batch"]["quantity"] == "85.000"
    assert harvested.events.filter(business_step=Step.CORRECTING).count() == 1


def test_nobody_corrects_another_producers_event(stranger_api, harvested):
    wrong = harvested.events.get(business_step=Step.HARVESTING)
    refused = stranger_api(CORRECT, {"input": {"eventId": str(wrong.uuid), "reason": "x"}})["data"][
        "correctEvent"
    ]["errors"]
    assert refused == [{"field": "eventId", "code": "not_found"}]


SYNC = """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
  results { index errors { code } event { sequence } batch { code onHold } } } }"""


def test_a_spraying_synced_after_the_harvest_is_recorded_and_holds_the_lot(
    api, harvested, pesticide
):
    spraying = {
        "clientId": str(uuid.uuid4()),
        "batchId": to_global_id("BatchNode", harvested.pk),
        "step": "SPRAYING",
        "occurredAt": moment(3).isoformat(),  # two days before yesterday's harvest
        "inputs": [
            {
                "agriculturalInputId": to_global_id("AgriculturalInputNode", pesticide.pk),
                "dose": "20",
                "doseUnit": "ml",
            }
        ],
    }

    for _attempt in range(2):  # the phone sends its queue again: applied once
        (result,) = api.ok(SYNC, {"ops": [{"recordEvent": spraying}]})["sync"]["results"]
        assert result["errors"] == [] and result["batch"]["onHold"] is True

    assert harvested.events.filter(business_step=Step.SPRAYING).count() == 1
    assert harvested.holds.get().reason == "pre_harvest_interval"
