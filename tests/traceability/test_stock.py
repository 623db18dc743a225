"""The stock ledger: everything that leaves a lot reduces it, out never exceeds in, and an
inspector can check the mass balance of every lot."""

import threading
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import error_code, kg, moment, ship, trader
from traceability.models import Batch
from traceability.services.events import record_event
from traceability.services.mass_balance import lot_balances, transformation_balances
from traceability.services.transformations import split_batch


def test_shipping_selling_and_losses_take_from_the_lot_until_it_closes(owner, harvested):
    ship(owner, harvested, kg(60), moment(0.9))
    record_event(owner, harvested, "selling", occurred_at=moment(0.8), quantity=kg(30))
    with pytest.raises(ValidationError) as refused:
        ship(owner, harvested, kg(11), moment(0.7))
    assert error_code(refused.value) == "quantity_exceeds_stock"
    record_event(
        owner,
        harvested,
        "destroying",
        occurred_at=moment(0.6),
        quantity=kg(10),
        notes="Dập nát khi vận chuyển",
    )
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == 0
    assert harvested.status == Batch.Status.DEPLETED
    (balance,) = lot_balances(Batch.objects.filter(pk=harvested.pk))
    assert (balance.came_in, balance.went_out, balance.lost) == (kg(100), kg(90), kg(10))
    assert balance.balanced


@pytest.mark.parametrize(
    ("step", "quantity", "notes", "code"),
    [
        ("selling", None, "", "quantity_required"),
        ("selling", kg(0), "", "invalid_quantity"),
        ("destroying", kg(5), "", "reason_required"),
        ("destroying", None, "Hỏng", "quantity_required"),
    ],
)
def test_a_movement_says_how_much_and_a_loss_says_why(
    owner, harvested, step, quantity, notes, code
):
    with pytest.raises(ValidationError) as refused:
        record_event(
            owner, harvested, step, occurred_at=moment(0.5), quantity=quantity, notes=notes
        )
    assert error_code(refused.value) == code
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == kg(100) and harvested.event_count == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_shippings_never_take_more_than_the_lot_holds(owner, harvested):
    outcomes, barrier = [], threading.Barrier(10)
    trader(harvested.producer)  # made once, before the race

    def attempt():
        barrier.wait()
        try:
            ship(owner, harvested, kg(20), moment(0.5))
            outcomes.append("shipped")
        except ValidationError as error:
            outcomes.append(error_code(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["quantity_exceeds_stock"] * 5 + ["shipped"] * 5
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == 0
    assert all(balance.balanced for balance in lot_balances())


def test_splits_balance_and_a_tampered_counter_shows(owner, harvested):
    halves = split_batch(owner, harvested, [kg(30), kg(20)], occurred_at=moment(0.5))
    record_event(owner, halves[0], "selling", occurred_at=moment(0.4), quantity=kg(5))
    assert all(balance.balanced for balance in lot_balances())
    (split,) = transformation_balances()
    assert (split.taken, split.made, split.balanced) == (kg(50), kg(50), True)
    out = StringIO()
    call_command("check_mass_balance", stdout=out)
    assert "3 lots checked, 0 unbalanced" in out.getvalue()

    Batch.objects.filter(pk=halves[1].pk).update(remaining_quantity=kg(19))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_mass_balance", stdout=out)
    assert f"{halves[1].code} (kg): in 20 ≠ out 0 + lost 0 + remaining 19" in out.getvalue()
