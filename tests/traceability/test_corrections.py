"""A wrong record is corrected by a new event that declares it wrong, with a reason, and
records what is right: the chain keeps both, the rules read the corrected record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import error_code, kg, moment, ship
from traceability.epcis import document
from traceability.models import TraceEvent
from traceability.services.corrections import Replacement, correct_event
from traceability.services.events import InputUse, record_event
from traceability.services.integrity import verify_batch
from traceability.services.mass_balance import lot_balances
from traceability.services.trace import load_trace
from traceability.services.transformations import split_batch
from traceability.steps import BusinessStep as Step


def harvest_of(batch) -> TraceEvent:
    return batch.events.standing().get(business_step=Step.HARVESTING)


def test_a_mistyped_harvest_is_corrected_and_the_stock_follows(owner, harvested, client):
    ship(owner, harvested, kg(30), moment(0.5))
    wrong = harvest_of(harvested)
    correction = correct_event(owner, wrong, "Gõ nhầm 100 thay vì 80", Replacement(quantity=kg(80)))
    harvested.refresh_from_db()
    assert (harvested.quantity, harvested.remaining_quantity) == (kg(80), kg(50))
    assert harvest_of(harvested).quantity == kg(80)
    assert correction.corrects == wrong and wrong.quantity == kg(100)  # never rewritten
    assert verify_batch(harvested).intact
    assert all(balance.balanced for balance in lot_balances())
    page = client.get(f"/lot/{harvested.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "declared wrong on" in page and "<s>Harvesting</s>" in page
    assert "Gõ nhầm" not in page  # the reason is for the record, not the public page


def test_the_export_declares_the_error_and_names_its_correction(owner, harvested, validator):
    wrong = harvest_of(harvested)
    correct_event(owner, wrong, "Sai ngày", Replacement(occurred_at=moment(1.2)))
    exported = document(load_trace(harvested))
    validator.validate(exported)
    events = exported["epcisBody"]["eventList"]
    declared = next(e for e in events if e["eventID"] == f"urn:uuid:{wrong.uuid}")
    corrective = harvest_of(harvested)
    assert declared["errorDeclaration"]["reason"] == "incorrect_data"
    assert declared["errorDeclaration"]["correctiveEventIDs"] == [f"urn:uuid:{corrective.uuid}"]
    assert f"urn:uuid:{corrective.uuid}" in {e["eventID"] for e in events}
    assert len(events) == 2  # the correction is a declaration, not an event


def test_an_event_that_did_not_happen_is_declared_so(owner, harvested):
    shipped = ship(owner, harvested, kg(40), moment(0.5))
    correct_event(owner, shipped, "Chuyến xe bị huỷ, chưa giao")
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == kg(100)
    with pytest.raises(ValidationError) as refused:
        correct_event(owner, shipped, "Lần nữa")
    assert error_code(refused.value) == "already_corrected"


def test_a_correction_that_would_leave_less_than_went_out_is_refused(owner, harvested):
    ship(owner, harvested, kg(60), moment(0.5))
    with pytest.raises(ValidationError) as refused:
        correct_event(owner, harvest_of(harvested), "Sai số", Replacement(quantity=kg(50)))
    assert error_code(refused.value) == "correction_breaks_stock"
    harvested.refresh_from_db()
    assert (
        harvested.quantity == kg(100)
        and not TraceEvent.objects.filter(business_step=Step.CORRECTING).exists()
    )


def test_a_corrected_time_is_checked_against_the_waiting_periods(owner, growing, pesticide):
    record_event(
        owner,
        growing,
        Step.SPRAYING,
        occurred_at=moment(10),
        inputs=[InputUse(agricultural_input=pesticide, dose=kg(20), dose_unit="ml")],
    )
    record_event(owner, growing, Step.HARVESTING, occurred_at=moment(1), quantity=kg(30))
    growing.refresh_from_db()
    assert not growing.on_hold
    spraying = growing.events.standing().get(business_step=Step.SPRAYING)
    correct_event(owner, spraying, "Phun ngày 5, không phải 10", Replacement(occurred_at=moment(5)))
    growing.refresh_from_db()
    assert growing.on_hold  # the corrected record says it was harvested too soon


def test_only_those_who_may_record_may_correct_and_not_every_step(owner, stranger, harvested):
    with pytest.raises(PermissionDenied):
        correct_event(stranger, harvest_of(harvested), "x")
    with pytest.raises(ValidationError) as refused:
        correct_event(owner, harvest_of(harvested), "")
    assert error_code(refused.value) == "reason_required"
    split_batch(owner, harvested, [kg(5), kg(5)], occurred_at=moment(0.5))
    split = harvested.events.get(business_step=Step.REPACKAGING)
    with pytest.raises(ValidationError) as refused:
        correct_event(owner, split, "Chia sai")
    assert error_code(refused.value) == "not_correctable"
