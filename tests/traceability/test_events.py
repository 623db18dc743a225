import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import PlotFactory, kg, moment, ship, trader
from traceability.models import Batch
from traceability.services.batches import create_batch
from traceability.services.events import InputUse, record_event
from traceability.steps import BusinessStep as Step


def open_holds(batch) -> list:
    return list(batch.holds.filter(released_at=None))


def codes(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


def test_a_crop_grows_then_is_harvested(owner, growing, plot):
    record_event(owner, growing, Step.PLANTING, occurred_at=moment(30), plot=plot)
    record_event(owner, growing, Step.FERTILIZING, occurred_at=moment(20), plot=plot)
    record_event(owner, growing, Step.HARVESTING, occurred_at=moment(1), quantity=kg(250))
    growing.refresh_from_db()
    assert growing.status == Batch.Status.ACTIVE
    assert growing.quantity == growing.remaining_quantity == kg(250)
    assert growing.harvest_date == moment(1).date()
    assert list(growing.events.values_list("sequence", flat=True)) == [1, 2, 3]


def test_a_harvested_batch_records_its_harvest_event(harvested):
    harvest = harvested.events.get()
    assert harvest.business_step == Step.HARVESTING
    assert harvest.action == "ADD"
    assert harvest.quantity == kg(100)


@pytest.mark.parametrize(
    ("step", "days_ago", "code"),
    [
        (Step.SHIPPING, 5, "not_harvested"),
        (Step.SELLING, 5, "not_harvested"),
        (Step.PACKING, 1, "not_harvested"),
    ],
)
def test_post_harvest_steps_need_a_harvest(owner, growing, step, days_ago, code):
    with pytest.raises(ValidationError) as refused:
        record_event(
            owner, growing, step, occurred_at=moment(days_ago), party=trader(growing.producer)
        )
    assert codes(refused.value) == {code}
    assert not growing.events.exists()


def test_no_shipping_before_the_harvest_time(owner, harvested):
    with pytest.raises(ValidationError) as refused:
        ship(owner, harvested, kg(1), moment(3))
    assert codes(refused.value) == {"event_order"}


def test_no_field_work_after_the_harvest(owner, harvested, plot):
    with pytest.raises(ValidationError) as refused:
        record_event(owner, harvested, Step.FERTILIZING, occurred_at=moment(0.5), plot=plot)
    assert codes(refused.value) == {"event_order"}
    # Back-filling the farm diary before the harvest is fine.
    record_event(owner, harvested, Step.FERTILIZING, occurred_at=moment(10), plot=plot)


def test_a_batch_is_harvested_once_and_after_its_field_work(owner, growing, harvested):
    with pytest.raises(ValidationError) as refused:
        record_event(owner, harvested, Step.HARVESTING, occurred_at=moment(0.25), quantity=kg(5))
    assert codes(refused.value) == {"already_harvested"}
    record_event(owner, growing, Step.IRRIGATING, occurred_at=moment(2))
    with pytest.raises(ValidationError) as refused:
        record_event(owner, growing, Step.HARVESTING, occurred_at=moment(3), quantity=kg(5))
    assert codes(refused.value) == {"event_order"}


def test_receiving_needs_a_shipping_first(owner, harvested):
    with pytest.raises(ValidationError) as refused:
        record_event(owner, harvested, Step.RECEIVING, occurred_at=moment(0.25))
    assert codes(refused.value) == {"not_shipped"}
    ship(owner, harvested, kg(50), moment(0.3))
    record_event(owner, harvested, Step.RECEIVING, occurred_at=moment(0.25))


def test_events_cannot_be_in_the_future_or_without_time_zone(owner, harvested):
    with pytest.raises(ValidationError) as refused:
        record_event(owner, harvested, Step.STORING, occurred_at=moment(-1))
    assert codes(refused.value) == {"future_event"}
    with pytest.raises(ValidationError) as refused:
        record_event(owner, harvested, Step.STORING, occurred_at=moment(0).replace(tzinfo=None))
    assert codes(refused.value) == {"naive_time"}


def test_a_harvest_needs_a_quantity(owner, growing):
    with pytest.raises(ValidationError) as refused:
        record_event(owner, growing, Step.HARVESTING, occurred_at=moment(1))
    assert codes(refused.value) == {"quantity_required"}
    growing.refresh_from_db()
    assert growing.status == Batch.Status.GROWING


def test_field_work_must_be_on_the_batch_s_own_plots(owner, growing, coop):
    elsewhere = PlotFactory(producer=coop)
    with pytest.raises(ValidationError) as refused:
        record_event(owner, growing, Step.SPRAYING, occurred_at=moment(3), plot=elsewhere)
    assert codes(refused.value) == {"foreign_plot"}


def test_strangers_cannot_record_events(stranger, harvested):
    with pytest.raises(PermissionDenied):
        record_event(stranger, harvested, Step.STORING, occurred_at=moment(0.25))
    assert harvested.events.count() == 1


def test_the_same_event_sent_twice_is_recorded_once(owner, harvested):
    import uuid

    key = uuid.uuid4()
    first = record_event(owner, harvested, Step.STORING, occurred_at=moment(0.25), event_uuid=key)
    again = record_event(owner, harvested, Step.STORING, occurred_at=moment(0.25), event_uuid=key)
    assert first.pk == again.pk
    assert harvested.events.count() == 2


def test_transformation_steps_cannot_be_recorded_directly(owner, harvested):
    with pytest.raises(ValidationError) as refused:
        record_event(owner, harvested, Step.RECALLING, occurred_at=moment(0.25))
    assert codes(refused.value) == {"invalid_step"}


class TestPreHarvestInterval:
    def spray(self, owner, batch, pesticide, days_ago, plot=None):
        return record_event(
            owner,
            batch,
            Step.SPRAYING,
            occurred_at=moment(days_ago),
            plot=plot,
            inputs=[InputUse(agricultural_input=pesticide, dose=kg(20), dose_unit="ml/bình 16 l")],
        )

    def test_a_harvest_inside_the_waiting_period_is_recorded_and_held(
        self, owner, growing, pesticide
    ):
        self.spray(owner, growing, pesticide, days_ago=3)
        record_event(owner, growing, Step.HARVESTING, occurred_at=moment(0.25), quantity=kg(9))
        growing.refresh_from_db()
        assert growing.status == Batch.Status.ACTIVE and growing.on_hold
        (hold,) = open_holds(growing)
        assert hold.reason == "pre_harvest_interval" and pesticide.name in hold.explanation
        steps = list(growing.events.order_by("sequence").values_list("business_step", flat=True))
        assert steps == [Step.SPRAYING, Step.HARVESTING, Step.HOLDING]

    def test_harvest_after_the_waiting_period_is_accepted(self, owner, growing, pesticide):
        self.spray(owner, growing, pesticide, days_ago=8)
        record_event(owner, growing, Step.HARVESTING, occurred_at=moment(0.25), quantity=kg(9))
        assert (
            growing.events.get(business_step=Step.SPRAYING).inputs.get().pre_harvest_interval_days
            == 7
        )

    def test_a_spraying_synced_after_the_harvest_is_recorded_and_holds_it(
        self, owner, harvested, pesticide
    ):
        self.spray(owner, harvested, pesticide, days_ago=9)  # outside the window: no hold
        assert not open_holds(harvested)
        self.spray(owner, harvested, pesticide, days_ago=4)  # typed on a phone days later
        harvested.refresh_from_db()
        assert harvested.on_hold and open_holds(harvested)[0].reason == "pre_harvest_interval"

    def test_spraying_a_plot_holds_back_every_crop_on_it(
        self, owner, coop, product, plot, pesticide
    ):
        cut_one = create_batch(owner, producer=coop, product=product, plots=[plot])
        cut_two = create_batch(owner, producer=coop, product=product, plots=[plot])
        self.spray(owner, cut_one, pesticide, days_ago=2, plot=plot)
        record_event(owner, cut_two, Step.HARVESTING, occurred_at=moment(0.25), quantity=kg(3))
        assert open_holds(cut_two) and not open_holds(cut_one)

    def test_a_hand_given_interval_can_lengthen_but_never_shorten(self, owner, growing, pesticide):
        record_event(
            owner,
            growing,
            Step.SPRAYING,
            occurred_at=moment(8),
            inputs=[InputUse(agricultural_input=pesticide, pre_harvest_interval_days=0)],
        )
        assert growing.events.get().inputs.get().pre_harvest_interval_days == 7
        record_event(
            owner,
            growing,
            Step.SPRAYING,
            occurred_at=moment(9),
            inputs=[InputUse(agricultural_input=pesticide, pre_harvest_interval_days=14)],
        )
        record_event(owner, growing, Step.HARVESTING, occurred_at=moment(0.2), quantity=kg(9))
        assert "14" in open_holds(growing)[0].explanation

    def test_a_typed_name_is_matched_against_the_catalogue(self, owner, growing, pesticide):
        record_event(
            owner,
            growing,
            Step.SPRAYING,
            occurred_at=moment(3),
            inputs=[InputUse(name=pesticide.name.upper())],
        )
        record_event(owner, growing, Step.HARVESTING, occurred_at=moment(0.2), quantity=kg(9))
        assert open_holds(growing)

    def test_an_unknown_pesticide_needs_its_interval(self, owner, growing):
        with pytest.raises(ValidationError) as refused:
            record_event(
                owner,
                growing,
                Step.SPRAYING,
                occurred_at=moment(5),
                inputs=[InputUse(name="Thuốc lạ không rõ nguồn gốc")],
            )
        assert codes(refused.value) == {"interval_required"}
        record_event(
            owner,
            growing,
            Step.SPRAYING,
            occurred_at=moment(5),
            inputs=[InputUse(name="Chế phẩm sinh học", pre_harvest_interval_days=0)],
        )
        record_event(
            owner,
            growing,
            Step.FERTILIZING,
            occurred_at=moment(4),
            inputs=[InputUse(name="Phân chuồng ủ hoai")],
        )
        record_event(owner, growing, Step.HARVESTING, occurred_at=moment(0.2), quantity=kg(9))
        assert growing.events.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_spraying_and_a_harvest_at_the_same_moment_on_one_plot_see_each_other(
    owner, coop, product, plot, pesticide
):
    import threading

    from django.db import connection

    cut_one = create_batch(owner, producer=coop, product=product, plots=[plot])
    cut_two = create_batch(owner, producer=coop, product=product, plots=[plot])
    barrier, outcomes = threading.Barrier(2), []

    def attempt(action):
        barrier.wait()
        try:
            action()
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(codes(error).pop())
        finally:
            connection.close()

    def spray():
        return record_event(
            owner,
            cut_one,
            Step.SPRAYING,
            occurred_at=moment(0.3),
            plot=plot,
            inputs=[InputUse(agricultural_input=pesticide)],
        )

    def harvest():
        return record_event(
            owner,
            cut_two,
            Step.HARVESTING,
            occurred_at=moment(0.2),
            quantity=kg(3),
        )

    threads = [threading.Thread(target=attempt, args=(a,)) for a in (spray, harvest)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["ok", "ok"]  # both facts are recorded, and whichever came second
    cut_two.refresh_from_db()  # saw the first: the harvest is held either way
    assert cut_two.on_hold


def test_no_step_handles_more_than_the_batch_holds(owner, harvested):
    with pytest.raises(ValidationError) as refused:
        ship(owner, harvested, kg(1_000_000), moment(0.5))
    assert codes(refused.value) == {"quantity_exceeds_stock"}
    ship(owner, harvested, kg(100), moment(0.5))


def test_one_shipping_is_received_once(owner, harvested):
    ship(owner, harvested, kg(50), moment(0.5))
    record_event(owner, harvested, Step.RECEIVING, occurred_at=moment(0.3))
    with pytest.raises(ValidationError) as refused:
        record_event(owner, harvested, Step.RECEIVING, occurred_at=moment(0.4))
    assert codes(refused.value) == {"not_shipped"}
