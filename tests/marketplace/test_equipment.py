"""Equipment sharing: listing, booking whole days, cancelling; no day is ever sold twice."""

import datetime
import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from farms.models import Membership, Producer
from marketplace.models import Equipment, EquipmentBooking
from marketplace.services.equipment import (
    MAX_DAILY_PRICE,
    available_equipment,
    book_equipment,
    bookings_for,
    cancel_booking,
    days_of,
    first_and_last,
    save_equipment,
)
from tests.factories import ProducerFactory, UserFactory, member
from tests.marketplace.conftest import PRICE, day


def shown(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def refusal(error: ValidationError) -> tuple[str, str, str]:
    """(field, code, message) of a service's single refusal."""
    [(field, [item])] = error.error_dict.items()
    return field, item.code, " ".join(item.messages)


@pytest.fixture
def farm(db):
    return ProducerFactory(
        kind=Producer.Kind.HOUSEHOLD, name="Hộ ông Tư", commune="Phù Linh", district="Sóc Sơn"
    )


@pytest.fixture
def farmer(farm):
    """A plain member of a household farm: enough to book for it."""
    return member(UserFactory(), farm, Membership.Role.MEMBER)


def book(user, equipment, producer, first: int, last: int, **kwargs) -> EquipmentBooking:
    return book_equipment(
        user, equipment, booked_for=producer, first_day=day(first), last_day=day(last), **kwargs
    )


def test_a_booking_costs_the_daily_price_times_the_days(farmer, farm, tractor):
    booking = book(farmer, tractor, farm, 3, 5, note="  Cày ruộng sau nhà  ")
    booking.refresh_from_db()
    assert booking.total_price == 3 * PRICE
    assert booking.days == days_of(day(3), day(5))
    assert booking.days.upper == day(6)  # half-open: the day after the last day
    assert first_and_last(booking.days) == (day(3), day(5))
    assert booking.status == EquipmentBooking.Status.BOOKED
    assert (booking.booked_by, booking.booked_for, booking.note) == (
        farmer,
        farm,
        "Cày ruộng sau nhà",
    )


def test_a_one_day_booking_costs_one_day(farmer, farm, tractor):
    assert book(farmer, tractor, farm, 0, 0).total_price == PRICE


def test_a_later_price_change_does_not_change_a_booking(owner, coop, farmer, farm, tractor):
    booking = book(farmer, tractor, farm, 3, 4)
    save_equipment(
        owner, producer=coop, kind="tractor", name=tractor.name, daily_price=1, equipment=tractor
    )
    booking.refresh_from_db()
    assert booking.total_price == 2 * PRICE
    assert book(farmer, tractor, farm, 5, 6).total_price == 2


def test_the_same_client_id_sent_again_returns_the_first_booking(farmer, farm, tractor):
    client_id = uuid.uuid4()
    first = book(farmer, tractor, farm, 3, 5, booking_uuid=client_id)
    again = book(farmer, tractor, farm, 3, 5, booking_uuid=client_id)
    assert again.pk == first.pk and again.uuid == client_id
    assert EquipmentBooking.objects.count() == 1


def test_a_client_id_cannot_return_a_booking_of_other_equipment(owner, coop, farmer, farm, tractor):
    dryer = save_equipment(owner, producer=coop, kind="dryer", name="Máy sấy", daily_price=5)
    client_id = uuid.uuid4()
    book(farmer, tractor, farm, 3, 5, booking_uuid=client_id)
    with pytest.raises(ValidationError) as refused:
        book(farmer, dryer, farm, 3, 5, booking_uuid=client_id)
    assert refusal(refused.value)[:2] == ("client_id", "uuid_taken")
    assert not dryer.bookings.exists()


@pytest.mark.parametrize(
    ("first", "last"),
    [(3, 5), (1, 3), (5, 9), (4, 4), (2, 7)],
    ids=["same", "ends-on-first-day", "starts-on-last-day", "inside", "around"],
)
def test_overlapping_days_are_refused_naming_the_booked_days(
    farmer, farm, tractor, stranger, first, last
):
    book(farmer, tractor, farm, 3, 5)
    other = stranger.memberships.get().producer
    with pytest.raises(ValidationError) as refused:
        book(stranger, tractor, other, first, last)
    field, code, message = refusal(refused.value)
    assert (field, code) == ("first_day", "already_booked")
    assert shown(day(3)) in message and shown(day(5)) in message
    assert EquipmentBooking.objects.count() == 1


def test_back_to_back_bookings_do_not_overlap(farmer, farm, tractor, stranger):
    other = stranger.memberships.get().producer
    book(farmer, tractor, farm, 3, 5)
    book(stranger, tractor, other, 6, 8)  # starts the day after the last day
    book(stranger, tractor, other, 1, 2)  # ends the day before the first day
    assert EquipmentBooking.objects.filter(status="booked").count() == 3


def test_the_same_days_on_other_equipment_are_fine(owner, coop, farmer, farm, tractor):
    drone = save_equipment(
        owner, producer=coop, kind="drone_sprayer", name="DJI Agras T30", daily_price=1_500_000
    )
    book(farmer, tractor, farm, 3, 5)
    assert book(farmer, drone, farm, 3, 5).total_price == 4_500_000


def test_a_refused_overlap_leaves_the_callers_transaction_usable(farmer, farm, tractor):
    from django.db import transaction

    book(farmer, tractor, farm, 3, 5)
    with transaction.atomic():
        with pytest.raises(ValidationError):
            book(farmer, tractor, farm, 4, 4)
        later = book(farmer, tractor, farm, 6, 6)  # would fail if the transaction were broken
    assert EquipmentBooking.objects.filter(pk=later.pk).exists()


def test_a_cancelled_booking_frees_its_days(farmer, farm, tractor, stranger):
    other = stranger.memberships.get().producer
    booking = book(farmer, tractor, farm, 3, 5)
    cancelled = cancel_booking(farmer, booking, "Trời mưa, hoãn cày")
    assert cancelled.status == EquipmentBooking.Status.CANCELLED
    assert cancelled.cancelled_by == farmer
    assert cancelled.note == "Trời mưa, hoãn cày"
    taken_over = book(stranger, tractor, other, 4, 6)
    assert taken_over.status == EquipmentBooking.Status.BOOKED


def test_a_booking_is_cancelled_once(farmer, farm, tractor):
    booking = book(farmer, tractor, farm, 3, 5)
    cancel_booking(farmer, booking)
    with pytest.raises(ValidationError) as refused:
        cancel_booking(farmer, booking)
    assert refusal(refused.value)[:2] == ("booking_id", "already_cancelled")


def test_the_reason_is_kept_after_the_note(farmer, farm, tractor):
    booking = book(farmer, tractor, farm, 3, 5, note="x" * 300)
    cancelled = cancel_booking(farmer, booking, "Máy hỏng")
    assert cancelled.note.endswith("…\nMáy hỏng") and len(cancelled.note) <= 300
    with pytest.raises(ValidationError) as refused:
        cancel_booking(farmer, book(farmer, tractor, farm, 6, 6), "x" * 201)
    assert refusal(refused.value)[1] == "reason_too_long"


@pytest.mark.parametrize(("first", "last"), [(-5, -3), (-1, 2)], ids=["past", "under-way"])
def test_a_booking_that_began_cannot_be_cancelled(farmer, farm, tractor, first, last):
    # Made directly: the service would refuse days in the past.
    booking = EquipmentBooking.objects.create(
        equipment=tractor,
        booked_for=farm,
        booked_by=farmer,
        days=days_of(day(first), day(last)),
        total_price=PRICE,
    )
    with pytest.raises(ValidationError) as refused:
        cancel_booking(farmer, booking)
    field, code, message = refusal(refused.value)
    assert (field, code) == ("booking_id", "booking_started")
    assert shown(day(first)) in message
    booking.refresh_from_db()
    assert booking.status == EquipmentBooking.Status.BOOKED


def test_a_booking_starting_today_can_still_be_cancelled(farmer, farm, tractor):
    booking = book(farmer, tractor, farm, 0, 2)
    assert cancel_booking(farmer, booking).status == EquipmentBooking.Status.CANCELLED


def test_the_owner_may_cancel_a_booking_of_its_equipment(owner, farmer, farm, tractor):
    booking = book(farmer, tractor, farm, 3, 5)
    assert cancel_booking(owner, booking, "Máy phải đi bảo dưỡng").cancelled_by == owner


def test_a_plain_member_of_the_owner_may_not_cancel_others_bookings(coop, farmer, farm, tractor):
    driver = member(UserFactory(), coop, Membership.Role.MEMBER)
    booking = book(farmer, tractor, farm, 3, 5)
    with pytest.raises(PermissionDenied):
        cancel_booking(driver, booking)


def test_a_stranger_cannot_cancel_someone_elses_booking(farmer, farm, tractor, stranger):
    booking = book(farmer, tractor, farm, 3, 5)
    with pytest.raises(PermissionDenied):
        cancel_booking(stranger, booking)
    booking.refresh_from_db()
    assert booking.status == EquipmentBooking.Status.BOOKED


def test_a_stranger_cannot_book_for_a_producer_they_do_not_belong_to(farm, tractor, stranger):
    with pytest.raises(PermissionDenied):
        book(stranger, tractor, farm, 3, 5)
    assert not EquipmentBooking.objects.exists()


def test_a_cooperative_manager_books_for_a_member_farm(owner, coop, farm, tractor):
    farm.cooperative = coop
    farm.save()
    assert book(owner, tractor, farm, 3, 5).booked_for == farm


def test_owners_may_book_their_own_equipment_to_keep_days(owner, coop, farmer, farm, tractor):
    kept = book(owner, tractor, coop, 3, 5, note="Cày ruộng của hợp tác xã")
    assert kept.booked_for == coop
    assert tractor not in available_equipment(first_day=day(4), last_day=day(4))
    with pytest.raises(ValidationError):
        book(farmer, tractor, farm, 5, 6)


@pytest.mark.parametrize(
    ("first", "last", "field", "code"),
    [
        (5, 3, "last_day", "invalid_range"),
        (-1, 2, "first_day", "past_date"),
        (1, 61, "last_day", "booking_too_long"),
        (360, 370, "last_day", "too_far_ahead"),
    ],
)
def test_implausible_days_are_refused(farmer, farm, tractor, first, last, field, code):
    with pytest.raises(ValidationError) as refused:
        book(farmer, tractor, farm, first, last)
    assert refusal(refused.value)[:2] == (field, code)
    assert not EquipmentBooking.objects.exists()


def test_sixty_days_is_the_longest_booking(farmer, farm, tractor):
    assert book(farmer, tractor, farm, 1, 60).total_price == 60 * PRICE


def test_inactive_equipment_and_long_notes_are_refused(owner, coop, farmer, farm, tractor):
    with pytest.raises(ValidationError) as refused:
        book(farmer, tractor, farm, 1, 1, note="x" * 301)
    assert refusal(refused.value)[:2] == ("note", "note_too_long")
    save_equipment(
        owner,
        producer=coop,
        kind="tractor",
        name=tractor.name,
        daily_price=PRICE,
        active=False,
        equipment=tractor,
    )
    with pytest.raises(ValidationError) as refused:
        book(farmer, tractor, farm, 1, 1)
    assert refusal(refused.value)[:2] == ("equipment_id", "equipment_inactive")


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"daily_price": 0}, "daily_price", "invalid_price"),
        ({"daily_price": -5}, "daily_price", "invalid_price"),
        ({"daily_price": MAX_DAILY_PRICE + 1}, "daily_price", "price_too_high"),
        ({"name": "   "}, "name", "name_required"),
        ({"name": "x" * 151}, "name", "name_too_long"),
        ({"kind": "spaceship"}, "kind", "invalid_kind"),
        ({"description": "x" * 2001}, "description", "description_too_long"),
    ],
)
def test_equipment_must_be_plausible(owner, coop, changes, field, code):
    fields = {"kind": "dryer", "name": "Lò sấy", "daily_price": 300_000, **changes}
    with pytest.raises(ValidationError) as refused:
        save_equipment(owner, producer=coop, **fields)
    assert refusal(refused.value)[:2] == (field, code)
    assert not Equipment.objects.exists()


