"""GraphQL for equipment sharing: the public listing, bookings, and the mutations.

The listing shows what equipment is, what it costs, roughly where it is (the owner's
commune and district) and which days are taken, never by whom. Bookings are seen only by
the people of the producer that booked and of the producer that owns the equipment.
"""

import graphene
from django.db.models import Prefetch, Q
from django.utils import timezone
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType

from backend.graphql.mutations import given
from backend.graphql.scalars import choices_enum
from backend.graphql.selection import requested_paths
from farms.permissions import Action
from farms.schema import ProducerNode, producer_by_id
from farms.schema_access import get_for, producer_ids, signed_in_user
from marketplace.models import Equipment, EquipmentBooking
from marketplace.schema.errors import MarketplaceMutation
from marketplace.services import equipment as services

EquipmentKind = choices_enum(
    "EquipmentKind", Equipment.Kind.values, description="What the equipment is."
)
EquipmentBookingStatus = choices_enum(
    "EquipmentBookingStatus",
    EquipmentBooking.Status.values,
    description="Cancelled bookings free their days.",
)
EquipmentBookingRole = graphene.Enum(
    "EquipmentBookingRole",
    [("BOOKER", "booker"), ("OWNER", "owner")],
    description="Bookings made for my producers, or of my producers' equipment.",
)


def _value(choice):
    """graphene hands enum arguments over as enum members."""
    return getattr(choice, "value", choice)


class EquipmentOwner(graphene.ObjectType):
    """Who lends the equipment, as anyone may know them: no address or contacts."""

    name = graphene.String(required=True)
    commune = graphene.String(required=True)
    district = graphene.String(required=True)
    province = graphene.String(required=True)


class BookedDays(graphene.ObjectType):
    first_day = graphene.Date(required=True)
    last_day = graphene.Date(required=True, description="Included.")


def _booked_days(bookings) -> list[BookedDays]:
    spans = (services.first_and_last(booking.days) for booking in bookings)
    return [BookedDays(first_day=first, last_day=last) for first, last in spans]


class EquipmentNode(DjangoObjectType):
    """A machine or facility a producer lends by the day."""

    kind = EquipmentKind(required=True)
    daily_price = graphene.BigInt(required=True, description="Đồng per day.")
    owner = graphene.Field(EquipmentOwner, required=True)
    booked_days = graphene.List(
        graphene.NonNull(BookedDays),
        required=True,
        description=f"Days already taken in the next {services.UPCOMING_DAYS} days.",
    )

    class Meta:
        model = Equipment
        interfaces = (relay.Node,)
        fields = ("uuid", "kind", "name", "description", "daily_price", "active")

    @classmethod
    def get_queryset(cls, queryset, info):
        """Active equipment is public; inactive equipment only to its owner's people."""
        visible = queryset.filter(Q(active=True) | Q(producer_id__in=producer_ids(info)))
        return services.public_equipment(visible)

    def resolve_kind(equipment, info):
        return Equipment.Kind(equipment.kind).value  # a fresh object may hold the enum member

    def resolve_owner(equipment, info):
        producer = equipment.producer
        return EquipmentOwner(
            name=producer.name,
            commune=producer.commune,
            district=producer.district,
            province=producer.province,
        )

    def resolve_booked_days(equipment, info):
        bookings = getattr(equipment, "upcoming", None)  # prefetched for lists
        if bookings is None:
            bookings = services.upcoming_bookings().filter(equipment=equipment)
        return _booked_days(bookings)


class EquipmentBookingNode(DjangoObjectType):
    """Days booked; seen by the booker's producer and by the equipment's owner only."""

    status = EquipmentBookingStatus(required=True)
    total_price = graphene.BigInt(
        required=True, description="Đồng: the daily price times the days, fixed when booked."
    )
    equipment = graphene.Field(EquipmentNode, required=True)
    booked_for = graphene.Field(ProducerNode, required=True)
    first_day = graphene.Date(required=True)
    last_day = graphene.Date(required=True, description="Included.")

    class Meta:
        model = EquipmentBooking
        interfaces = (relay.Node,)
        fields = ("uuid", "equipment", "booked_for", "total_price", "status", "note", "created_at")

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(services.involving(producer_ids(info, Action.OPERATE)))

    def resolve_status(booking, info):
        return EquipmentBooking.Status(booking.status).value  # a fresh object holds the member

    # Declared, not generated: graphene-django would load each related row again.
    def resolve_equipment(booking, info):
        return booking.equipment

    def resolve_booked_for(booking, info):
        return booking.booked_for

    def resolve_first_day(booking, info):
        return services.first_and_last(booking.days)[0]

    def resolve_last_day(booking, info):
        return services.first_and_last(booking.days)[1]


def _upcoming(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=services.upcoming_bookings(), to_attr="upcoming")


