"""GraphQL for buyers, offers, the cart, orders and reviews."""

import graphene
from django.db.models import Prefetch
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType

from backend.graphql.errors import not_found
from backend.graphql.mutations import given
from backend.graphql.scalars import GeoJSON, choices_enum
from farms.models import Certification
from farms.permissions import Action
from farms.schema import ProducerNode, place_by_id, producer_by_id, product_by_id
from farms.schema_access import get_for, producer_ids, signed_in_user
from marketplace.models import Buyer, CartItem, Offer, Order, OrderLine
from marketplace.permissions import (
    buyers_for,
    order_parties,
    orders_for,
    sees_wholesale_of,
    sees_wholesale_prices,
)
from marketplace.schema.errors import MarketplaceMutation
from marketplace.services import buyers, cart, offers, orders, reviews
from marketplace.services.search import (
    DEFAULT_RADIUS_KM,
    OfferSearch,
    SortOrder,
    search_offers,
    with_details,
)
from traceability.models import Batch

OrderStatusEnum = choices_enum("OrderStatus", Order.Status.values)
FulfilmentEnum = choices_enum("Fulfilment", Order.Fulfilment.values)
OfferStatusEnum = choices_enum("OfferStatus", Offer.Status.values)
BuyerKindEnum = choices_enum("BuyerKind", Buyer.Kind.values)
SortEnum = choices_enum("OfferSort", [order.value for order in SortOrder])
SchemeEnum = choices_enum("CertificationScheme", Certification.Scheme.values)


def my_buyer_ids(info) -> set[int]:
    cache = info.context.__dict__
    if "_buyer_ids" not in cache:
        cache["_buyer_ids"] = set(buyers_for(info.context.user).values_list("pk", flat=True))
    return cache["_buyer_ids"]


def sees_wholesale(info, offer: Offer) -> bool:
    """marketplace.permissions decides; the request caches what it needs."""
    cache = info.context.__dict__
    if "_sees_wholesale" not in cache:
        cache["_sees_wholesale"] = sees_wholesale_prices(info.context.user)
    return sees_wholesale_of(offer, producer_ids(info), cache["_sees_wholesale"])


class BuyerNode(DjangoObjectType):
    """A buyer, as its own people see it."""

    delivery_location = GeoJSON(required=True)
    is_verified_business = graphene.Boolean(required=True)

    class Meta:
        model = Buyer
        interfaces = (relay.Node,)
        fields = (
            "uuid",
            "kind",
            "name",
            "registration_code",
            "commune",
            "district",
            "province",
            "delivery_address",
            "contact_phone",
            "verified_at",
        )

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=my_buyer_ids(info))


class LotLinkType(graphene.ObjectType):
    """A lot an offer or an order line is served from, and its public trace page."""

    code = graphene.String(required=True)
    harvest_date = graphene.Date()
    certification = graphene.String(description="The standard the lot was grown under.")
    quantity = graphene.Decimal(required=True)
    scan_page_url = graphene.String(required=True)


def lot_link(info, batch: Batch, quantity) -> LotLinkType:
    return LotLinkType(
        code=batch.code,
        harvest_date=batch.harvest_date,
        certification=batch.certification.get_scheme_display() if batch.certification else None,
        quantity=quantity,
        scan_page_url=info.context.build_absolute_uri(f"/lot/{batch.code}"),
    )