def test_the_price_ceiling_itself_is_accepted(owner, coop):
    saved = save_equipment(
        owner, producer=coop, kind="cold_store", name="Kho lạnh", daily_price=MAX_DAILY_PRICE
    )
    assert saved.daily_price == MAX_DAILY_PRICE


def test_equipment_is_changed_in_place_and_keeps_its_owner(owner, coop, tractor):
    changed = save_equipment(
        owner,
        producer=coop,
        kind="tractor",
        name="  Máy cày Kubota (mới thay lốp) ",
        daily_price=900_000,
        description="Có người lái",
        equipment=tractor,
    )
    assert (changed.pk, changed.uuid) == (tractor.pk, tractor.uuid)
    tractor.refresh_from_db()
    assert (tractor.name, tractor.daily_price) == ("Máy cày Kubota (mới thay lốp)", 900_000)
    other = ProducerFactory()
    member(owner, other)
    with pytest.raises(ValidationError) as refused:
        save_equipment(
            owner, producer=other, kind="tractor", name="x", daily_price=1, equipment=tractor
        )
    assert refusal(refused.value)[:2] == ("producer_id", "owner_change")


def test_only_managers_list_or_change_equipment(coop, tractor, stranger):
    driver = member(UserFactory(), coop, Membership.Role.MEMBER)
    with pytest.raises(PermissionDenied):
        save_equipment(driver, producer=coop, kind="dryer", name="Lò sấy", daily_price=1)
    with pytest.raises(PermissionDenied):
        save_equipment(
            stranger, producer=coop, kind="tractor", name="x", daily_price=1, equipment=tractor
        )
    # Naming one's own producer does not unlock someone else's equipment.
    own = stranger.memberships.get().producer
    with pytest.raises(PermissionDenied):
        save_equipment(
            stranger, producer=own, kind="tractor", name="x", daily_price=1, equipment=tractor
        )
    tractor.refresh_from_db()
    assert tractor.name == "Máy cày Kubota L4508"


