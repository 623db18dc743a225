"""One step before, one step after: every shipping names whom the lot went to (a partner
without an account, usually), what comes back is recorded, and each step says who acted
and when it was written down."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import error_code, kg, moment, ship
from traceability.models import Batch, Party, TraceEvent
from traceability.services.batches import recall_batch
from traceability.services.events import record_event
from traceability.services.mass_balance import lot_balances
from traceability.services.parties import register_party
from traceability.steps import BusinessStep as Step


@pytest.fixture
def stall(owner, coop):
    return register_party(
        owner,
        coop,
        name="Sạp rau chị Lan",
        kind="wholesale_stall",
        district="Hoàng Mai",
        phone="0913 456 789",
    )


def test_a_shipping_names_whom_it_went_to(owner, harvested):
    with pytest.raises(ValidationError) as refused:
        record_event(owner, harvested, Step.SHIPPING, occurred_at=moment(0.5), quantity=kg(5))
    assert error_code(refused.value) == "recipient_required"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "spaceship"}, "invalid_choice"),
        ({"tax_code": "12ab"}, "invalid_tax_code"),
        ({"gln": "8934567890125"}, "check_digit"),
        ({"phone": "không có"}, "invalid_phone"),
        ({"name": " "}, "required"),
    ],
)
def test_a_partner_is_checked_when_registered(owner, coop, fields, code):
    given = {"name": "Thương lái Bảy", "kind": "trader", "district": "Đông Anh", **fields}
    with pytest.raises(ValidationError) as refused:
        register_party(owner, coop, **given)
    assert error_code(refused.value) == code
    assert not Party.objects.exists()


def test_what_comes_back_after_a_recall_is_recorded_and_balances(owner, harvested, stall):
    ship(owner, harvested, kg(60), moment(0.8), to=stall)
    recall_batch(owner, harvested, "Dư lượng vượt ngưỡng")
    with pytest.raises(ValidationError) as refused:
        record_event(
            owner, harvested, Step.RETURNED, occurred_at=moment(0.2), quantity=kg(61), party=stall
        )
    assert error_code(refused.value) == "return_exceeds_shipped"
    record_event(
        owner, harvested, Step.RETURNED, occurred_at=moment(0.2), quantity=kg(50), party=stall
    )
    record_event(
        owner,
        harvested,
        Step.DESTROYING,
        occurred_at=moment(0.1),
        quantity=kg(90),
        notes="Tiêu huỷ theo biên bản thu hồi",
    )
    harvested.refresh_from_db()
    assert harvested.status == Batch.Status.RECALLED and harvested.remaining_quantity == 0
    (balance,) = lot_balances(Batch.objects.filter(pk=harvested.pk))
    assert (balance.returned, balance.lost, balance.balanced) == (kg(50), kg(90), True)


def test_the_scan_page_names_organisations_not_people_and_flags_late_entries(
    owner, coop, harvested, stall, client
):
    supermarket = register_party(
        owner,
        coop,
        name="Siêu thị Xanh",
        kind="supermarket",
        district="Cầu Giấy",
        tax_code="0109876543",
    )
    ship(owner, harvested, kg(10), moment(0.8), to=stall)
    ship(owner, harvested, kg(10), moment(0.7), to=supermarket)
    late = ship(owner, harvested, kg(10), moment(0.6))
    TraceEvent.objects.filter(pk=late.pk).update(
        recorded_at=timezone.now() + datetime.timedelta(days=40)
    )
    page = client.get(f"/lot/{harvested.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Siêu thị Xanh" in page  # an organisation by name
    assert "Sạp rau chị Lan" not in page and "Wholesale market stall · Hoàng Mai" in page
    assert "0913" not in page and "456 789" not in page
    assert "recorded 40 days later" in page
    partner_page = client.get(f"/party/{stall.uuid}").content.decode()
    assert "Hoàng Mai" in partner_page and "Sạp rau chị Lan" not in partner_page