class OfferNode(DjangoObjectType):
    seller = graphene.Field(ProducerNode, required=True)
    wholesale_price_per_unit = graphene.Int(description="Only for verified businesses.")
    wholesale_min_quantity = graphene.Decimal()
    distance_km = graphene.Float(description="From the searched location, if one was given.")
    seller_rating = graphene.Float()
    seller_reviews = graphene.Int()
    lots = graphene.List(graphene.NonNull(LotLinkType), required=True)
    certification = graphene.String(
        description="The standard the offer may claim: every one of its lots is certified."
    )

    def resolve_certification(offer, info):
        return offer.certification or None

    class Meta:
        model = Offer
        interfaces = (relay.Node,)
        fields = (
            "uuid",
            "product",
            "unit",
            "quantity_available",
            "price_per_unit",
            "min_order_quantity",
            "available_from",
            "available_to",
            "delivery_radius_km",
            "pickup_place",
            "description",
            "status",
        )

    @classmethod
    def get_queryset(cls, queryset, info):
        """On sale for everyone; the seller's people also see its paused and closed ones."""
        return offers.sellable(queryset) | queryset.filter(producer_id__in=producer_ids(info))

    def resolve_seller(offer, info):
        return offer.producer

    def resolve_wholesale_price_per_unit(offer, info):
        return offer.wholesale_price_per_unit if sees_wholesale(info, offer) else None

    def resolve_wholesale_min_quantity(offer, info):
        return offer.wholesale_min_quantity if sees_wholesale(info, offer) else None

    def resolve_distance_km(offer, info):
        distance = getattr(offer, "distance", None)
        return round(distance.km, 1) if distance is not None else None

    def resolve_seller_rating(offer, info):
        rating = getattr(offer.producer, "rating", None)
        return round(float(rating), 1) if rating is not None else None

    def resolve_seller_reviews(offer, info):
        return getattr(offer.producer, "review_count", None)

    def resolve_lots(offer, info):
        return [lot_link(info, s.batch, s.quantity - s.allocated) for s in offer.shares.all()]


class OrderBuyerType(graphene.ObjectType):
    """The buyer as the seller of its order needs it: to deliver and to call."""

    name = graphene.String(required=True)
    kind = BuyerKindEnum(required=True)
    contact_phone = graphene.String(required=True)
    is_verified_business = graphene.Boolean(required=True)


class OrderLineType(DjangoObjectType):
    # The offer as it was ordered, even once it is sold out or closed.
    offer = graphene.Field(OfferNode, required=True)
    amount = graphene.Int(required=True)
    lots = graphene.List(
        graphene.NonNull(LotLinkType),
        required=True,
        description="The lots this line is served from, once the seller confirms.",
    )

    class Meta:
        model = OrderLine
        fields = ("offer", "product", "unit", "quantity", "unit_price", "wholesale")

    def resolve_offer(line, info):
        return line.offer

    def resolve_lots(line, info):
        return [lot_link(info, a.batch, a.quantity) for a in line.allocations.all()]


class StatusChangeType(graphene.ObjectType):
    from_status = graphene.String()
    to_status = OrderStatusEnum(required=True)
    by = graphene.String(required=True)
    at = graphene.DateTime(required=True)
    reason = graphene.String(required=True)


class OrderNode(DjangoObjectType):
    buyer = graphene.Field(OrderBuyerType, required=True)
    seller = graphene.Field(ProducerNode, required=True)
    lines = graphene.List(graphene.NonNull(OrderLineType), required=True)
    history = graphene.List(graphene.NonNull(StatusChangeType), required=True)
    next_statuses = graphene.List(
        graphene.NonNull(OrderStatusEnum),
        required=True,
        description="What the requester may move this order to now.",
    )
    stars = graphene.Int(description="The buyer's rating, once reviewed.")
    review_text = graphene.String(description="What the buyer wrote with the rating.")

    class Meta:
        model = Order
        interfaces = (relay.Node,)
        fields = (
            "uuid",
            "code",
            "status",
            "fulfilment",
            "delivery_address",
            "pickup_place",
            "note",
            "total",
            "placed_at",
            "status_changed_at",
        )

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=orders_for(info.context.user).values("pk"))

    def resolve_buyer(order, info):
        buyer = order.buyer
        return OrderBuyerType(
            name=buyer.name,
            kind=buyer.kind,
            contact_phone=buyer.contact_phone,
            is_verified_business=buyer.is_verified_business,
        )

    def resolve_seller(order, info):
        return order.producer

    def resolve_lines(order, info):
        return order.lines.all()

    def resolve_history(order, info):
        return [
            StatusChangeType(
                from_status=change.from_status or None,
                to_status=change.to_status,
                by=change.changed_by.full_name if change.changed_by else "",
                at=change.changed_at,
                reason=change.reason,
            )
            for change in order.changes.all()
        ]

    def resolve_next_statuses(order, info):
        parties = order_parties(order, my_buyer_ids(info), producer_ids(info, Action.OPERATE))
        return [str(status) for status in orders.next_statuses(order, parties)]

    def resolve_stars(order, info):
        review = getattr(order, "review", None)
        return review.stars if review else None

    def resolve_review_text(order, info):
        review = getattr(order, "review", None)
        return review.text if review else None


