import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from farms.models import Producer
from tests.factories import (
    PlotFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
    converts,
    kg,
    member,
    moment,
)
from traceability.models import Batch, BatchLink
from traceability.services.batches import create_batch, recall_batch
from traceability.services.events import record_event
from traceability.services.trace import ancestor_ids, load_trace
from traceability.services.transformations import merge_batches, split_batch, transform_batches
from traceability.steps import BusinessStep as Step


def test_split_takes_from_the_parent_and_links_children(owner, harvested):
    children = split_batch(owner, harvested, [kg(30), kg(20)], occurred_at=moment(0.5))
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == kg(50)
    assert [c.quantity for c in children] == [kg(30), kg(20)]
    assert {c.harvest_date for c in children} == {harvested.harvest_date}
    assert BatchLink.objects.filter(parent=harvested).count() == 2
    for child in children:
        genesis = child.events.get()
        assert genesis.event_type == "TransformationEvent"
        assert genesis.details["inputs"] == [{"lot": harvested.code, "quantity": "50.000"}]


def test_splitting_everything_depletes_the_parent(owner, harvested):
    split_batch(owner, harvested, [kg(60), kg(40)], occurred_at=moment(0.5))
    harvested.refresh_from_db()
    assert harvested.status == Batch.Status.DEPLETED
    assert harvested.remaining_quantity == 0


def test_splitting_more_than_is_left_changes_nothing(owner, harvested):
    with pytest.raises(ValidationError) as refused:
        split_batch(owner, harvested, [kg(60), kg(41)], occurred_at=moment(0.5))
    assert refused.value.error_dict["quantity"][0].code == "insufficient_quantity"
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == kg(100)
    assert Batch.objects.count() == 1
    assert harvested.events.count() == 1


def test_a_growing_crop_cannot_be_split(owner, growing):
    with pytest.raises(ValidationError):
        split_batch(owner, growing, [kg(1), kg(1)], occurred_at=moment(0.5))


def test_remaining_quantity_can_never_go_negative_in_the_database(harvested):
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.filter(pk=harvested.pk).update(remaining_quantity=-1)


def test_a_cooperative_merges_its_member_farms_batches(coop, owner, product):
    farms = [ProducerFactory(kind=Producer.Kind.HOUSEHOLD, cooperative=coop) for _ in range(2)]
    batches = [
        create_batch(
            owner,
            producer=farm,
            product=product,
            plots=[PlotFactory(producer=farm)],
            harvested_at=moment(2),
            quantity=kg(40),
        )
        for farm in farms
    ]
    merged = merge_batches(
        owner, [(batches[0], kg(40)), (batches[1], kg(25))], producer=coop, occurred_at=moment(1)
    )
    assert merged.producer == coop
    assert merged.quantity == kg(65)
    trace = load_trace(merged)
    assert {p.producer for p in trace.plots} == set(farms)
    assert trace.intact


def test_only_one_product_can_be_merged(owner, coop, harvested, plot):
    other = create_batch(
        owner,
        producer=coop,
        product=ProductFactory(),
        plots=[plot],
        harvested_at=moment(1),
        quantity=kg(5),
    )
    with pytest.raises(ValidationError) as refused:
        merge_batches(
            owner, [(harvested, kg(1)), (other, kg(1))], producer=coop, occurred_at=moment(0.5)
        )
    assert refused.value.error_dict["parts"][0].code == "mixed_products"


def test_transform_walks_back_to_the_plots(owner, harvested, plot):
    packed_rice = ProductFactory(code="gao-tui-5kg", name_vi="Gạo túi 5 kg", unit="qua")
    converts(harvested.product, packed_rice, "0.15", "0.2")
    bags = transform_batches(
        owner, [(harvested, kg(100))], product=packed_rice, quantity=kg(18), occurred_at=moment(0.5)
    )
    halves = split_batch(owner, bags, [kg(9), kg(9)], occurred_at=moment(0.4))
    assert set(ancestor_ids(halves[0].pk)) == {bags.pk, harvested.pk}
    trace = load_trace(halves[0])
    assert trace.plots == [plot]
    assert bags.produced_on == moment(0.5).date()
    assert bags.harvest_date == harvested.harvest_date
    steps = [e.business_step for e in trace.events]
    assert steps == [Step.HARVESTING, Step.PROCESSING, Step.REPACKAGING]


