"""Equipment sharing through the app's GraphQL API: typed refusals, privacy, query counts."""

import json
import uuid

import pytest
from graphql_relay import to_global_id

from farms.models import Membership, Producer
from marketplace.models import Equipment, EquipmentBooking
from marketplace.services.equipment import book_equipment, save_equipment
from tests.factories import ProducerFactory, UserFactory, member
from tests.marketplace.conftest import PRICE, day
from tests.mobile_api.conftest import Api, token_for

PRIVATE_TEXT = ("Số 12 ngõ 34", "0912345678", "binh.private@example.vn", "Nguyễn Văn Bình")

SAVE = """mutation($input: SaveEquipmentInput!) { saveEquipment(input: $input) {
  errors { field code message }
  equipment { id uuid kind name description dailyPrice active } } }"""

BOOK = """mutation($input: BookEquipmentInput!) { bookEquipment(input: $input) {
  errors { field code message }
  booking { id uuid firstDay lastDay totalPrice status note
    equipment { name } bookedFor { name } } } }"""

CANCEL = """mutation($input: CancelBookingInput!) { cancelBooking(input: $input) {
  errors { field code message } booking { id status note } } }"""

EQUIPMENT = """query($first: Int, $after: String, $kind: EquipmentKind, $firstDay: Date,
    $lastDay: Date, $district: String) {
  equipment(first: $first, after: $after, kind: $kind, firstDay: $firstDay,
      lastDay: $lastDay, district: $district) {
    pageInfo { hasNextPage endCursor }
    edges { node { id uuid kind name description dailyPrice active
      owner { name commune district province } bookedDays { firstDay lastDay } } } } }"""

MY_BOOKINGS = """query($role: EquipmentBookingRole, $includePast: Boolean,
    $status: EquipmentBookingStatus) {
  myBookings(role: $role, includePast: $includePast, status: $status) {
    edges { node { id firstDay lastDay status totalPrice note
      equipment { name bookedDays { firstDay lastDay } } bookedFor { name contactPhone } } } } }"""


def iso(offset: int) -> str:
    return day(offset).isoformat()


def gid(obj) -> str:
    return to_global_id(f"{obj.__class__.__name__}Node", obj.pk)


def errors(data: dict, mutation: str) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in data[mutation]["errors"]]


@pytest.fixture
def farm(db):
    return ProducerFactory(
        kind=Producer.Kind.HOUSEHOLD,
        name="Hộ ông Tư",
        commune="Phù Linh",
        district="Sóc Sơn",
        contact_phone="0987000111",
    )


@pytest.fixture
def farmer(farm):
    return member(UserFactory(), farm, Membership.Role.MEMBER)


@pytest.fixture
def farmer_api(client, farmer, rf):
    return Api(client, token_for(farmer, rf))


def book_input(equipment, producer, first: int, last: int, **extra) -> dict:
    return {
        "input": {
            "equipmentId": gid(equipment),
            "producerId": gid(producer),
            "firstDay": iso(first),
            "lastDay": iso(last),
            **extra,
        }
    }


def test_managers_list_equipment_and_a_resend_lists_it_once(api, coop):
    client_id = str(uuid.uuid4())
    fields = {
        "clientId": client_id,
        "producerId": gid(coop),
        "kind": "DRYER",
        "name": "Lò sấy lúa 10 tấn",
        "dailyPrice": 1_200_000,
        "description": "Sấy được lúa và ngô",
    }
    first = api.ok(SAVE, {"input": fields})["saveEquipment"]["equipment"]
    again = api.ok(SAVE, {"input": fields})["saveEquipment"]["equipment"]
    assert first["id"] == again["id"] and first["uuid"] == client_id
    assert (first["kind"], first["dailyPrice"], first["active"]) == ("DRYER", 1_200_000, True)
    assert Equipment.objects.count() == 1


def test_a_change_keeps_what_was_not_sent(api, coop, tractor):
    tractor.description, tractor.active = "Có người lái", False
    tractor.save()
    changed = api.ok(
        SAVE,
        {
            "input": {
                "id": gid(tractor),
                "producerId": gid(coop),
                "kind": "TRACTOR",
                "name": tractor.name,
                "dailyPrice": 950_000,
            }
        },
    )["saveEquipment"]["equipment"]
    assert changed["dailyPrice"] == 950_000
    assert (changed["description"], changed["active"]) == ("Có người lái", False)