def with_order_details(queryset):
    lines = OrderLine.objects.select_related("product").prefetch_related(
        "allocations__batch__certification",
        Prefetch("offer", queryset=with_details(Offer.objects.all())),
    )
    return queryset.select_related(
        "buyer", "producer__cooperative", "pickup_place", "review"
    ).prefetch_related(Prefetch("lines", queryset=lines), "changes__changed_by")


class CartLineType(graphene.ObjectType):
    offer = graphene.Field(OfferNode, required=True)
    quantity = graphene.Decimal(required=True)


class Role(graphene.Enum):
    BUYER = "buyer"
    SELLER = "seller"


class Query(graphene.ObjectType):
    my_offers = DjangoConnectionField(
        OfferNode, description="What the producers I sell for offer, newest first."
    )
    offers = DjangoConnectionField(
        OfferNode,
        text=graphene.String(description="Product name; diacritics optional."),
        product_id=graphene.ID(),
        category=graphene.String(),
        certification=SchemeEnum(),
        max_price=graphene.Int(),
        available_on=graphene.Date(),
        near=GeoJSON(description="A GeoJSON Point: distances are measured from it."),
        buyer_id=graphene.ID(description="Measure from this buyer's delivery location."),
        within_km=graphene.Int(default_value=30),
        delivers_to_me=graphene.Boolean(default_value=False),
        sort=SortEnum(),
    )
    offer = graphene.Field(OfferNode, id=graphene.ID(required=True))
    my_buyers = graphene.List(graphene.NonNull(BuyerNode), required=True)
    cart = graphene.List(
        graphene.NonNull(CartLineType), required=True, buyer_id=graphene.ID(required=True)
    )
    my_orders = DjangoConnectionField(OrderNode, role=Role(), status=OrderStatusEnum())

    def resolve_my_offers(root, info, **_page):
        signed_in_user(info)
        mine = Offer.objects.filter(producer_id__in=producer_ids(info, Action.OPERATE))
        return with_details(mine).order_by("-created_at", "-pk")

    def resolve_offers(root, info, **args):
        signed_in_user(info)
        return with_details(search_offers(_search(info, args)))

    def resolve_offer(root, info, id):
        signed_in_user(info)
        return _offer(info, id)

    def resolve_my_buyers(root, info):
        signed_in_user(info)
        return Buyer.objects.filter(pk__in=my_buyer_ids(info))

    def resolve_cart(root, info, buyer_id):
        return _cart_lines(_buyer(info, buyer_id))

    def resolve_my_orders(root, info, role=None, status=None, **_page):
        user = signed_in_user(info)
        visible = orders_for(user)
        if role == Role.BUYER.value:
            visible = visible.filter(buyer_id__in=my_buyer_ids(info))
        elif role == Role.SELLER.value:
            visible = visible.filter(producer_id__in=producer_ids(info, Action.OPERATE))
        if status:
            visible = visible.filter(status=status.value)
        return with_order_details(visible).order_by("-placed_at", "-pk")


def _cart_lines(buyer: Buyer) -> list[CartLineType]:
    # Prefetched, not joined: a joined offer would make Django skip the detailed prefetch.
    details = with_details(Offer.objects.all())
    items = CartItem.objects.filter(buyer=buyer).prefetch_related(Prefetch("offer", details))
    return [CartLineType(offer=item.offer, quantity=item.quantity) for item in items]


def _search(info, args: dict) -> OfferSearch:
    near = args.get("near")
    if args.get("buyer_id"):
        near = _buyer(info, args["buyer_id"]).delivery_location
    return OfferSearch(
        text=args.get("text") or "",
        product=product_by_id(info, args["product_id"]) if args.get("product_id") else None,
        category=args.get("category") or "",
        certification=args["certification"].value if args.get("certification") else "",
        max_price=args.get("max_price"),
        available_on=args.get("available_on"),
        near=near,
        within_km=args.get("within_km") or DEFAULT_RADIUS_KM,
        delivers_to_me=bool(args.get("delivers_to_me")),
        sort=SortOrder(args["sort"].value) if args.get("sort") else None,
    )


