"""The admin is usable by each kind of staff, and shows each only what they may see."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from farms.models import Plot
from farms.roles import COOPERATIVE_STAFF_GROUP
from tests.factories import (
    DONG_ANH,
    PlotFactory,
    ProducerFactory,
    UserFactory,
    kg,
    member,
    moment,
    square,
    trader,
)
from traceability.models import Batch
from traceability.services.batches import create_batch

ADMIN_MODELS = [
    "accounts/user",
    "farms/producer",
    "farms/membership",
    "farms/plot",
    "farms/plothandover",
    "farms/certification",
    "farms/place",
    "farms/product",
    "farms/agriculturalinput",
    "traceability/batch",
    "traceability/traceevent",
    "traceability/labelsheet",
    "traceability/label",
    "traceability/scan",
    "traceability/hold",
    "traceability/party",
    "traceability/recallnotice",
]


@pytest.fixture
def cooperative_staff(owner):
    owner.is_staff = True
    owner.save()
    owner.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    return owner


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_every_model_has_a_working_admin(admin_client, harvested, model):
    assert admin_client.get(f"/admin/{model}/").status_code == 200
    assert admin_client.get(f"/admin/{model}/?q=x").status_code == 200


def test_batch_pages_and_actions_open(admin_client, harvested):
    assert admin_client.get(f"/admin/traceability/batch/{harvested.pk}/change/").status_code == 200
    for action in ["event", "split", "transform", "labels", "recall", "release", "withdraw"]:
        response = admin_client.get(f"/admin/traceability/batch/{harvested.pk}/{action}/")
        assert response.status_code == 200, action
    assert admin_client.get("/admin/traceability/batch/merge/").status_code == 200
    assert admin_client.get("/admin/traceability/batch/add/").status_code == 200
    assert admin_client.get("/admin/farms/plot/add/").status_code == 200


def test_cooperative_staff_see_only_their_own_batches(client, cooperative_staff, harvested):
    other = ProducerFactory()
    other_owner = member(UserFactory(), other)
    foreign = create_batch(
        other_owner,
        producer=other,
        product=harvested.product,
        plots=[PlotFactory(producer=other)],
        harvested_at=moment(1),
        quantity=kg(3),
    )
    client.force_login(cooperative_staff)
    listing = client.get("/admin/traceability/batch/").content.decode()
    assert harvested.code in listing and foreign.code not in listing
    assert client.get(f"/admin/traceability/batch/{foreign.pk}/change/").status_code == 302
    assert client.get(f"/admin/traceability/batch/{foreign.pk}/split/").status_code == 404


def test_an_event_recorded_in_the_admin_goes_through_the_rules(
    client, cooperative_staff, harvested
):
    client.force_login(cooperative_staff)
    url = f"/admin/traceability/batch/{harvested.pk}/event/"
    partner = trader(harvested.producer).pk
    too_early = moment(3).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url, {"business_step": "shipping", "occurred_at": too_early, "party": partner}
    )
    assert response.status_code == 200
    assert "không thể diễn ra trước" in response.content.decode()
    assert harvested.events.count() == 1
    later = moment(0.5).strftime("%Y-%m-%dT%H:%M")
    shipping = {"business_step": "shipping", "occurred_at": later, "quantity": "10"}
    assert "Hãy ghi hàng đi đến" in client.post(url, shipping).content.decode()
    response = client.post(url, {**shipping, "party": partner})
    assert response.status_code == 302
    assert harvested.events.count() == 2
    assert harvested.events.last().party.name == trader(harvested.producer).name


def test_an_overlapping_plot_is_a_form_error_not_a_crash(client, cooperative_staff, coop):
    client.force_login(cooperative_staff)
    PlotFactory(producer=coop, geometry=square(*DONG_ANH, 100))
    response = client.post(
        reverse("admin:farms_plot_add"),
        {
            "producer": coop.pk,
            "name": "Chồng lấn",
            "geometry": square(*DONG_ANH, 50).ewkt,  # with its SRID: else read as the map's
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors["geometry"]] == ["overlap"]
    assert Plot.objects.count() == 1


def test_a_batch_created_in_the_admin_is_harvested_by_the_service(
    client, cooperative_staff, coop, plot, product
):
    client.force_login(cooperative_staff)
    response = client.post(
        reverse("admin:traceability_batch_add"),
        {
            "producer": coop.pk,
            "product": product.pk,
            "plots": [plot.pk],
            "harvested_at": moment(1).strftime("%Y-%m-%dT%H:%M"),
            "quantity": "42",
        },
    )
    assert response.status_code == 302
    batch = Batch.objects.get()
    assert batch.quantity == kg(42) and batch.events.count() == 1


def test_a_member_farm_saving_its_profile_stays_in_its_cooperative(client, coop):
    from farms.models import Producer

    farm = ProducerFactory(kind=Producer.Kind.HOUSEHOLD, cooperative=coop, name="Hộ bà Năm")
    farmer = member(UserFactory(is_staff=True), farm)
    farmer.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    client.force_login(farmer)
    page = client.get(f"/admin/farms/producer/{farm.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            "name": "Hộ bà Năm (đổi tên)",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"/admin/farms/producer/{farm.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    farm.refresh_from_db()
    assert farm.name == "Hộ bà Năm (đổi tên)" and farm.cooperative == coop


def test_a_place_without_a_producer_is_a_form_error_for_cooperative_staff(
    client, cooperative_staff, coop
):
    from farms.models import Place

    client.force_login(cooperative_staff)
    form = {"kind": "packing_house", "name": "Nhà sơ chế", "province": "Hà Nội"}
    response = client.post(reverse("admin:farms_place_add"), form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors["producer"]] == ["producer_required"]
    assert not Place.objects.exists()
    response = client.post(reverse("admin:farms_place_add"), {**form, "producer": coop.pk})
    assert response.status_code == 302
    assert Place.objects.get().producer == coop


def test_platform_staff_may_add_a_market_no_producer_runs(admin_client):
    from farms.models import Place

    form = {"kind": "market", "name": "Chợ đầu mối Long Biên", "province": "Hà Nội"}
    assert admin_client.post(reverse("admin:farms_place_add"), form).status_code == 302
    place = Place.objects.get()
    assert admin_client.get(reverse("admin:farms_place_change", args=[place.pk])).status_code == 200