def test_equipment_refusals_come_back_typed(api, stranger_api, coop, tractor):
    base = {"producerId": gid(coop), "kind": "TRACTOR", "name": "Máy cày", "dailyPrice": 0}
    refused = api(SAVE, {"input": base})["data"]
    assert errors(refused, "saveEquipment") == [("dailyPrice", "invalid_price")]
    too_dear = api(SAVE, {"input": {**base, "dailyPrice": 5_000_000_000}})["data"]
    assert errors(too_dear, "saveEquipment") == [("dailyPrice", "price_too_high")]
    foreign = stranger_api(SAVE, {"input": {**base, "dailyPrice": 1}})["data"]
    assert errors(foreign, "saveEquipment") == [(None, "permission_denied")]
    hijack = stranger_api(SAVE, {"input": {**base, "dailyPrice": 1, "id": gid(tractor)}})["data"]
    assert errors(hijack, "saveEquipment") == [("id", "not_found")]
    tractor.refresh_from_db()
    assert (tractor.name, Equipment.objects.count()) == ("Máy cày Kubota L4508", 1)


def test_booking_fixes_the_price_and_a_resend_books_once(farmer_api, farm, tractor):
    client_id = str(uuid.uuid4())
    variables = book_input(tractor, farm, 3, 5, clientId=client_id, note="Cày ruộng sau nhà")
    booking = farmer_api.ok(BOOK, variables)["bookEquipment"]["booking"]
    assert (booking["firstDay"], booking["lastDay"]) == (iso(3), iso(5))
    assert booking["totalPrice"] == 3 * PRICE
    assert (booking["status"], booking["uuid"]) == ("BOOKED", client_id)
    assert booking["bookedFor"]["name"] == "Hộ ông Tư"
    again = farmer_api.ok(BOOK, variables)["bookEquipment"]["booking"]
    assert again["id"] == booking["id"]
    assert EquipmentBooking.objects.count() == 1


def test_equipment_can_be_named_by_its_uuid(farmer_api, farm, tractor):
    variables = book_input(tractor, farm, 3, 3)
    variables["input"]["equipmentId"] = str(tractor.uuid)
    assert farmer_api.ok(BOOK, variables)["bookEquipment"]["booking"]["totalPrice"] == PRICE


def test_overlapping_days_are_refused_with_the_taken_days(
    farmer_api, stranger_api, stranger, farm, tractor
):
    farmer_api.ok(BOOK, book_input(tractor, farm, 3, 5))
    other = stranger.memberships.get().producer
    data = stranger_api(BOOK, book_input(tractor, other, 5, 8))["data"]["bookEquipment"]
    assert data["booking"] is None
    [error] = data["errors"]
    assert (error["field"], error["code"]) == ("firstDay", "already_booked")
    assert day(3).strftime("%d/%m/%Y") in error["message"]
    assert day(5).strftime("%d/%m/%Y") in error["message"]
    adjacent = stranger_api.ok(BOOK, book_input(tractor, other, 6, 8))["bookEquipment"]
    assert adjacent["booking"]["firstDay"] == iso(6)
    assert EquipmentBooking.objects.count() == 2


def test_booking_for_someone_elses_producer_is_refused(stranger_api, farm, tractor):
    data = stranger_api(BOOK, book_input(tractor, farm, 3, 5))["data"]
    assert errors(data, "bookEquipment") == [(None, "permission_denied")]
    assert not EquipmentBooking.objects.exists()


def test_anonymous_people_browse_but_cannot_book(anonymous_api, farm, tractor):
    listed = anonymous_api.ok(EQUIPMENT)["equipment"]["edges"]
    assert [edge["node"]["name"] for edge in listed] == [tractor.name]
    data = anonymous_api(BOOK, book_input(tractor, farm, 3, 5))["data"]
    assert errors(data, "bookEquipment") == [(None, "sign_in_required")]


def test_cancelling_frees_the_days_once(farmer_api, stranger_api, api, farmer, farm, tractor):
    client_id = str(uuid.uuid4())
    farmer_api.ok(BOOK, book_input(tractor, farm, 3, 5, clientId=client_id))
    by_stranger = stranger_api(CANCEL, {"input": {"bookingId": client_id}})["data"]
    assert errors(by_stranger, "cancelBooking") == [("bookingId", "not_found")]
    cancel = {"input": {"bookingId": client_id, "reason": "Trời mưa"}}
    cancelled = farmer_api.ok(CANCEL, cancel)["cancelBooking"]["booking"]
    assert (cancelled["status"], cancelled["note"]) == ("CANCELLED", "Trời mưa")
    twice = farmer_api(CANCEL, cancel)["data"]
    assert errors(twice, "cancelBooking") == [("bookingId", "already_cancelled")]
    rebooked = api.ok(BOOK, book_input(tractor, tractor.producer, 3, 5))["bookEquipment"]
    owner_cancels = {"input": {"bookingId": rebooked["booking"]["id"]}}
    assert api.ok(CANCEL, owner_cancels)["cancelBooking"]["booking"]["status"] == "CANCELLED"