def test_listing_again_with_the_same_client_id_returns_the_first(owner, coop, stranger):
    client_id = uuid.uuid4()
    first = save_equipment(
        owner, producer=coop, kind="dryer", name="Lò sấy", daily_price=1, equipment_uuid=client_id
    )
    again = save_equipment(
        owner, producer=coop, kind="dryer", name="Lò sấy", daily_price=1, equipment_uuid=client_id
    )
    assert again.pk == first.pk and Equipment.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        save_equipment(
            stranger,
            producer=stranger.memberships.get().producer,
            kind="dryer",
            name="x",
            daily_price=1,
            equipment_uuid=client_id,
        )
    assert refusal(refused.value)[:2] == ("client_id", "uuid_taken")


def test_available_equipment_filters_by_kind_district_and_free_days(
    owner, coop, farmer, farm, tractor
):
    drone = save_equipment(owner, producer=coop, kind="drone_sprayer", name="Drone", daily_price=9)
    far_owner = member(UserFactory(), ProducerFactory(district="Gia Lâm"))
    far = save_equipment(
        far_owner,
        producer=far_owner.memberships.get().producer,
        kind="tractor",
        name="Máy cày Gia Lâm",
        daily_price=9,
    )
    idle = save_equipment(
        owner, producer=coop, kind="tractor", name="Máy cày cũ", daily_price=9, active=False
    )
    book(farmer, tractor, farm, 3, 5)
    cancel_booking(farmer, book(farmer, drone, farm, 3, 5))

    def names(**filters):
        return {e.name for e in available_equipment(**filters)}

    assert idle.name not in names()
    assert names() == {tractor.name, drone.name, far.name}
    assert names(kind="tractor") == {tractor.name, far.name}
    assert names(district="dong anh") == {tractor.name, drone.name}  # accents and case ignored
    assert names(district="ĐÔNG ANH", kind="tractor") == {tractor.name}
    assert names(first_day=day(5), last_day=day(7)) == {drone.name, far.name}
    assert names(first_day=day(4)) == {drone.name, far.name}  # one day
    assert names(first_day=day(6), last_day=day(9)) == {tractor.name, drone.name, far.name}
    assert names(first_day=day(1), last_day=day(2)) == {tractor.name, drone.name, far.name}
    with pytest.raises(ValidationError):
        available_equipment(first_day=day(5), last_day=day(4))
    with pytest.raises(ValidationError) as refused:
        available_equipment(last_day=datetime.date.max)
    assert refusal(refused.value)[:2] == ("last_day", "too_far_ahead")


