"""The EPCIS capture interface, through its real URLs: a supermarket captures its receiving
and retail selling of a lot it was shipped; the events join the lot's chain, its query
answers and the scan page; all or nothing by default; a resend is stored once."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from tests.factories import ProductFactory, kg, moment, ship
from tests.traceability.epcis_clients import (
    EPCIS_GTIN,
    STORE,
    capture,
    client_for,
    document,
    event_list,
    job_of,
    partner_event,
)
from tests.traceability.test_epcis_rest import valid
from traceability import epcis
from traceability.models import CaptureJob, Label, TraceEvent
from traceability.services.api_keys import issue_key
from traceability.services.batches import create_batch
from traceability.services.labels import new_serials
from traceability.services.trace import load_trace

GTIN = EPCIS_GTIN


@pytest.fixture
def lot(owner, coop, plot, supermarket):
    rice = ProductFactory(code="gao", name_vi="Gạo", gtin=GTIN)
    lot = create_batch(
        owner, producer=coop, product=rice, plots=[plot], harvested_at=moment(5), quantity=kg(100)
    )
    ship(owner, lot, kg(30), moment(2), to=supermarket)
    return lot


def test_a_partners_capture_joins_the_lots_trace(
    validator, partner, inspector, lot, django_capture_on_commit_callbacks
):
    events = [partner_event(lot, "receiving", 1.5, 30), partner_event(lot, "retail_selling", 1, 4)]
    with django_capture_on_commit_callbacks(execute=True):
        response = capture(partner, document(*events))
    job = job_of(partner, response)
    assert (job["running"], job["success"], job["errors"]) == (False, True, [])
    assert job["captureErrorBehaviour"] == "rollback"

    inspection = client_for(issue_key(inspector, "QLCL", inspection=True)[1])
    query = {"MATCH_epcClass": epcis.lot_uri(lot.code, GTIN)}
    found = event_list(valid(validator, inspection.get("/epcis/events", query)))
    steps = [e["bizStep"].rsplit("/", 1)[-1] for e in found]
    assert steps == ["harvesting", "shipping", "receiving", "retail_selling"]
    assert found[2]["eventID"] == events[0]["eventID"]
    assert found[2]["bizLocation"] == {"id": STORE}
    mine = event_list(valid(validator, partner.get("/epcis/events", query)))
    assert len(mine) == 3  # what was shipped to it and what it recorded, not the harvest

    label = Label.objects.create(batch=lot, serial=new_serials(1)[0])
    page = Client().get(f"/s/{label.serial}").content.decode()
    assert "Đã nhận tại Siêu thị Xanh" in page and "Đã bán tại Siêu thị Xanh" in page
    assert STORE not in page
    lot.refresh_from_db()
    assert lot.remaining_quantity == 70  # the partner's selling is its own stock
    assert load_trace(lot).intact


def test_the_same_event_sent_again_is_stored_once(partner, lot, run):
    event = partner_event(lot, "receiving", 1, 30, event_id="ni:///sha-256;abc123?ver=CBV2.0")
    for _ in range(2):
        job = run(partner, document(event, event))
        assert job["success"] is True
    assert TraceEvent.objects.filter(batch=lot, business_step="receiving").count() == 1
    assert CaptureJob.objects.get(pk=CaptureJob.objects.order_by("pk").first().pk).captured == 1


def test_one_bad_event_rejects_the_whole_document_by_default(partner, lot, owner, coop, plot, run):
    never_shipped = create_batch(
        owner,
        producer=coop,
        product=lot.product,
        plots=[plot],
        harvested_at=moment(4),
        quantity=kg(5),
    )
    good, bad = partner_event(lot, "receiving", 1), partner_event(never_shipped, "receiving", 1)
    job = run(partner, document(good, bad))
    assert (job["running"], job["success"]) == (False, False)
    assert (
        "Event 2" in job["errors"][0]["detail"] and never_shipped.code in job["errors"][0]["detail"]
    )
    assert job["errors"][0]["type"] == "epcisException:ValidationException"
    assert not TraceEvent.objects.filter(business_step="receiving").exists()
    job = run(partner, document(good, bad), "proceed")
    assert job["success"] is False and len(job["errors"]) == 1
    assert TraceEvent.objects.filter(business_step="receiving").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.update(bizStep="harvesting"), "receiving, storing or retail_selling"),
        (lambda e: e.pop("eventID"), "eventID"),
        (lambda e: e.update(eventTime=moment(-3).isoformat()), "future"),
        (lambda e: e["quantityList"][0].update(quantity=31), "shipped to you"),
        (lambda e: e["quantityList"][0].update(uom="LTR"), "counted in"),
        (
            lambda e: e["quantityList"][0].update(
                epcClass="https://id.gs1.org/01/04006381333931/10/NOPE"
            ),
            "not a lot",
        ),
        (lambda e: e.pop("eventTime"), "eventTime"),
        (lambda e: e.update(type="TransformationEvent"), ""),
    ],
)
def test_each_rule_is_a_clear_error(partner, lot, run, change, message):
    event = partner_event(lot, "receiving", 1, 30)
    change(event)
    job = run(partner, document(event))
    assert job["success"] is False
    assert message in " ".join(error["detail"] for error in job["errors"])
    assert not TraceEvent.objects.filter(business_step="receiving").exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "exception"),
    [
        ("{not json", "application/json", 400, "ValidationException"),
        ('{"type": "EPCISQueryDocument"}', "application/json", 400, "ValidationException"),
        (
            '{"type": "EPCISDocument", "epcisBody": {"eventList": []}}',
            "application/json",
            400,
            "ValidationException",
        ),
        ("<xml/>", "application/xml", 415, "UnsupportedMediaTypeException"),
    ],
)
def test_a_document_refused_outright_makes_no_job(
    partner, lot, body, content_type, status, exception
):
    response = partner.post("/epcis/capture", body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["type"] == f"epcisException:{exception}"
    assert not CaptureJob.objects.exists()


def test_limits_and_who_may_capture(partner, lot, inspector, admin_user, coop):
    too_many = document(*[partner_event(lot, "storing", 1) for _ in range(5_001)])
    response = capture(partner, too_many)
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"
    for key in (
        issue_key(inspector, "QLCL", inspection=True)[1],
        issue_key(admin_user, "HTX", producer=coop)[1],
    ):
        refused = capture(client_for(key), document(partner_event(lot, "receiving", 1)))
        assert refused.status_code == 403
    assert capture(Client(), document()).status_code == 401
    assert not CaptureJob.objects.exists()


def test_a_job_is_seen_only_by_its_key(
    partner, lot, admin_user, supermarket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        location = capture(partner, document(partner_event(lot, "receiving", 1)))["Location"]
    other = client_for(issue_key(admin_user, "Khác", party=supermarket)[1])
    assert other.get(location).status_code == 404
    assert [job["captureID"] for job in partner.get("/epcis/capture").json()] == [
        location.rsplit("/", 1)[-1]
    ]


@pytest.mark.celery_broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_captures_a_document_while_the_request_returns(broker_app, partner, lot):
    events = [partner_event(lot, "storing", 1 - index * 0.001, 0.01) for index in range(200)]
    with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        response = capture(partner, document(*events))
        assert response.status_code == 202
        job = CaptureJob.objects.get()
        deadline = time.monotonic() + 60
        while job.running and time.monotonic() < deadline:
            time.sleep(0.2)
            job.refresh_from_db()
    assert (job.running, job.success, job.captured) == (False, True, 200), job.errors
    assert TraceEvent.objects.filter(batch=lot, business_step="storing").count() == 200
    assert load_trace(lot).intact