def test_the_listing_filters_and_shows_taken_days_without_who(
    anonymous_api, owner, coop, farmer, farm, tractor
):
    drone = save_equipment(
        owner, producer=coop, kind="drone_sprayer", name="Drone DJI", daily_price=9
    )
    book_equipment(
        farmer, tractor, booked_for=farm, first_day=day(3), last_day=day(5), note="Nhà ông Tư"
    )

    def names(**variables) -> list[str]:
        edges = anonymous_api.ok(EQUIPMENT, variables)["equipment"]["edges"]
        return [edge["node"]["name"] for edge in edges]

    assert names() == [drone.name, tractor.name]
    assert names(kind="TRACTOR") == [tractor.name]
    assert names(firstDay=iso(4), lastDay=iso(8)) == [drone.name]
    assert names(firstDay=iso(6), lastDay=iso(8)) == [drone.name, tractor.name]
    assert names(district="dong anh") == [drone.name, tractor.name]
    assert names(district="Sóc Sơn") == []
    for wrong in [{"firstDay": iso(8), "lastDay": iso(6)}, {"lastDay": "9999-12-31"}]:
        body = anonymous_api(EQUIPMENT, wrong)
        assert body["data"]["equipment"] is None
        assert "range" not in body["errors"][0]["message"]  # ours, not an internal one
    node = anonymous_api.ok(EQUIPMENT, {"kind": "TRACTOR"})["equipment"]["edges"][0]["node"]
    assert node["bookedDays"] == [{"firstDay": iso(3), "lastDay": iso(5)}]
    assert node["owner"] == {
        "name": coop.name,
        "commune": "Vân Nội",
        "district": "Đông Anh",
        "province": "Hà Nội",
    }
    assert "Hộ ông Tư" not in json.dumps(node, ensure_ascii=False)


def test_the_listing_pages_with_cursors(anonymous_api, owner, coop):
    for index in range(5):
        save_equipment(owner, producer=coop, kind="other", name=f"Máy {index}", daily_price=1)
    page = anonymous_api.ok(EQUIPMENT, {"first": 3})["equipment"]
    assert page["pageInfo"]["hasNextPage"]
    rest = anonymous_api.ok(EQUIPMENT, {"first": 3, "after": page["pageInfo"]["endCursor"]})
    names = [e["node"]["name"] for e in page["edges"] + rest["equipment"]["edges"]]
    assert names == [f"Máy {index}" for index in range(5)]


def test_inactive_equipment_is_shown_to_its_owner_only(api, stranger_api, tractor):
    tractor.active = False
    tractor.save()
    query = f'{{ node(id: "{gid(tractor)}") {{ ... on EquipmentNode {{ name active }} }} }}'
    assert api.ok(query)["node"] == {"name": tractor.name, "active": False}
    assert stranger_api.ok(query)["node"] is None
    assert stranger_api.ok(EQUIPMENT)["equipment"]["edges"] == []


def test_bookings_are_seen_by_both_parties_only(api, farmer_api, stranger_api, farm, tractor):
    booked = farmer_api.ok(BOOK, book_input(tractor, farm, 3, 5, note="Mang máy tới đầu ngõ"))
    booking_id = booked["bookEquipment"]["booking"]["id"]

    def seen(api_, **variables) -> list[dict]:
        return [e["node"] for e in api_.ok(MY_BOOKINGS, variables)["myBookings"]["edges"]]

    [as_booker] = seen(farmer_api)
    assert (as_booker["id"], as_booker["note"]) == (booking_id, "Mang máy tới đầu ngõ")
    assert as_booker["bookedFor"]["contactPhone"] == "0987000111"  # their own farm
    assert as_booker["equipment"]["bookedDays"] == [{"firstDay": iso(3), "lastDay": iso(5)}]
    [as_owner] = seen(api, role="OWNER")
    assert as_owner["id"] == booking_id
    assert as_owner["bookedFor"] == {"name": "Hộ ông Tư", "contactPhone": None}
    assert seen(api, role="BOOKER") == []
    assert seen(stranger_api) == []
    node = f'{{ node(id: "{booking_id}") {{ ... on EquipmentBookingNode {{ note }} }} }}'
    assert stranger_api.ok(node)["node"] is None
    assert api.ok(node)["node"] == {"note": "Mang máy tới đầu ngõ"}
    anonymous = Api(api.client)(MY_BOOKINGS)
    assert anonymous["data"]["myBookings"] is None and anonymous["errors"]


