import pytest

from tests.factories import kg, moment
from traceability.models import Batch, EventInput, TraceEvent
from traceability.services.events import InputUse, record_event
from traceability.services.integrity import verify_batch
from traceability.services.trace import load_trace
from traceability.services.transformations import split_batch
from traceability.steps import BusinessStep as Step


@pytest.fixture
def history(owner, growing, plot, pesticide):
    record_event(owner, growing, Step.PLANTING, occurred_at=moment(40), plot=plot)
    record_event(
        owner,
        growing,
        Step.SPRAYING,
        occurred_at=moment(20),
        plot=plot,
        inputs=[InputUse(agricultural_input=pesticide, dose=kg(15), dose_unit="ml")],
    )
    record_event(owner, growing, Step.HARVESTING, occurred_at=moment(2), quantity=kg(80))
    record_event(owner, growing, Step.PACKING, occurred_at=moment(1), notes="Đóng túi 500 g")
    return growing


def test_an_untouched_history_is_intact(history):
    report = verify_batch(history)
    assert report.intact
    assert report.checked == 4


def test_editing_an_event_row_is_detected(history):
    TraceEvent.objects.filter(batch=history, sequence=4).update(notes="Đóng túi 1 kg")
    report = verify_batch(history)
    assert not report.intact
    assert "4" in report.problems[0]


def test_editing_an_input_dose_is_detected(history):
    EventInput.objects.filter(event__batch=history).update(dose=kg(5))
    assert not verify_batch(history).intact


def test_moving_an_event_in_time_is_detected(history):
    TraceEvent.objects.filter(batch=history, sequence=2).update(occurred_at=moment(35))
    assert not verify_batch(history).intact


def test_removing_the_newest_event_is_detected(history):
    TraceEvent.objects.filter(batch=history, sequence=4).delete()
    report = verify_batch(history)
    assert not report.intact
    assert "bị xóa" in report.problems[0]


def test_removing_an_event_in_the_middle_is_detected(history):
    EventInput.objects.filter(event__batch=history).delete()
    TraceEvent.objects.filter(batch=history, sequence=2).delete()
    assert not verify_batch(history).intact


def test_changing_the_batch_product_is_detected(history):
    from tests.factories import ProductFactory

    Batch.objects.filter(pk=history.pk).update(product=ProductFactory())
    assert not verify_batch(history).intact


def test_tampering_with_an_ancestor_shows_on_the_child(owner, history):
    child = split_batch(owner, history, [kg(40), kg(40)], occurred_at=moment(0.5))[0]
    assert load_trace(child).intact
    TraceEvent.objects.filter(batch=history, sequence=1).update(notes="sửa")
    trace = load_trace(child)
    assert not trace.intact
    assert [r.lot for r in trace.reports if not r.intact] == [history.code]


def test_changing_what_the_public_page_shows_is_detected(owner, history, coop, plot):
    from datetime import timedelta

    from tests.factories import CertificationFactory

    history.refresh_from_db()
    assert verify_batch(history).intact
    Batch.objects.filter(pk=history.pk).update(harvest_date=history.harvest_date - timedelta(1))
    assert not verify_batch(history).intact
    Batch.objects.filter(pk=history.pk).update(harvest_date=history.harvest_date)
    assert verify_batch(history).intact
    fake = CertificationFactory(producer=coop, number="GIẢ-001")
    Batch.objects.filter(pk=history.pk).update(certification=fake)
    assert not verify_batch(history).intact


def test_editing_a_certificate_after_the_harvest_is_detected(owner, coop, plot, product):
    from tests.factories import CertificationFactory
    from traceability.services.batches import create_batch

    certificate = CertificationFactory(producer=coop)
    certificate.plots.add(plot)
    batch = create_batch(
        owner, producer=coop, product=product, plots=[plot], harvested_at=moment(1), quantity=kg(10)
    )
    assert batch.certification == certificate and verify_batch(batch).intact
    type(certificate).objects.filter(pk=certificate.pk).update(
        valid_to=certificate.valid_to.replace(year=certificate.valid_to.year + 5)
    )
    assert not verify_batch(batch).intact


def test_undoing_a_recall_is_detected_and_still_shown(client, owner, history):
    from traceability.services.batches import recall_batch

    recall_batch(owner, history, "Dư lượng thuốc trừ sâu")
    Batch.objects.filter(pk=history.pk).update(status=Batch.Status.ACTIVE, recall_reason="")
    assert not verify_batch(history).intact
    html = client.get(f"/lot/{history.code}").content.decode()
    assert "THU HỒI" in html and "Dư lượng thuốc trừ sâu" in html


def test_renaming_a_product_code_is_not_an_alarm(history):
    from farms.models import Product

    Product.objects.filter(pk=history.product_id).update(code="rau-muong-moi")
    assert verify_batch(history).intact
