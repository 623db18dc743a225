from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import CertificationFactory, ProductFactory, converts, kg, moment, ship
from traceability import epcis
from traceability.services.batches import create_batch
from traceability.services.events import InputUse, record_event
from traceability.services.trace import load_trace
from traceability.services.transformations import split_batch, transform_batches
from traceability.steps import BusinessStep as Step

STANDARDS = Path(__file__).resolve().parent.parent / "standards" / "epcis"


@pytest.fixture
def packed(owner, coop, plot, pesticide):
    rice = ProductFactory(
        code="lua-bac-thom", name_vi="Lúa Bắc thơm", gtin="4006381333931", shelf_life_days=None
    )
    CertificationFactory(producer=coop, products=[rice]).plots.add(plot)
    paddy = create_batch(owner, producer=coop, product=rice, plots=[plot])
    record_event(owner, paddy, Step.SEEDING, occurred_at=moment(100), plot=plot)
    record_event(
        owner,
        paddy,
        Step.SPRAYING,
        occurred_at=moment(40),
        plot=plot,
        inputs=[InputUse(agricultural_input=pesticide, dose=kg(20), dose_unit="ml")],
    )
    record_event(owner, paddy, Step.HARVESTING, occurred_at=moment(10), quantity=kg(1000))
    bags = ProductFactory(code="gao-tui", name_vi="Gạo túi 5 kg", unit="qua")
    converts(rice, bags, "0.12", "0.14")  # 5 kg bags of milled rice from paddy
    packed = transform_batches(
        owner, [(paddy, kg(600))], product=bags, quantity=kg(80), occurred_at=moment(5)
    )
    split_batch(owner, packed, [kg(40), kg(30)], occurred_at=moment(4))
    ship(owner, packed, kg(10), moment(3))
    return packed


def test_export_is_valid_epcis_2(validator, packed):
    document = epcis.document(load_trace(packed))
    errors = sorted(validator.iter_errors(document), key=lambda e: e.path)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert document["@context"][0] == epcis.EPCIS_CONTEXT


def test_every_event_is_valid_on_its_own(validator, packed):
    document = epcis.document(load_trace(packed))
    for event in document["epcisBody"]["eventList"]:
        standalone = {"@context": document["@context"], **event}
        assert not list(validator.iter_errors(standalone)), event["bizStep"]


def test_farm_steps_use_our_vocabulary_and_cbv_steps_stay_cbv(packed):
    events = epcis.document(load_trace(packed))["epcisBody"]["eventList"]
    steps = [e["bizStep"] for e in events]
    assert steps[0] == f"{settings.TRACE_VOCABULARY_URL}/bizstep/seeding"
    assert "shipping" in steps
    harvest = next(e for e in events if e["bizStep"].endswith("/harvesting"))
    assert harvest["action"] == "ADD"
    assert harvest["ilmd"]["cbvmda:harvestStartDate"]
    assert harvest["ilmd"]["nongsan:certification"]["nongsan:standard"] == "vietgap"
    assert harvest["quantityList"][0] == {
        "epcClass": f"https://id.gs1.org/01/04006381333931/10/{packed.parent_links.get().parent.code}",
        "quantity": 1000.0,
        "uom": "KGM",
    }


def test_transformations_appear_once_with_inputs_and_outputs(packed):
    events = epcis.document(load_trace(packed))["epcisBody"]["eventList"]
    transformations = [e for e in events if e["type"] == "TransformationEvent"]
    processing = [e for e in transformations if e["bizStep"].endswith("/processing")]
    assert len(processing) == 1
    assert processing[0]["inputQuantityList"][0]["quantity"] == 600.0
    assert processing[0]["outputQuantityList"][0]["epcClass"].endswith(f"/lot/{packed.code}")
    split = next(e for e in transformations if e["bizStep"] == "repackaging")
    assert len(split["outputQuantityList"]) == 2


def test_inputs_and_hashes_travel_with_the_events(packed):
    events = epcis.document(load_trace(packed))["epcisBody"]["eventList"]
    spraying = next(e for e in events if e["bizStep"].endswith("/spraying"))
    assert spraying["nongsan:inputs"][0]["nongsan:preHarvestIntervalDays"] == 7
    assert all(len(e["nongsan:hash"]) == 64 for e in events)
    assert spraying["eventTimeZoneOffset"] == "+07:00"
    assert spraying["eventTime"].endswith("+07:00")
