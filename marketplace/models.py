"""The market network: buyers, offers from producers, carts, orders, prices and equipment.

Money is whole Vietnamese đồng (integers). Quantities share the traceability precision.
"""

import secrets
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.phone import ContactPhoneField
from backend.notices import Notice
from backend.numbers import format_vnd
from farms.models import LOCATION_CODE_ALPHABET, Place, Producer, Product, Unit
from traceability.models import QUANTITY, Batch


def new_order_code() -> str:
    """Short enough to read over the phone, random enough not to be guessed."""
    return "DH" + "".join(secrets.choice(LOCATION_CODE_ALPHABET) for _ in range(8))


class Buyer(models.Model):
    """Who buys: a restaurant, a hotel, a market stall, a school kitchen, a household…"""

    class Kind(models.TextChoices):
        RESTAURANT = "restaurant", _("Restaurant")
        HOTEL = "hotel", _("Hotel")
        MARKET_STALL = "market_stall", _("Market stall")
        SUPERMARKET = "supermarket", _("Supermarket or shop")
        SCHOOL_KITCHEN = "school_kitchen", _("School or canteen kitchen")
        HOUSEHOLD = "household", _("Household")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="buyers", verbose_name=_("people who order")
    )
    registration_code = models.CharField(
        _("business registration or tax code"), max_length=32, blank=True
    )
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100)
    province = models.CharField(_("province"), max_length=100, default="Hà Nội")
    # Seen only by the buyer's own people and the producers it orders from.
    delivery_address = models.CharField(_("delivery address"), max_length=255)
    delivery_location = models.PointField(_("delivery location"), srid=4326)
    contact_phone = ContactPhoneField(_("contact phone"), blank=True)
    # Set by extension staff who checked the business papers: unlocks wholesale prices.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified_business(self) -> bool:
        return self.verified_at is not None and self.kind != self.Kind.HOUSEHOLD

    @classmethod
    def verified_businesses(cls) -> Q:
        """``is_verified_business`` as a filter."""
        return Q(verified_at__isnull=False) & ~Q(kind=cls.Kind.HOUSEHOLD)


class Offer(models.Model):
    """Produce a producer (or a cooperative, for its members) puts on sale from its lots."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("On sale")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="offers", verbose_name=_("seller")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="offers", verbose_name=_("product")
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    # The sum of what is left of each lot's share: reserved only by confirmed orders.
    quantity_available = models.DecimalField(_("quantity available"), **QUANTITY)
    price_per_unit = models.PositiveBigIntegerField(_("price per unit (VND)"))
    wholesale_price_per_unit = models.PositiveBigIntegerField(
        _("wholesale price per unit (VND)"),
        null=True,
        blank=True,
        help_text=_("Shown only to verified business buyers."),
    )
    wholesale_min_quantity = models.DecimalField(
        _("wholesale from quantity"), null=True, blank=True, **QUANTITY
    )
    min_order_quantity = models.DecimalField(_("minimum order"), default=1, **QUANTITY)
    available_from = models.DateField(_("available from"))
    available_to = models.DateField(_("available to"))
    delivery_radius_km = models.PositiveSmallIntegerField(
        _("delivers within (km)"), null=True, blank=True
    )
    pickup_place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("pickup point"),
    )
    # Where the produce leaves from: the pickup point or the lots' fields, never a home.
    location = models.PointField(_("dispatch point"), srid=4326, geography=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    batches = models.ManyToManyField(
        Batch, through="OfferBatch", related_name="offers", verbose_name=_("lots sold from")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_available__gte=0), name="offer_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(available_to__gte=F("available_from")), name="offer_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(delivery_radius_km__isnull=False) | Q(pickup_place__isnull=False),
                name="offer_delivers_or_has_pickup",
            ),
            models.CheckConstraint(condition=Q(min_order_quantity__gt=0), name="offer_min_order"),
        ]
        indexes = [
            models.Index(fields=["status", "product", "price_per_unit"]),
            models.Index(fields=["available_from", "available_to"]),
        ]

    def __str__(self) -> str:
        return f"{self.product} · {self.producer}"

    @property
    def certification(self) -> str:
        """The standard the whole offer may claim (its label): every lot holds a
        certificate of it that is still in force; "" otherwise. Reads prefetched shares."""
        certificates = [share.batch.certification for share in self.shares.all()]
        in_force = [c for c in certificates if c and c.status == c.Status.ACTIVE]
        if not certificates or len(in_force) < len(certificates):
            return ""
        if len({c.scheme for c in in_force}) != 1:
            return ""
        return in_force[0].get_scheme_display()


class OfferBatch(models.Model):
    """The share of a lot an offer sells, and how much of it confirmed orders took."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="shares")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="offer_shares")
    quantity = models.DecimalField(_("quantity offered"), **QUANTITY)
    allocated = models.DecimalField(_("quantity sold"), default=0, **QUANTITY)

    class Meta:
        verbose_name = _("lot on offer")
        verbose_name_plural = _("lots on offer")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "batch"], name="one_share_per_lot"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("quantity")),
                name="share_allocation_within_quantity",
            ),
        ]


class CartItem(models.Model):
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="cart_items")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "offer"], name="one_cart_line_per_offer")
        ]