def _buyer(info, reference, field="buyerId") -> Buyer:
    buyer = get_for(info, Buyer.objects.all(), reference, "BuyerNode", field, owned=False)
    if buyer.pk not in my_buyer_ids(info):
        raise not_found(field)
    return buyer


def _offer(info, reference, field="offerId") -> Offer:
    visible = OfferNode.get_queryset(Offer.objects.all(), info)
    return get_for(info, with_details(visible), reference, "OfferNode", field, owned=False)


def _order(info, reference, field="orderId") -> Order:
    visible = OrderNode.get_queryset(Order.objects.all(), info)
    return get_for(info, visible, reference, "OrderNode", field, owned=False)


class BuyerFieldsInput(graphene.InputObjectType):
    kind = BuyerKindEnum()
    name = graphene.String()
    registration_code = graphene.String()
    commune = graphene.String()
    district = graphene.String()
    province = graphene.String()
    delivery_address = graphene.String()
    delivery_location = GeoJSON(description="A GeoJSON Point.")
    contact_phone = graphene.String()


def _buyer_fields(data: dict) -> dict:
    fields = given({key: data.get(key) for key in buyers.BUYER_FIELDS})
    if "kind" in fields:
        fields["kind"] = fields["kind"].value
    return fields


class RegisterBuyer(MarketplaceMutation):
    buyer = graphene.Field(BuyerNode)

    class Arguments:
        input = BuyerFieldsInput(required=True)

    @classmethod
    def perform(cls, info, data):
        return {"buyer": buyers.register_buyer(info.context.user, **_buyer_fields(data))}


class UpdateBuyerInput(BuyerFieldsInput):
    buyer_id = graphene.ID(required=True)


class UpdateBuyer(MarketplaceMutation):
    buyer = graphene.Field(BuyerNode)

    class Arguments:
        input = UpdateBuyerInput(required=True)

    @classmethod
    def perform(cls, info, data):
        buyer = _buyer(info, data["buyer_id"])
        return {"buyer": buyers.update_buyer(info.context.user, buyer, **_buyer_fields(data))}


class LotShareInput(graphene.InputObjectType):
    batch_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True)


class OfferTermsInput(graphene.InputObjectType):
    price_per_unit = graphene.Int()
    wholesale_price_per_unit = graphene.Int(description="0 removes the wholesale price.")
    wholesale_min_quantity = graphene.Decimal()
    min_order_quantity = graphene.Decimal()
    available_from = graphene.Date()
    available_to = graphene.Date()
    delivery_radius_km = graphene.Int(description="0: pickup only.")
    pickup_place_id = graphene.ID(description='"" removes the pickup point.')
    description = graphene.String()
    status = OfferStatusEnum()
    lots = graphene.List(graphene.NonNull(LotShareInput))
    price_confirmed = graphene.Boolean(
        default_value=False,
        description="The seller confirms a price refused as unusual_price (far from recent ones).",
    )


def _terms(info, data: dict) -> dict:
    """The terms the client sent. A pickup point of "" removes it; a delivery radius of 0
    means pickup only; a wholesale price of 0 removes it."""
    terms = given({key: data.get(key) for key in offers.OFFER_FIELDS if key != "pickup_place"})
    if "status" in terms:
        terms["status"] = terms["status"].value
    for field in ("delivery_radius_km", "wholesale_price_per_unit"):
        if terms.get(field) == 0:  # 0 removes it
            terms[field] = None
    if data.get("pickup_place_id") is not None:
        terms["pickup_place"] = place_by_id(info, data["pickup_place_id"], "pickupPlaceId")
    return terms


def _shares(info, data: dict) -> list[offers.LotShare] | None:
    if data.get("lots") is None:
        return None
    offers.check_lot_count(len(data["lots"]))  # before looking any lot up
    return [
        offers.LotShare(
            get_for(info, Batch.objects.all(), lot["batch_id"], "BatchNode", "lots"),
            lot["quantity"],
        )
        for lot in data["lots"]
    ]


class CreateOfferInput(OfferTermsInput):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    producer_id = graphene.ID(required=True)
    product_id = graphene.ID(required=True)
    price_per_unit = graphene.Int(required=True)
    available_from = graphene.Date(required=True)
    available_to = graphene.Date(required=True)
    lots = graphene.List(graphene.NonNull(LotShareInput), required=True)


