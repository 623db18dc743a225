"""Field records belong to the land: the crop cycle's planting, fertiliser and spraying
show on every lot harvested from the plot, and land that changes hands keeps its history
(the new holder registers it only after the old one records the handover)."""

import pytest
from django.core.exceptions import ValidationError

from farms.models import Plot
from farms.services import hand_over_plot, save_plot
from tests.factories import (
    ProducerFactory,
    UserFactory,
    error_code,
    harvested_lot,
    kg,
    member,
    moment,
)
from traceability.models import Batch
from traceability.services.batches import create_batch
from traceability.services.events import InputUse, record_event
from traceability.services.trace import load_trace
from traceability.steps import BusinessStep as Step


def field_work(owner, lot, pesticide, planted_days_ago: float):
    record_event(owner, lot, Step.PLANTING, occurred_at=moment(planted_days_ago))
    record_event(owner, lot, Step.FERTILIZING, occurred_at=moment(planted_days_ago - 5))
    record_event(
        owner,
        lot,
        Step.SPRAYING,
        occurred_at=moment(planted_days_ago - 10),
        inputs=[InputUse(agricultural_input=pesticide, dose=kg(20), dose_unit="ml")],
    )


def crop(owner, producer, plot, product):
    return create_batch(owner, producer=producer, product=product, plots=[plot])


def test_the_second_cutting_shows_the_cycles_field_work(owner, coop, plot, product, pesticide):
    last_season = crop(owner, coop, plot, product)
    field_work(owner, last_season, pesticide, planted_days_ago=200)
    record_event(owner, last_season, Step.HARVESTING, occurred_at=moment(150), quantity=kg(40))
    first_cutting = crop(owner, coop, plot, product)
    field_work(owner, first_cutting, pesticide, planted_days_ago=60)
    record_event(owner, first_cutting, Step.HARVESTING, occurred_at=moment(30), quantity=kg(40))

    second_cutting = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=30)

    trace = load_trace(second_cutting)
    diary = sorted((event.business_step, event.batch.code) for event in trace.diary)
    assert diary == [
        (Step.FERTILIZING, first_cutting.code),
        (Step.PLANTING, first_cutting.code),
        (Step.SPRAYING, first_cutting.code),
    ]  # this cycle's, not last season's; the first cutting's harvest is its own
    assert {e.business_step for e in trace.events} >= {Step.PLANTING, Step.SPRAYING}
    assert trace.intact


def test_the_scan_page_shows_the_cycles_spraying(client, owner, coop, plot, product, pesticide):
    first_cutting = crop(owner, coop, plot, product)
    field_work(owner, first_cutting, pesticide, planted_days_ago=50)
    record_event(owner, first_cutting, Step.HARVESTING, occurred_at=moment(20), quantity=kg(40))
    second_cutting = harvested_lot(owner, coop, plot, product, days_ago=1, quantity=30)

    page = client.get(f"/lot/{second_cutting.code}").content.decode()

    assert pesticide.name in page and "Abamectin" in page


@pytest.fixture
def neighbour(db):
    farm = ProducerFactory(name="Hộ ông Năm")
    return farm, member(UserFactory(), farm)


def test_land_changes_hands_only_by_a_handover(owner, coop, plot, neighbour):
    farm, farmer = neighbour
    with pytest.raises(ValidationError) as refused:
        save_plot(farmer, farm, name="Ruộng thuê", geometry=plot.geometry)
    assert error_code(refused.value) == "land_of_another_producer"
    assert coop.name in str(refused.value)

    hand_over_plot(owner, plot, farm, note="Hết hạn thuê")
    again = hand_over_plot(owner, plot, farm, note="Hết hạn thuê")  # a retry
    rented = save_plot(farmer, farm, name="Ruộng thuê", geometry=plot.geometry)

    assert again.to_producer == farm and Plot.objects.filter(producer=farm).get() == rented
    with pytest.raises(ValidationError) as refused:
        hand_over_plot(owner, plot, ProducerFactory())
    assert error_code(refused.value) == "plot_handed_over"


def test_a_handed_over_plot_takes_no_new_crop(owner, coop, plot, product, neighbour):
    hand_over_plot(owner, plot, neighbour[0])
    with pytest.raises(ValidationError) as refused:
        harvested_lot(owner, coop, plot, product)
    assert error_code(refused.value) == "plot_handed_over"
    assert not Batch.objects.exists()


def test_the_new_holder_inherits_the_waiting_period_and_the_diary(
    owner, coop, plot, product, pesticide, neighbour
):
    farm, farmer = neighbour
    sprayed = crop(owner, coop, plot, product)
    field_work(owner, sprayed, pesticide, planted_days_ago=12)  # sprayed 2 days ago
    hand_over_plot(owner, plot, farm)
    rented = save_plot(farmer, farm, name="Ruộng thuê", geometry=plot.geometry)

    lot = harvested_lot(farmer, farm, rented, product, days_ago=0.5, quantity=20)

    lot.refresh_from_db()
    assert lot.on_hold  # harvested 1.5 days after Abamectin (7-day waiting period)
    assert {event.batch.code for event in load_trace(lot).diary} == {sprayed.code}


def test_staff_hand_land_over_on_the_plots_page(admin_client, plot, neighbour):
    url = f"/admin/farms/plot/{plot.pk}/hand-over/"
    assert "Trao đất" in admin_client.get(f"/admin/farms/plot/{plot.pk}/change/").content.decode()
    unknown = admin_client.post(url, {"to_registration_code": "000"}).content.decode()
    assert "Không có cơ sở nào" in unknown

    done = admin_client.post(url, {"to_registration_code": neighbour[0].registration_code})

    assert done.status_code == 302
    plot.refresh_from_db()
    assert plot.handover.to_producer == neighbour[0]