class Order(models.Model):
    """What one buyer ordered from one producer; a checkout makes one order per producer."""

    class Status(models.TextChoices):
        PLACED = "placed", _("Waiting for the seller")
        CONFIRMED = "confirmed", _("Confirmed")
        READY = "ready", _("Ready for pickup")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Fulfilment(models.TextChoices):
        DELIVERY = "delivery", _("Delivery")
        PICKUP = "pickup", _("Pickup")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        _("order number"), max_length=12, unique=True, default=new_order_code, editable=False
    )
    checkout_id = models.UUIDField(_("checkout"), editable=False)
    buyer = models.ForeignKey(
        Buyer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("buyer")
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("seller")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLACED
    )
    fulfilment = models.CharField(_("fulfilment"), max_length=10, choices=Fulfilment.choices)
    delivery_address = models.CharField(_("delivery address"), max_length=255, blank=True)
    pickup_place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pickup point"),
    )
    note = models.CharField(_("note to the seller"), max_length=500, blank=True)
    total = models.PositiveBigIntegerField(_("total (VND)"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("placed by"),
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkout_id", "producer"], name="one_order_per_producer_per_checkout"
            )
        ]
        indexes = [
            models.Index(fields=["producer", "status"]),
            models.Index(fields=["buyer", "status"]),
            models.Index(fields=["status", "status_changed_at"]),
        ]

    def __str__(self) -> str:
        return self.code


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="order_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.PositiveBigIntegerField(_("unit price (VND)"))
    wholesale = models.BooleanField(_("wholesale price"), default=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity"),
            models.UniqueConstraint(fields=["order", "offer"], name="one_line_per_offer"),
        ]

    @property
    def amount(self) -> int:
        return round(self.quantity * self.unit_price)


class Allocation(models.Model):
    """Which lot a confirmed line is served from: the line's trace link."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    share = models.ForeignKey(OfferBatch, on_delete=models.PROTECT, related_name="allocations")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="allocations")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_quantity"),
        ]


class OrderStatusChange(models.Model):
    """Who moved an order to which state, when, and why."""

    # The app's key for the change: a resent change is applied once.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, choices=Order.Status.choices, blank=True)
    to_status = models.CharField(_("status"), max_length=10, choices=Order.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order.code}: {self.get_to_status_display()}"


class Notification(Notice):
    """A message to one person about an order change; sent (and retried) by Celery."""

    change = models.ForeignKey(
        OrderStatusChange,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("order status change"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["pk"]


class Review(models.Model):
    """A buyer's rating of a producer after an order was delivered."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="review")
    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("seller")
    )
    buyer = models.ForeignKey(
        Buyer, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("buyer")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("author")
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.CharField(_("review"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="stars_1_to_5")
        ]


class MarketPrice(models.Model):
    """A price seen at a market, entered by extension staff."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, verbose_name=_("product"))
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    district = models.CharField(_("district"), max_length=100)
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("market")
    )
    price_per_unit = models.PositiveBigIntegerField(_("price per unit (VND)"))
    observed_on = models.DateField(_("observed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("market price")
        verbose_name_plural = _("market prices")
        ordering = ["-observed_on"]
        indexes = [models.Index(fields=["observed_on"])]

    def __str__(self) -> str:
        return _("%(product)s: %(price)s per %(unit)s, %(district)s, %(day)s") % {
            "product": self.product,
            "price": format_vnd(self.price_per_unit),
            "unit": self.get_unit_display(),
            "district": self.district,
            "day": date_format(self.observed_on, "SHORT_DATE_FORMAT"),
        }


class DailyPrice(models.Model):
    """Prices of one product in one district on one day, from one source (aggregated)."""

    class Source(models.TextChoices):
        ORDERS = "orders", _("Completed orders")
        MARKET = "market", _("Market survey")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, verbose_name=_("product"))
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    district = models.CharField(_("district"), max_length=100)
    day = models.DateField(_("day"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    average_price = models.PositiveBigIntegerField(_("average price (VND)"))
    min_price = models.PositiveBigIntegerField(_("lowest price (VND)"))
    max_price = models.PositiveBigIntegerField(_("highest price (VND)"))
    volume = models.DecimalField(_("quantity sold"), default=0, **QUANTITY)
    samples = models.PositiveIntegerField(_("observations"))

    class Meta:
        verbose_name = _("daily price")
        verbose_name_plural = _("daily prices")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "unit", "district", "day", "source"], name="one_daily_price"
            )
        ]
        indexes = [models.Index(fields=["product", "unit", "day"])]


class Equipment(models.Model):
    """A machine or facility a producer lends to others by the day."""

    class Kind(models.TextChoices):
        TRACTOR = "tractor", _("Tractor")
        DRONE_SPRAYER = "drone_sprayer", _("Drone sprayer")
        DRYER = "dryer", _("Dryer")
        COLD_STORE = "cold_store", _("Cold store")
        OTHER = "other", _("Other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="equipment", verbose_name=_("owner")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    daily_price = models.PositiveBigIntegerField(_("price per day (VND)"))
    active = models.BooleanField(_("available for booking"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EquipmentBooking(models.Model):
    """Days a producer books equipment for; PostgreSQL refuses overlapping bookings."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("equipment")
    )
    booked_for = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("booked for")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    # Whole days, stored half-open: [first day, day after the last day).
    days = DateRangeField(_("days"))
    total_price = models.PositiveBigIntegerField(_("total (VND)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("equipment booking")
        verbose_name_plural = _("equipment bookings")
        ordering = ["days"]
        constraints = [
            ExclusionConstraint(
                name="no_double_booking",
                expressions=[
                    ("equipment", RangeOperators.EQUAL),
                    ("days", RangeOperators.OVERLAPS),
                ],
                condition=Q(status="booked"),
            )
        ]