def test_strangers_cannot_split_or_transform(stranger, harvested, product):
    with pytest.raises(PermissionDenied):
        split_batch(stranger, harvested, [kg(1), kg(1)], occurred_at=moment(0.5))
    with pytest.raises(PermissionDenied):
        transform_batches(
            stranger, [(harvested, kg(1))], product=product, quantity=kg(1), occurred_at=moment(0.5)
        )


def test_recall_reaches_everything_made_from_the_batch(coop, harvested):
    manager = member(UserFactory(), coop, "manager")
    children = split_batch(manager, harvested, [kg(10), kg(10)], occurred_at=moment(0.5))
    recalled = recall_batch(manager, harvested, "Dư lượng thuốc vượt ngưỡng")
    assert {b.pk for b in recalled} == {harvested.pk, *(c.pk for c in children)}
    for batch in Batch.objects.all():
        assert batch.status == Batch.Status.RECALLED
        assert batch.events.order_by("sequence").last().business_step == Step.RECALLING
    with pytest.raises(ValidationError):
        record_event(manager, children[0], Step.SHIPPING, occurred_at=moment(0.1))


def test_plain_members_cannot_recall(owner, coop, harvested):
    plain = member(UserFactory(), coop, "member")
    with pytest.raises(PermissionDenied):
        recall_batch(plain, harvested, "x")


@pytest.mark.django_db(transaction=True)
def test_concurrent_splits_never_oversell(owner, harvested):
    """Two staff split the last 100 kg at the same moment: one wins, one is refused."""
    outcomes, barrier = [], threading.Barrier(2)

    def attempt():
        barrier.wait()
        try:
            split_batch(owner, harvested, [kg(40), kg(30)], occurred_at=moment(0.5))
            outcomes.append("split")
        except ValidationError as error:
            outcomes.append(error.error_dict["quantity"][0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    harvested.refresh_from_db()
    assert sorted(outcomes) == ["insufficient_quantity", "split"]
    assert harvested.remaining_quantity == kg(30)


def test_a_transformation_id_never_returns_someone_elses_batches(owner, harvested, stranger):
    import uuid

    secret = uuid.uuid4()
    victims = split_batch(
        owner, harvested, [kg(10), kg(10)], occurred_at=moment(0.5), transformation_id=secret
    )
    replay = split_batch(
        owner, harvested, [kg(10), kg(10)], occurred_at=moment(0.5), transformation_id=secret
    )
    assert [b.pk for b in replay] == [b.pk for b in victims]  # the owner's own retry
    other = stranger.memberships.get().producer
    theirs = create_batch(
        stranger,
        producer=other,
        product=harvested.product,
        plots=[PlotFactory(producer=other)],
        harvested_at=moment(1),
        quantity=kg(5),
    )
    with pytest.raises(ValidationError) as refused:
        split_batch(
            stranger, theirs, [kg(1), kg(1)], occurred_at=moment(0.5), transformation_id=secret
        )
    assert refused.value.error_dict["client_id"][0].code == "uuid_taken"
    assert Batch.objects.filter(producer=other).count() == 1


def test_a_batch_is_recalled_once(owner, harvested):
    recall_batch(owner, harvested, "Nhiễm khuẩn")
    with pytest.raises(ValidationError) as refused:
        recall_batch(owner, harvested, "Lần hai")
    assert refused.value.error_dict["batch_id"][0].code == "already_recalled"
    assert harvested.events.filter(business_step=Step.RECALLING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_recall_racing_a_split_reaches_the_new_halves(owner, harvested):
    barrier = threading.Barrier(2)

    def split():
        barrier.wait()
        try:
            split_batch(owner, harvested, [kg(30), kg(30)], occurred_at=moment(0.5))
        except ValidationError:
            pass  # the recall came first: nothing is split
        finally:
            connection.close()

    def recall():
        barrier.wait()
        try:
            recall_batch(owner, harvested, "Dư lượng thuốc")
        finally:
            connection.close()

    threads = [threading.Thread(target=split), threading.Thread(target=recall)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(Batch.objects.values_list("status", flat=True)) == {Batch.Status.RECALLED}
