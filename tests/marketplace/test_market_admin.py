"""Staff verify buyers in the admin but cannot rewrite who a buyer is or who orders."""

from django.contrib.auth.models import Group

from farms.permissions import EXTENSION_STAFF_GROUP
from marketplace.models import Order
from tests import factories


def staff_client(client):
    staff = factories.UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    client.force_login(staff)
    return client, staff


def test_extension_staff_verify_a_buyer_but_cannot_rewrite_it(client, buyer, chef):
    client, staff = staff_client(client)
    page = client.get(f"/admin/marketplace/buyer/{buyer.pk}/change/")
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()  # shown, not editable
    client.post(
        "/admin/marketplace/buyer/",
        {"action": "verify", "_selected_action": [buyer.pk]},
    )
    buyer.refresh_from_db()
    assert buyer.verified_by == staff and buyer.is_verified_business
    rewrite = {"name": "Another business", "members": [staff.pk]}
    client.post(f"/admin/marketplace/buyer/{buyer.pk}/change/", rewrite)
    buyer.refresh_from_db()
    assert buyer.name == "Nhà hàng Sen Hồ Tây"
    assert list(buyer.members.all()) == [chef]


def test_extension_staff_do_not_browse_orders_and_their_addresses(client, buyer, offer, chef):
    from decimal import Decimal

    from marketplace.services.cart import checkout, set_cart_quantity

    set_cart_quantity(chef, buyer, offer, Decimal(2))
    checkout(chef, buyer, fulfilment="delivery")
    client, _staff = staff_client(client)
    assert Order.objects.count() == 1
    assert client.get("/admin/marketplace/order/").status_code == 403


def test_merging_a_lot_with_stock_reserved_for_a_sale_merges_its_free_part(
    client, owner, coop, product, plot, harvested
):
    from django.utils import timezone

    from farms.roles import COOPERATIVE_STAFF_GROUP
    from tests.factories import kg, moment
    from traceability.models import Batch
    from traceability.services.batches import create_batch

    Batch.objects.filter(pk=harvested.pk).update(reserved_quantity=kg(30))
    other = create_batch(
        owner, producer=coop, product=product, plots=[plot], harvested_at=moment(1), quantity=kg(20)
    )
    owner.is_staff = True
    owner.save()
    owner.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    client.force_login(owner)
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    form = {"batches": [harvested.pk, other.pk], "producer": coop.pk, "occurred_at": when}
    assert client.post("/admin/traceability/batch/merge/", form).status_code == 302
    harvested.refresh_from_db()
    merged = Batch.objects.exclude(pk__in=[harvested.pk, other.pk]).get()
    assert (harvested.remaining_quantity, merged.quantity) == (kg(30), kg(90))
