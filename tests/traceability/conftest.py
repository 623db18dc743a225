"""The EPCIS interface's cast: a supermarket a cooperative ships to, a lot's journey, and
key holders of each kind."""

import pytest
from django.test import Client

from tests.factories import ProductFactory, kg, moment, ship
from tests.traceability.epcis_clients import EPCIS_GTIN, capture, client_for, job_of
from traceability.models import Label
from traceability.services.api_keys import issue_key
from traceability.services.batches import create_batch
from traceability.services.corrections import correct_event
from traceability.services.events import record_event
from traceability.services.labels import new_serials
from traceability.services.parties import register_party
from traceability.services.transformations import split_batch
from traceability.steps import BusinessStep as Step

RESOLVER_GTIN = "08930000000019"


@pytest.fixture
def supermarket(owner, coop):
    return register_party(
        owner, coop, name="Siêu thị Xanh", kind="supermarket", district="Cầu Giấy"
    )


@pytest.fixture
def journey(owner, coop, plot, supermarket):
    """A harvest with a spraying note, a split, a shipping to the supermarket, another
    to a trader, and a storing declared wrong."""
    rice = ProductFactory(code="gao", name_vi="Gạo", gtin=EPCIS_GTIN)
    lot = create_batch(
        owner, producer=coop, product=rice, plots=[plot], harvested_at=moment(10), quantity=kg(100)
    )
    record_event(
        owner, lot, Step.SPRAYING, occurred_at=moment(30), plot=plot, notes="Gọi 0912345678"
    )
    wrong = record_event(owner, lot, Step.STORING, occurred_at=moment(9))
    correct_event(owner, wrong, "Nhập nhầm kho")
    kept, sold = split_batch(owner, lot, [kg(60), kg(40)], occurred_at=moment(8))
    to_supermarket = ship(owner, sold, kg(15), moment(7), to=supermarket)
    to_trader = ship(owner, sold, kg(5), moment(6))
    return {
        "lot": lot,
        "kept": kept,
        "sold": sold,
        "wrong": wrong,
        "to_supermarket": to_supermarket,
        "to_trader": to_trader,
    }


@pytest.fixture
def inspection(inspector):
    return client_for(issue_key(inspector, "Chi cục QLCL", inspection=True)[1])


@pytest.fixture
def producer_client(admin_user, coop):
    return client_for(issue_key(admin_user, "HTX", producer=coop)[1])


@pytest.fixture
def partner(admin_user, supermarket):
    return client_for(issue_key(admin_user, "Siêu thị Xanh", party=supermarket)[1])


# The resolver's: a rice with a GTIN-13, a lot of it, and a label.
@pytest.fixture
def rice(db):
    return ProductFactory(
        code="gao-st25", name_vi="Gạo ST25", name_en="ST25 rice", gtin=RESOLVER_GTIN[1:]
    )


@pytest.fixture
def lot(owner, coop, plot, rice):
    return create_batch(
        owner, producer=coop, product=rice, plots=[plot], harvested_at=moment(2), quantity=kg(50)
    )


@pytest.fixture
def label(lot):
    return Label.objects.create(batch=lot, serial=new_serials(1)[0])


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Send a document and let the queued capture run (as the eager default does after
    the request's transaction), then read the job's status."""

    def send(client: Client, body: str, behaviour: str | None = None) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            response = capture(client, body, behaviour)
        return job_of(client, response)

    return send