def test_the_listing_loads_only_the_owners_public_fields(coop, tractor, django_assert_num_queries):
    with django_assert_num_queries(1):
        [listed] = available_equipment()
        owner = listed.producer
        assert (owner.name, owner.commune, owner.district) == (coop.name, "Vân Nội", "Đông Anh")
    private = {"street_address", "location", "contact_name", "contact_phone", "contact_email"}
    assert private <= owner.get_deferred_fields()


def test_bookings_are_seen_by_both_parties_only(owner, farmer, farm, tractor, stranger):
    booking = book(farmer, tractor, farm, 3, 5)
    assert list(bookings_for(farmer)) == [booking]
    assert list(bookings_for(owner)) == [booking]
    assert not bookings_for(stranger).exists()


@pytest.mark.django_db(transaction=True)
def test_ten_people_booking_at_once_get_the_days_once(coop, tractor):
    """Ten farms ask for overlapping days at the same moment: one gets them."""
    farms = [ProducerFactory() for _ in range(10)]
    people = [member(UserFactory(), farm) for farm in farms]
    barrier, outcomes = threading.Barrier(10), []

    def attempt(index: int):
        try:
            barrier.wait()
            first = 10 + index % 3  # 10–12, 11–13, 12–14: every pair shares a day
            book(people[index], tractor, farms[index], first, first + 2)
            outcomes.append("booked")
        except ValidationError as error:
            outcomes.append(refusal(error)[1])
        except Exception as error:  # reported by the assertion below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_booked"] * 9 + ["booked"]
    assert EquipmentBooking.objects.filter(equipment=tractor, status="booked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_retry_racing_its_first_send_books_once(farm, farmer, tractor):
    """An offline app resends while the first send is still being saved."""
    client_id, barrier, results = uuid.uuid4(), threading.Barrier(5), []

    def attempt():
        try:
            barrier.wait()
            results.append(book(farmer, tractor, farm, 3, 5, booking_uuid=client_id).pk)
        except Exception as error:  # reported by the assertion below
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    booking = EquipmentBooking.objects.get()
    assert booking.uuid == client_id
    assert results == [booking.pk] * 5  # never "already booked" by itself


# Staff pages: the same services, their refusals shown on the form.


def test_admin_pages_open(admin_client, farmer, farm, tractor):
    booking = book(farmer, tractor, farm, 3, 5)
    for url in [
        "/admin/marketplace/equipment/",
        "/admin/marketplace/equipment/add/",
        f"/admin/marketplace/equipment/{tractor.pk}/change/",
        "/admin/marketplace/equipmentbooking/",
        "/admin/marketplace/equipmentbooking/?q=Kubota",
        "/admin/marketplace/equipmentbooking/add/",
        f"/admin/marketplace/equipmentbooking/{booking.pk}/change/",
        f"/admin/marketplace/equipmentbooking/{booking.pk}/cancel/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def _form(first: int, last: int, **fields) -> dict:
    return {"first_day": day(first).isoformat(), "last_day": day(last).isoformat(), **fields}


def test_an_overlap_booked_in_the_admin_is_a_form_error(admin_client, farmer, farm, tractor):
    book(farmer, tractor, farm, 3, 5)
    response = admin_client.post(
        "/admin/marketplace/equipmentbooking/add/",
        _form(4, 6, equipment=tractor.pk, booked_for=farm.pk),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["first_day"]
    assert shown(day(3)) in errors[0] and shown(day(5)) in errors[0]
    assert EquipmentBooking.objects.count() == 1
    response = admin_client.post(
        "/admin/marketplace/equipmentbooking/add/",
        _form(6, 7, equipment=tractor.pk, booked_for=farm.pk, note="Qua admin"),
    )
    assert response.status_code == 302
    assert EquipmentBooking.objects.get(note="Qua admin").total_price == 2 * PRICE


def test_cancelling_in_the_admin_goes_through_the_service(admin_client, farmer, farm, tractor):
    booking = book(farmer, tractor, farm, 3, 5)
    url = f"/admin/marketplace/equipmentbooking/{booking.pk}/cancel/"
    assert admin_client.post(url, {"reason": "Máy hỏng"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.note == "Máy hỏng"
    again = admin_client.post(url, {"reason": ""})
    assert again.status_code == 200 and again.context["form"].non_field_errors()


def test_staff_of_another_producer_cannot_reach_a_booking(client, farmer, farm, tractor, stranger):
    from django.contrib.auth.models import Permission

    booking = book(farmer, tractor, farm, 3, 5)
    stranger.is_staff = True
    stranger.save()
    stranger.user_permissions.add(Permission.objects.get(codename="view_equipmentbooking"))
    client.force_login(stranger)
    listing = client.get("/admin/marketplace/equipmentbooking/")
    assert listing.status_code == 200 and tractor.name not in listing.content.decode()
    assert (
        client.get(f"/admin/marketplace/equipmentbooking/{booking.pk}/cancel/").status_code == 404
    )
    assert (
        client.post(f"/admin/marketplace/equipmentbooking/{booking.pk}/cancel/").status_code == 404
    )
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_the_equipment_form_shows_the_services_refusals(admin_client, coop):
    response = admin_client.post(
        "/admin/marketplace/equipment/add/",
        {
            "producer": coop.pk,
            "kind": "dryer",
            "name": "Lò sấy",
            "daily_price": MAX_DAILY_PRICE + 1,
        },
    )
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors.as_data()["daily_price"]
    assert error.code == "price_too_high"
    assert not Equipment.objects.exists()
    response = admin_client.post(
        "/admin/marketplace/equipment/add/",
        {"producer": coop.pk, "kind": "dryer", "name": " Lò sấy ", "daily_price": 300_000},
    )
    assert response.status_code == 302
    assert Equipment.objects.get().name == "Lò sấy"


def test_the_bulk_cancel_action_reports_each_refusal(admin_client, farmer, farm, tractor):
    open_one = book(farmer, tractor, farm, 3, 5)
    done = cancel_booking(farmer, book(farmer, tractor, farm, 7, 8))
    response = admin_client.post(
        "/admin/marketplace/equipmentbooking/",
        {"action": "cancel_selected", "_selected_action": [open_one.pk, done.pk]},
        follow=True,
    )
    open_one.refresh_from_db()
    assert open_one.status == "cancelled"
    shown_messages = [str(message) for message in response.context["messages"]]
    assert any(shown(day(7)) in message for message in shown_messages)  # the refused one
    assert any("1" in message and shown(day(7)) not in message for message in shown_messages)