class Query(graphene.ObjectType):
    equipment = DjangoConnectionField(
        EquipmentNode,
        kind=EquipmentKind(),
        first_day=graphene.Date(description="Free from this day…"),
        last_day=graphene.Date(description="…to this day included."),
        district=graphene.String(description="The owner's district; accents do not matter."),
        description="Equipment to borrow, free on every day asked for.",
    )
    my_bookings = DjangoConnectionField(
        EquipmentBookingNode,
        role=EquipmentBookingRole(),
        status=EquipmentBookingStatus(),
        include_past=graphene.Boolean(default_value=False),
        description="Bookings by my producers and of my producers' equipment, soonest first.",
    )

    def resolve_equipment(
        root, info, kind=None, first_day=None, last_day=None, district=None, **_page
    ):
        listing = services.available_equipment(
            kind=_value(kind), first_day=first_day, last_day=last_day, district=district
        )
        if "edges.node.bookedDays" in requested_paths(info):
            listing = listing.prefetch_related(_upcoming("bookings"))
        return listing

    def resolve_my_bookings(root, info, role=None, status=None, include_past=False, **_page):
        signed_in_user(info)
        mine = producer_ids(info, Action.OPERATE)
        as_booker, as_owner = Q(booked_for_id__in=mine), Q(equipment__producer_id__in=mine)
        role = _value(role)
        taking_part = as_booker if role == "booker" else as_owner if role == "owner" else None
        bookings = EquipmentBooking.objects.filter(taking_part or (as_booker | as_owner))
        if status:
            bookings = bookings.filter(status=_value(status))
        if not include_past:  # the upper bound is the day after the last day
            bookings = bookings.filter(days__endswith__gt=timezone.localdate())
        bookings = bookings.select_related("equipment__producer", "booked_for")
        if "edges.node.equipment.bookedDays" in requested_paths(info):
            bookings = bookings.prefetch_related(_upcoming("equipment__bookings"))
        return bookings.order_by("days", "pk")


class SaveEquipmentInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    id = graphene.ID(description="The equipment to change; leave out to list new equipment.")
    producer_id = graphene.ID(required=True, description="The owner.")
    kind = EquipmentKind(required=True)
    name = graphene.String(required=True)
    daily_price = graphene.BigInt(required=True, description="Đồng per day.")
    description = graphene.String(description="Left out: unchanged (empty when new).")
    active = graphene.Boolean(description="Open for booking. Left out: unchanged (yes when new).")


class SaveEquipment(MarketplaceMutation):
    equipment = graphene.Field(EquipmentNode)

    class Arguments:
        input = SaveEquipmentInput(required=True)

    @classmethod
    def perform(cls, info, data):
        data = given(data)
        current = (
            get_for(info, Equipment.objects.all(), data["id"], "EquipmentNode", "id")
            if data.get("id")
            else None
        )
        saved = services.save_equipment(
            info.context.user,
            producer=producer_by_id(info, data["producer_id"]),
            kind=_value(data["kind"]),
            name=data["name"],
            daily_price=data["daily_price"],
            description=data.get("description", current.description if current else ""),
            active=data.get("active", current.active if current else True),
            equipment=current,
            equipment_uuid=data.get("client_id"),
        )
        return {"equipment": saved}


class BookEquipmentInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    equipment_id = graphene.ID(required=True)
    producer_id = graphene.ID(required=True, description="The producer the booking is for.")
    first_day = graphene.Date(required=True)
    last_day = graphene.Date(required=True, description="Included.")
    note = graphene.String(default_value="", description="For the owner, e.g. where to bring it.")


class BookEquipment(MarketplaceMutation):
    booking = graphene.Field(EquipmentBookingNode)

    class Arguments:
        input = BookEquipmentInput(required=True)

    @classmethod
    def perform(cls, info, data):
        equipment = get_for(
            info,
            Equipment.objects.all(),
            data["equipment_id"],
            "EquipmentNode",
            "equipmentId",
            owned=False,
        )
        booking = services.book_equipment(
            info.context.user,
            equipment,
            booked_for=producer_by_id(info, data["producer_id"]),
            first_day=data["first_day"],
            last_day=data["last_day"],
            note=data.get("note") or "",
            booking_uuid=data.get("client_id"),
        )
        return {"booking": booking}


class CancelBookingInput(graphene.InputObjectType):
    booking_id = graphene.ID(required=True, description="Its global id or its client id.")
    reason = graphene.String(default_value="", description="Added to the booking's note.")


class CancelBooking(MarketplaceMutation):
    booking = graphene.Field(EquipmentBookingNode)

    class Arguments:
        input = CancelBookingInput(required=True)

    @classmethod
    def perform(cls, info, data):
        # Bookings the requester takes no part in are "not found", not "forbidden".
        booking = get_for(
            info,
            services.bookings_for(info.context.user),
            data["booking_id"],
            "EquipmentBookingNode",
            "bookingId",
            owned=False,
        )
        cancelled = services.cancel_booking(info.context.user, booking, data.get("reason") or "")
        return {"booking": cancelled}


# What the app may queue offline and send through `sync` (see backend.graphql.sync).
SYNC_OPERATIONS = {"save_equipment": SaveEquipment, "book_equipment": BookEquipment}


class Mutation(graphene.ObjectType):
    save_equipment = SaveEquipment.Field()
    book_equipment = BookEquipment.Field()
    cancel_booking = CancelBooking.Field()