class CreateOffer(MarketplaceMutation):
    offer = graphene.Field(OfferNode)

    class Arguments:
        input = CreateOfferInput(required=True)

    @classmethod
    def perform(cls, info, data):
        offer = offers.create_offer(
            info.context.user,
            producer=producer_by_id(info, data["producer_id"]),
            product=product_by_id(info, data["product_id"]),
            shares=_shares(info, data),
            price_confirmed=data["price_confirmed"],
            offer_uuid=data.get("client_id"),
            **_terms(info, data),
        )
        return {"offer": offer}


class UpdateOfferInput(OfferTermsInput):
    offer_id = graphene.ID(required=True)


class UpdateOffer(MarketplaceMutation):
    offer = graphene.Field(OfferNode)

    class Arguments:
        input = UpdateOfferInput(required=True)

    @classmethod
    def perform(cls, info, data):
        offer = _offer(info, data["offer_id"])
        updated = offers.update_offer(
            info.context.user,
            offer,
            shares=_shares(info, data),
            price_confirmed=data["price_confirmed"],
            **_terms(info, data),
        )
        return {"offer": updated}


class SetCartQuantityInput(graphene.InputObjectType):
    buyer_id = graphene.ID(required=True)
    offer_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True, description="0 takes the offer out.")


class SetCartQuantity(MarketplaceMutation):
    cart = graphene.List(graphene.NonNull(CartLineType))

    class Arguments:
        input = SetCartQuantityInput(required=True)

    @classmethod
    def perform(cls, info, data):
        buyer = _buyer(info, data["buyer_id"])
        cart.set_cart_quantity(
            info.context.user, buyer, _offer(info, data["offer_id"]), data["quantity"]
        )
        return {"cart": _cart_lines(buyer)}


class CheckoutInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    buyer_id = graphene.ID(required=True)
    fulfilment = FulfilmentEnum(required=True)
    note = graphene.String(default_value="")


class Checkout(MarketplaceMutation):
    orders = graphene.List(graphene.NonNull(OrderNode))

    class Arguments:
        input = CheckoutInput(required=True)

    @classmethod
    def perform(cls, info, data):
        placed = cart.checkout(
            info.context.user,
            _buyer(info, data["buyer_id"]),
            fulfilment=data["fulfilment"].value,
            checkout_id=data.get("client_id"),
            note=data["note"],
        )
        return {"orders": with_order_details(Order.objects.filter(pk__in=[o.pk for o in placed]))}


class ChangeOrderStatusInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    order_id = graphene.ID(required=True)
    status = OrderStatusEnum(required=True)
    reason = graphene.String(default_value="", description="Required to reject or cancel.")


class ChangeOrderStatus(MarketplaceMutation):
    order = graphene.Field(OrderNode)

    class Arguments:
        input = ChangeOrderStatusInput(required=True)

    @classmethod
    def perform(cls, info, data):
        order = orders.change_status(
            info.context.user,
            _order(info, data["order_id"]),
            data["status"].value,
            data["reason"],
            change_uuid=data.get("client_id"),
        )
        return {"order": order}


class ReviewOrderInput(graphene.InputObjectType):
    order_id = graphene.ID(required=True)
    stars = graphene.Int(required=True)
    text = graphene.String(default_value="")


class ReviewOrder(MarketplaceMutation):
    order = graphene.Field(OrderNode)

    class Arguments:
        input = ReviewOrderInput(required=True)

    @classmethod
    def perform(cls, info, data):
        order = _order(info, data["order_id"])
        reviews.review_order(info.context.user, order, stars=data["stars"], text=data["text"])
        return {"order": order}


# Queued by the app without a network and sent through ``sync``.
SYNC_OPERATIONS = {"create_offer": CreateOffer, "change_order_status": ChangeOrderStatus}


class Mutation(graphene.ObjectType):
    register_buyer = RegisterBuyer.Field()
    update_buyer = UpdateBuyer.Field()
    create_offer = CreateOffer.Field()
    update_offer = UpdateOffer.Field()
    set_cart_quantity = SetCartQuantity.Field()
    checkout = Checkout.Field()
    change_order_status = ChangeOrderStatus.Field()
    review_order = ReviewOrder.Field()
