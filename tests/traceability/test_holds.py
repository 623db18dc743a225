"""Facts are recorded, and a fact that makes produce unsafe puts its lots on hold: no sale,
no labels, a notice for consumers, a message to the producer and the inspectors, until
an inspector releases it. Failed checks do the same; a mistaken recall can be withdrawn."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from marketplace.models import Offer
from marketplace.services.offers import LotShare, create_offer
from tests.factories import error_code, kg, moment
from tests.marketplace.conftest import offer_terms
from traceability.models import Batch, Hold
from traceability.services.batches import recall_batch, withdraw_recall
from traceability.services.checks import CheckResult, Residue
from traceability.services.events import InputUse, record_event
from traceability.services.holds import release_hold
from traceability.services.integrity import verify_batch
from traceability.services.labels import order_label_sheet
from traceability.services.transformations import split_batch
from traceability.services.waiting_periods import earliest_safe_harvest
from traceability.steps import BusinessStep as Step


def spray(owner, batch, pesticide, days_ago):
    return record_event(
        owner,
        batch,
        Step.SPRAYING,
        occurred_at=moment(days_ago),
        inputs=[InputUse(agricultural_input=pesticide, dose=kg(20), dose_unit="ml")],
    )


def scan_page(client, batch) -> str:
    return client.get(f"/lot/{batch.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.fixture
def held(owner, coop, harvested, pesticide, inspector, django_capture_on_commit_callbacks):
    """The harvested lot, half of it split off, then a spraying synced late: both held."""
    owner.email = "chu@htx.example.vn"
    owner.save()
    offer = create_offer(
        owner,
        producer=coop,
        product=harvested.product,
        shares=[LotShare(harvested, kg(20))],
        **offer_terms(),
    )
    halves = split_batch(owner, harvested, [kg(30), kg(30)], occurred_at=moment(0.5))
    with django_capture_on_commit_callbacks(execute=True):
        spray(owner, harvested, pesticide, days_ago=3)  # harvested a day ago: 2 days in
    for lot in (harvested, *halves, offer):
        lot.refresh_from_db()
    return harvested, halves, offer


def test_a_late_spraying_holds_the_lot_and_what_was_made_from_it(held, client, inspector):
    lot, halves, offer = held
    assert lot.on_hold and all(half.on_hold for half in halves)
    assert {hold.reason for hold in Hold.objects.all()} == {
        "pre_harvest_interval",
        "made_from_held_lot",
    }
    assert offer.status == Offer.Status.PAUSED
    assert "On hold for checking" in scan_page(client, halves[0])
    assert "thời gian cách ly" in scan_page(client, lot)  # the record's own language
    told = {address for message in mail.outbox for address in message.to}
    assert told == {"chu@htx.example.vn", inspector.email}


def test_a_lot_on_hold_is_not_labelled_or_offered(held, owner, coop):
    lot, halves, _offer = held
    with pytest.raises(ValidationError) as refused:
        order_label_sheet(owner, halves[0], 10)
    assert error_code(refused.value) == "lot_on_hold"
    with pytest.raises(ValidationError) as refused:
        create_offer(
            owner,
            producer=coop,
            product=lot.product,
            shares=[LotShare(halves[1], kg(5))],
            **offer_terms(),
        )
    assert error_code(refused.value) == "lot_on_hold"


def test_only_an_inspector_releases_with_a_reason_and_the_record_keeps_both(
    held, owner, inspector, client
):
    lot, halves, _offer = held
    with pytest.raises(PermissionDenied):
        release_hold(owner, lot, "Tôi thấy ổn")
    with pytest.raises(ValidationError) as refused:
        release_hold(inspector, lot, "  ")
    assert error_code(refused.value) == "reason_required"
    released = release_hold(inspector, lot, "Test nhanh dư lượng âm tính, mẫu HN-0412")
    assert {hold.batch_id for hold in released} == {lot.pk, *(half.pk for half in halves)}
    for batch in (lot, *halves):
        batch.refresh_from_db()
        assert not batch.on_hold
        steps = list(batch.events.values_list("business_step", flat=True))
        assert Step.HOLDING in steps and Step.RELEASING in steps
        assert verify_batch(batch).intact
    assert "On hold for checking" not in scan_page(client, halves[0])
    order_label_sheet(owner, halves[0], 10)  # labels again


def test_a_failed_laboratory_test_holds_the_lot(harvested, inspector, owner):
    with pytest.raises(ValidationError) as refused:
        record_event(owner, harvested, Step.INSPECTING, occurred_at=moment(0.5))
    assert error_code(refused.value) == "outcome_required"
    over = [Residue("Abamectin", "0.05", "0.01"), Residue("Chlorpyrifos", "0", "0.05")]
    with pytest.raises(ValidationError) as refused:
        record_event(
            owner,
            harvested,
            Step.SAMPLING,
            occurred_at=moment(0.5),
            check=CheckResult(True, "Vinacontrol", "M-1", over),
        )
    assert error_code(refused.value) == "outcome_contradicts_results"
    event = record_event(
        inspector,
        harvested,
        Step.SAMPLING,
        occurred_at=moment(0.4),
        check=CheckResult(None, "Vinacontrol Hà Nội", "HN-0412", over),
    )
    assert event.disposition == "non_conformant"
    assert event.details["check"]["residues"][0] == {
        "substance": "Abamectin",
        "value": "0.05",
        "limit": "0.01",
        "unit": "mg/kg",
    }
    harvested.refresh_from_db()
    (hold,) = harvested.holds.all()
    assert hold.reason == "failed_check" and "Abamectin" in hold.explanation
    assert "Chlorpyrifos" not in hold.explanation


def test_an_inspection_that_passes_holds_nothing(harvested, owner):
    event = record_event(
        owner,
        harvested,
        Step.INSPECTING,
        occurred_at=moment(0.5),
        check=CheckResult(conformant=True),
    )
    assert event.disposition == "conformant"
    harvested.refresh_from_db()
    assert not harvested.on_hold


def test_the_earliest_safe_harvest_is_known_while_a_waiting_period_runs(owner, growing, pesticide):
    spray(owner, growing, pesticide, days_ago=2)  # a 7-day waiting period
    safe = earliest_safe_harvest(growing)
    assert safe == moment(2) + (moment(0) - moment(7))
    spray(owner, growing, pesticide, days_ago=30)
    assert earliest_safe_harvest(growing) == safe


def test_a_recall_can_be_withdrawn_with_a_reason(owner, coop, harvested, client):
    manager = owner
    halves = split_batch(manager, harvested, [kg(10), kg(10)], occurred_at=moment(0.5))
    recall_batch(manager, harvested, "Nghi nhiễm khuẩn")
    with pytest.raises(ValidationError) as refused:
        withdraw_recall(manager, harvested, "")
    assert error_code(refused.value) == "reason_required"
    withdrawn = withdraw_recall(manager, harvested, "Mẫu xét nghiệm là của lô khác")
    assert {lot.pk for lot in withdrawn} == {harvested.pk, *(half.pk for half in halves)}
    for lot in (harvested, *halves):
        lot.refresh_from_db()
        assert lot.status == Batch.Status.ACTIVE and lot.recall_reason == ""
        assert verify_batch(lot).intact
    page = scan_page(client, harvested)
    assert "RECALLED" not in page and "Recall withdrawn" in page


def test_an_inspector_releases_a_hold_on_the_batch_page(held, client, owner, inspector):
    lot = held[0]
    url = f"/admin/traceability/batch/{lot.pk}/release/"
    owner.is_staff = inspector.is_staff = True
    owner.save()
    inspector.save()
    client.force_login(owner)
    refused = client.post(url, {"reason": "Tự xét thấy an toàn"})
    assert refused.status_code == 200 and Hold.objects.filter(released_at=None).count() == 3
    client.force_login(inspector)
    batch_page = client.get(f"/admin/traceability/batch/{lot.pk}/change/").content.decode()
    assert "Gỡ tạm giữ" in batch_page

    done = client.post(url, {"reason": "Mẫu lại đạt: Vinacontrol HN-0413"})

    assert done.status_code == 302
    lot.refresh_from_db()
    assert not lot.on_hold and not Hold.objects.filter(released_at=None).exists()
