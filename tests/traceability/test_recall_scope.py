"""Before a recall is confirmed, whoever confirms it sees every lot a problem with one lot
may reach (forward, back, its siblings, the same beds in the same season) and every
partner those lots went to, with what went out and what came back."""

import pytest
from django.core.exceptions import PermissionDenied

from farms.models import Membership, Producer
from tests.factories import (
    PlotFactory,
    ProducerFactory,
    UserFactory,
    harvested_lot,
    kg,
    member,
    moment,
    ship,
    trader,
)
from traceability.services.events import record_event
from traceability.services.parties import register_party
from traceability.services.recall_scope import Relation, recall_scope
from traceability.services.transformations import merge_batches, split_batch
from traceability.steps import BusinessStep as Step


@pytest.fixture
def stall(owner, coop):
    return register_party(
        owner, coop, name="Sạp rau chị Lan", kind="wholesale_stall", district="Hoàng Mai"
    )


def relations(scope) -> dict[str, Relation]:
    return {affected.batch.code: affected.relation for affected in scope.lots}


def test_every_direction_is_in_the_scope(owner, coop, harvested, plot, product):
    first_half, second_half = split_batch(
        owner, harvested, [kg(60), kg(40)], occurred_at=moment(0.5)
    )
    repacked = split_batch(owner, first_half, [kg(30), kg(30)], occurred_at=moment(0.4))[0]
    earlier_cutting = harvested_lot(owner, coop, plot, product, days_ago=20, quantity=30)
    last_season = harvested_lot(owner, coop, plot, product, days_ago=90, quantity=30)
    elsewhere = harvested_lot(owner, coop, PlotFactory(producer=coop), product, quantity=30)

    scope = recall_scope(owner, first_half)

    found = relations(scope)
    assert found[first_half.code] == Relation.THIS
    assert found[harvested.code] == Relation.ITS_SOURCE
    assert found[second_half.code] == Relation.SIBLING
    assert found[repacked.code] == Relation.MADE_FROM_IT
    assert found[earlier_cutting.code] == Relation.SAME_PLOT_AND_SEASON
    assert last_season.code not in found and elsewhere.code not in found
    assert scope.lots[0].batch == first_half  # the lot itself first, then by relation


def test_partners_reached_with_what_went_out_and_came_back(owner, harvested, stall):
    halves = split_batch(owner, harvested, [kg(50), kg(50)], occurred_at=moment(0.5))
    ship(owner, halves[0], kg(20), moment(0.4), to=stall)
    ship(owner, halves[0], kg(10), moment(0.3), to=stall)
    ship(owner, halves[1], kg(15), moment(0.3))
    record_event(
        owner, halves[0], Step.RETURNED, occurred_at=moment(0.2), quantity=kg(12), party=stall
    )

    scope = recall_scope(owner, harvested)

    reached = {(reach.party.name, reach.lot): reach for reach in scope.reached}
    to_stall = reached[("Sạp rau chị Lan", halves[0].code)]
    assert (to_stall.shipped, to_stall.returned, to_stall.still_out) == (kg(30), kg(12), kg(18))
    assert reached[(trader(harvested.producer).name, halves[1].code)].shipped == kg(15)
    assert scope.hidden_reaches == 0


def test_a_member_farm_sees_how_far_its_lot_went_but_not_to_whom(coop, owner, product):
    farm = ProducerFactory(kind=Producer.Kind.HOUSEHOLD, cooperative=coop)
    farmer = member(UserFactory(), farm, Membership.Role.OWNER)
    own = harvested_lot(farmer, farm, PlotFactory(producer=farm), product, days_ago=2, quantity=40)
    other = harvested_lot(owner, coop, PlotFactory(producer=coop), product, days_ago=2)
    merged = merge_batches(
        owner, [(own, kg(40)), (other, kg(50))], producer=coop, occurred_at=moment(1)
    )
    ship(owner, merged, kg(90), moment(0.5))

    farmers_view = recall_scope(farmer, own)
    cooperatives_view = recall_scope(owner, own)

    assert relations(farmers_view)[merged.code] == Relation.MADE_FROM_IT
    assert other.code not in relations(farmers_view)  # a co-source is not reached by it
    assert (farmers_view.reached, farmers_view.hidden_reaches) == ([], 1)
    assert [reach.shipped for reach in cooperatives_view.reached] == [kg(90)]


def test_only_those_who_may_recall_see_the_scope(stranger, harvested):
    with pytest.raises(PermissionDenied):
        recall_scope(stranger, harvested)


def test_the_scope_takes_the_same_queries_however_wide(
    owner, coop, harvested, plot, product, stall, django_assert_max_num_queries
):
    def widen():
        lot = harvested_lot(owner, coop, plot, product, days_ago=3, quantity=20)
        for part in split_batch(owner, lot, [kg(10), kg(10)], occurred_at=moment(2)):
            ship(owner, part, kg(5), moment(1), to=stall)

    widen()
    with django_assert_max_num_queries(14) as narrow:
        recall_scope(owner, harvested)
    for _ in range(5):
        widen()
    with django_assert_max_num_queries(len(narrow.captured_queries)):
        scope = recall_scope(owner, harvested)
    assert len(scope.reached) == 12


def test_the_admin_shows_the_scope_before_the_recall_is_confirmed(client, owner, harvested, stall):
    from django.contrib.auth.models import Group

    from farms.roles import COOPERATIVE_STAFF_GROUP

    owner.is_staff = True
    owner.save()
    owner.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    halves = split_batch(owner, harvested, [kg(50), kg(50)], occurred_at=moment(0.5))
    ship(owner, halves[1], kg(20), moment(0.4), to=stall)
    client.force_login(owner)
    url = f"/admin/traceability/batch/{halves[0].pk}/recall/"

    page = client.get(url).content.decode()

    assert "Phạm vi cần xem xét khi thu hồi" in page
    assert halves[1].code in page and "Cùng nguồn" in page
    assert "Sạp rau chị Lan" in page and "20" in page
    assert client.post(url, {"reason": "Dư lượng vượt ngưỡng"}).status_code == 302
    halves[0].refresh_from_db()
    assert halves[0].recall_reason == "Dư lượng vượt ngưỡng"