def test_past_and_cancelled_bookings_are_filtered(farmer_api, farmer, farm, tractor):
    EquipmentBooking.objects.create(
        equipment=tractor,
        booked_for=farm,
        booked_by=farmer,
        days=(day(-10), day(-7)),
        total_price=PRICE,
    )
    farmer_api.ok(BOOK, book_input(tractor, farm, 0, 0))  # the last day is today: not past
    cancelled = farmer_api.ok(BOOK, book_input(tractor, farm, 5, 6))["bookEquipment"]
    farmer_api.ok(CANCEL, {"input": {"bookingId": cancelled["booking"]["id"]}})

    def days(**variables) -> list[str]:
        edges = farmer_api.ok(MY_BOOKINGS, variables)["myBookings"]["edges"]
        return [e["node"]["firstDay"] for e in edges]

    assert days() == [iso(0), iso(5)]
    assert days(includePast=True) == [iso(-10), iso(0), iso(5)]
    assert days(status="BOOKED") == [iso(0)]


def _many_equipment(owner, coop, farmer, farm, count: int) -> None:
    for index in range(count):
        equipment = save_equipment(
            owner, producer=coop, kind="tractor", name=f"Máy cày {index:02d}", daily_price=1
        )
        for first in (2, 10):
            book_equipment(
                farmer, equipment, booked_for=farm, first_day=day(first), last_day=day(first + 1)
            )


def test_the_listing_costs_the_same_queries_for_2_or_20_items(
    anonymous_api, owner, coop, farmer, farm, django_assert_max_num_queries
):
    _many_equipment(owner, coop, farmer, farm, 2)
    with django_assert_max_num_queries(5) as two:
        edges = anonymous_api.ok(EQUIPMENT, {"first": 50})["equipment"]["edges"]
    assert len(edges) == 2 and all(len(e["node"]["bookedDays"]) == 2 for e in edges)
    _many_equipment(owner, coop, farmer, farm, 18)
    with django_assert_max_num_queries(len(two.captured_queries)):
        edges = anonymous_api.ok(EQUIPMENT, {"first": 50})["equipment"]["edges"]
    assert len(edges) == 20 and all(len(e["node"]["bookedDays"]) == 2 for e in edges)
    assert all(e["node"]["owner"]["district"] == "Đông Anh" for e in edges)


def test_my_bookings_cost_the_same_queries_for_2_or_20_items(
    farmer_api, owner, coop, farmer, farm, django_assert_max_num_queries
):
    _many_equipment(owner, coop, farmer, farm, 1)
    with django_assert_max_num_queries(8) as two:
        edges = farmer_api.ok(MY_BOOKINGS)["myBookings"]["edges"]
    assert len(edges) == 2
    _many_equipment(owner, coop, farmer, farm, 9)
    with django_assert_max_num_queries(len(two.captured_queries)):
        edges = farmer_api.ok(MY_BOOKINGS)["myBookings"]["edges"]
    assert len(edges) == 20


def _field_names(api, type_name: str) -> set[str]:
    query = f'{{ __type(name: "{type_name}") {{ fields {{ name }} }} }}'
    return {field["name"] for field in api.ok(query)["__type"]["fields"]}


def test_the_owners_private_details_are_not_in_the_listings_types(anonymous_api, tractor):
    private = {
        "streetAddress",
        "location",
        "contactName",
        "contactPhone",
        "contactEmail",
        "registrationCode",
        "producer",
        "bookings",
    }
    equipment = _field_names(anonymous_api, "EquipmentNode")
    assert {"kind", "name", "dailyPrice", "owner", "bookedDays"} <= equipment
    assert not equipment & private
    assert _field_names(anonymous_api, "EquipmentOwner") == {
        "name",
        "commune",
        "district",
        "province",
    }
    assert _field_names(anonymous_api, "BookedDays") == {"firstDay", "lastDay"}
    listed = json.dumps(anonymous_api.ok(EQUIPMENT), ensure_ascii=False)
    assert tractor.name in listed
    assert not [text for text in PRIVATE_TEXT if text in listed]
