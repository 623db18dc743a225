"""The mass balance over a generated record: a family of lots recorded through the
services, copied in bulk on a pool of producers, plots and partners (the benchmark
copies it to 100,000 lots; here a few dozen)."""

import pytest
from django.core.management import CommandError, call_command

from bench.record_dataset import generate
from traceability.models import Batch
from traceability.services.recall_scope import Relation, recall_scope


@pytest.fixture
def record(db):
    return generate(families=40)


def test_the_generated_record_balances_and_a_tampered_lot_shows(record, capsys):
    call_command("check_mass_balance")
    summary = capsys.readouterr().out
    assert "205 lots checked, 0 unbalanced" in summary  # 5 template lots and 40 × 5
    assert "82 splits, merges and transformations checked" in summary  # 2 per family

    tampered = Batch.objects.filter(code__contains="-G0000007").order_by("pk").first()
    Batch.objects.filter(pk=tampered.pk).update(remaining_quantity=tampered.remaining_quantity + 1)
    with pytest.raises(CommandError):
        call_command("check_mass_balance")
    assert tampered.code in capsys.readouterr().out


def test_a_copy_is_a_family_the_workbench_can_follow(record, admin_user):
    kept = Batch.objects.get(code__endswith="-G00000122")  # copy 12's lot kept back

    scope = recall_scope(admin_user, kept)

    relations = {item.batch.code[-3:]: item.relation for item in scope.lots}
    assert relations == {
        "122": Relation.THIS,
        "120": Relation.ITS_SOURCE,
        "121": Relation.SIBLING,
        "123": Relation.MADE_FROM_IT,
        "124": Relation.MADE_FROM_IT,
    }  # each of 40 copies has a plot of its own: no neighbours in season
    reached = sorted((reach.lot[-3:], reach.shipped, reach.returned) for reach in scope.reached)
    assert reached == [("121", 20, 0), ("121", 30, 4), ("123", 15, 0)]
