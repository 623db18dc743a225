"""Producers, the people who act for them, their land, and the shared catalogues."""

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.phone import ContactPhoneField
from backend.gs1 import validate_gln, validate_gtin
from farms.opening_hours import validate_opening_hours

LOCATION_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32


def new_location_code() -> str:
    """A stable, unguessable code for a place, used in trace records and exports."""
    return "L" + "".join(secrets.choice(LOCATION_CODE_ALPHABET) for _ in range(9))


class Unit(models.TextChoices):
    KILOGRAM = "kg", _("kg")
    TONNE = "tan", _("tonne")
    BUNCH = "bo", _("bunch")
    FRUIT = "qua", _("piece")
    HEAD = "con", _("head")
    LITRE = "lit", _("litre")


_KILOGRAMS = {Unit.KILOGRAM: 1, Unit.TONNE: 1000}


def convert_quantity(quantity: Decimal, unit: str, target: str) -> Decimal | None:
    """``quantity`` in ``unit`` expressed in ``target``, or None when the two do not
    convert (bunches and fruits are counted, not weighed)."""
    if unit == target:
        return quantity
    if unit in _KILOGRAMS and target in _KILOGRAMS:
        return quantity * _KILOGRAMS[unit] / _KILOGRAMS[target]
    return None


class Product(models.Model):
    """An entry in the crop and product catalogue (rau muống, gạo ST25 túi 5 kg…)."""

    class Category(models.TextChoices):
        VEGETABLE = "vegetable", _("Vegetable")
        FRUIT = "fruit", _("Fruit")
        GRAIN = "grain", _("Grain")
        LIVESTOCK = "livestock", _("Livestock")
        AQUACULTURE = "aquaculture", _("Aquaculture")
        PROCESSED = "processed", _("Processed food")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.KILOGRAM)
    gtin = models.CharField(
        _("GTIN"),
        max_length=14,
        blank=True,
        validators=[validate_gtin],
        help_text=_("Barcode number of the packed product, if it has one."),
    )
    shelf_life_days = models.PositiveIntegerField(
        _("shelf life (days)"),
        null=True,
        blank=True,
        help_text=_("Days from production to expiry, if the product has a shelf life."),
    )
    image = models.ImageField(_("image"), upload_to="products/", blank=True)
    max_yield_per_ha = models.DecimalField(
        _("highest plausible harvest per hectare"),
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "In the product's unit, for one harvest (one cutting of a leafy vegetable). A "
            "harvest above it for its plots' area is refused as a typing slip."
        ),
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name_vi"]
        constraints = [
            models.UniqueConstraint(
                fields=["gtin"], condition=~Q(gtin=""), name="unique_product_gtin"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language: Vietnamese unless English is active."""
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_vi


class ProductConversion(models.Model):
    """What one product may be made into, and how much of it comes from one unit: paddy
    into milled rice (0.60–0.72 kg a kg), rice into 5 kg bags (0.2 a kg). A processing
    the catalogue does not list, or a yield outside its range, is refused."""

    source = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="conversions", verbose_name=_("from")
    )
    result = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("into")
    )
    min_yield = models.DecimalField(_("lowest yield"), max_digits=10, decimal_places=4)
    max_yield = models.DecimalField(_("highest yield"), max_digits=10, decimal_places=4)
    keeps_certification = models.BooleanField(
        _("keeps the certificate"),
        default=False,
        help_text=_(
            "Whether the standard lets the result carry its input's certificate (packing "
            "does; VietGAP certifies growing, not milling)."
        ),
    )

    class Meta:
        verbose_name = _("product conversion")
        verbose_name_plural = _("product conversions")
        constraints = [
            models.UniqueConstraint(fields=["source", "result"], name="one_conversion_per_pair"),
            models.CheckConstraint(
                condition=Q(min_yield__gt=0) & Q(max_yield__gte=F("min_yield")),
                name="conversion_yield_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.result}"


class AgriculturalInput(models.Model):
    """Fertilisers, pesticides and other inputs: one catalogue for traces and advice."""

    class Kind(models.TextChoices):
        PESTICIDE = "pesticide", _("Pesticide")
        FERTILIZER = "fertilizer", _("Fertilizer")
        SEED = "seed", _("Seed or seedling")
        OTHER = "other", _("Other")

    name = models.CharField(_("trade name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    active_ingredient = models.CharField(_("active ingredient"), max_length=200, blank=True)
    pre_harvest_interval_days = models.PositiveSmallIntegerField(
        _("pre-harvest interval (days)"),
        default=0,
        help_text=_("Days that must pass between the last application and harvest."),
    )
    allowed_in_organic = models.BooleanField(
        _("allowed in organic farming"),
        default=False,
        help_text=_("Listed as permitted by the organic standard (TCVN 11041)."),
    )

    class Meta:
        verbose_name = _("agricultural input")
        verbose_name_plural = _("agricultural inputs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Producer(models.Model):
    """A farm household, a cooperative (hợp tác xã) or an enterprise."""

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("Farm household")
        COOPERATIVE = "cooperative", _("Cooperative")
        ENTERPRISE = "enterprise", _("Enterprise")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    registration_code = models.CharField(
        _("registration code"),
        max_length=32,
        blank=True,
        help_text=_("Business or cooperative registration number, or tax code."),
    )
    gln = models.CharField(_("GLN"), max_length=13, blank=True, validators=[validate_gln])
    cooperative = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_farms",
        verbose_name=_("member of cooperative"),
        limit_choices_to={"kind": Kind.COOPERATIVE},
    )
    description = models.TextField(_("public description"), blank=True)
    # Public address: administrative units only.
    commune = models.CharField(_("commune"), max_length=100)
    district = models.CharField(_("district"), max_length=100)
    province = models.CharField(_("province"), max_length=100, default="Hà Nội")
    # Private: never shown on public pages.
    street_address = models.CharField(_("street address (private)"), max_length=255, blank=True)
    location = models.PointField(_("location (private)"), srid=4326, null=True, blank=True)
    contact_name = models.CharField(_("contact person (private)"), max_length=150, blank=True)
    contact_phone = ContactPhoneField(_("contact phone (private)"), blank=True)
    contact_email = models.EmailField(_("contact email (private)"), blank=True)
    # Public, for the map: the centre of the producer's plots (never its premises), and a
    # cooperative's area (the hull of its and its members' plots). See farms.services.
    public_point = models.PointField(srid=4326, null=True, blank=True, editable=False)
    cooperative_area = models.PolygonField(srid=4326, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_code"],
                condition=~Q(registration_code=""),
                name="unique_producer_registration_code",
            ),
            models.CheckConstraint(
                condition=Q(cooperative__isnull=True) | ~Q(kind="cooperative"),
                name="cooperative_not_member_of_cooperative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_address(self) -> str:
        """Commune, district, province: the only address shown to the public."""
        return ", ".join(part for part in (self.commune, self.district, self.province) if part)

    @property
    def public_registration_code(self) -> str:
        """A household's code is often its owner's personal identity number: not public."""
        return "" if self.kind == self.Kind.HOUSEHOLD else self.registration_code


class Membership(models.Model):
    """A person acting for a producer, with a role."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("producer")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "producer"], name="one_membership_per_producer")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.producer} ({self.get_role_display()})"


class Plot(models.Model):
    """A production area (thửa, khu sản xuất) drawn as a polygon."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="plots", verbose_name=_("producer")
    )
    name = models.CharField(_("name"), max_length=120)
    location_code = models.CharField(
        _("location code"), max_length=12, unique=True, default=new_location_code, editable=False
    )
    gln = models.CharField(_("GLN"), max_length=13, blank=True, validators=[validate_gln])
    geometry = models.PolygonField(_("boundary"), srid=4326)
    area_m2 = models.FloatField(_("area (m²)"), editable=False)
    crop = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plots",
        verbose_name=_("current crop"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("plot")
        verbose_name_plural = _("plots")
        ordering = ["producer", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.producer})"


class PlotHandover(models.Model):
    """Land changing hands (a lease ends, a plot is rented out): from then on the plot is
    the history of the land, and the new holder registers it as a plot of its own, which
    may overlap this one. What was sprayed and planted there stays with the land."""

    plot = models.OneToOneField(
        Plot, on_delete=models.PROTECT, related_name="handover", verbose_name=_("plot")
    )
    to_producer = models.ForeignKey(
        Producer,
        on_delete=models.PROTECT,
        related_name="plots_received",
        verbose_name=_("handed over to"),
    )
    handed_over_on = models.DateField(_("handed over on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("land handover")
        verbose_name_plural = _("land handovers")

    def __str__(self) -> str:
        return f"{self.plot} → {self.to_producer}"


class Certification(models.Model):
    """A certificate (VietGAP, GlobalGAP, organic…) covering some of a producer's plots."""

    class Scheme(models.TextChoices):
        VIETGAP = "vietgap", "VietGAP"
        GLOBALGAP = "globalgap", "GlobalG.A.P."
        ORGANIC = "organic", _("Organic")
        OTHER = "other", _("Other standard")

    producer = models.ForeignKey(
        Producer,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("producer"),
    )
    scheme = models.CharField(_("standard"), max_length=20, choices=Scheme.choices)
    number = models.CharField(_("certificate number"), max_length=60)
    issued_by = models.CharField(_("certifying body"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    plots = models.ManyToManyField(
        Plot, related_name="certifications", blank=True, verbose_name=_("plots covered")
    )
    products = models.ManyToManyField(
        Product,
        related_name="certifications",
        blank=True,
        verbose_name=_("products covered"),
        help_text=_("A lot claims the certificate only for the products it lists."),
    )
    area_ha = models.DecimalField(
        _("certified area (ha)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    max_volume_kg = models.DecimalField(
        _("certified volume (kg)"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("The most its lots may claim over its validity; empty when not stated."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_note = models.CharField(_("why suspended or withdrawn"), max_length=300, blank=True)
    # Set by an inspector who checked the paper certificate; cleared when it is edited.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
        editable=False,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-valid_to"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")),
                name="certification_valid_to_after_valid_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.number}"

    def is_valid_on(self, day) -> bool:
        return self.status == self.Status.ACTIVE and self.valid_from <= day <= self.valid_to


class Place(models.Model):
    """A place that is not a plot: packing house, warehouse, market, shop…"""

    class Kind(models.TextChoices):
        PACKING_HOUSE = "packing_house", _("Packing house")
        WAREHOUSE = "warehouse", _("Warehouse or cold store")
        PROCESSING = "processing", _("Processing facility")
        MARKET = "market", _("Market")
        SUPERMARKET = "supermarket", _("Supermarket")
        SHOP = "shop", _("Shop")
        RESTAURANT = "restaurant", _("Restaurant or kitchen")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    producer = models.ForeignKey(
        Producer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="places",
        verbose_name=_("operated by producer"),
    )
    location_code = models.CharField(
        _("location code"), max_length=12, unique=True, default=new_location_code, editable=False
    )
    gln = models.CharField(_("GLN"), max_length=13, blank=True, validators=[validate_gln])
    address = models.CharField(_("address"), max_length=255, blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, default="Hà Nội")
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_('For example "Mo-Sa 05:00-11:00,15:00-19:00; Su off" or "24/7".'),
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SoilSample(models.Model):
    """A soil test of a plot, as the laboratory reported it. Labs report different
    subsets, so each measure is optional; at least one must be given."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plot = models.ForeignKey(
        Plot, on_delete=models.CASCADE, related_name="soil_samples", verbose_name=_("plot")
    )
    sampled_on = models.DateField(_("sampled on"))
    laboratory = models.CharField(_("laboratory"), max_length=200)
    ph = models.DecimalField(_("pH (KCl)"), max_digits=3, decimal_places=1, null=True, blank=True)
    organic_matter = models.DecimalField(
        _("organic matter (%)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    nitrogen = models.DecimalField(
        _("total nitrogen N (%)"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    phosphorus = models.DecimalField(
        _("available phosphorus P₂O₅ (mg/100 g)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )
    potassium = models.DecimalField(
        _("available potassium K₂O (mg/100 g)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )
    salinity = models.DecimalField(
        _("salinity EC (dS/m)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("soil sample")
        verbose_name_plural = _("soil samples")
        ordering = ["plot", "-sampled_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ph__isnull=True) | Q(ph__gte=0, ph__lte=14), name="soil_ph_range"
            ),
            models.CheckConstraint(
                condition=Q(organic_matter__isnull=True)
                | Q(organic_matter__gte=0, organic_matter__lte=100),
                name="soil_organic_matter_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plot} · {self.sampled_on}"
