"""Batches (lots), their trace events, and the QR labels that lead consumers to them."""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.core.files.storage import storages
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.phone import ContactPhoneField
from backend.gs1 import validate_gln
from backend.notices import Notice
from farms.models import AgriculturalInput, Certification, Place, Plot, Producer, Product, Unit
from traceability.steps import BusinessStep, EventType

QUANTITY = {"max_digits": 14, "decimal_places": 3}


def private_storage():
    return storages["private"]


def default_max_scans() -> int:
    return settings.LABEL_DEFAULT_MAX_SCANS


def default_max_spread_km() -> int:
    return settings.LABEL_DEFAULT_MAX_SPREAD_KM


class Batch(models.Model):
    """A lot: a quantity of one product from one producer, with a life of trace events."""

    class Status(models.TextChoices):
        GROWING = "growing", _("Growing")
        ACTIVE = "active", _("In stock")
        DEPLETED = "depleted", _("Used up")
        RECALLED = "recalled", _("Recalled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("lot code"), max_length=20, unique=True, editable=False)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="batches", verbose_name=_("product")
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="batches", verbose_name=_("producer")
    )
    origin_plots = models.ManyToManyField(
        Plot, related_name="batches", blank=True, verbose_name=_("origin plots")
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    quantity = models.DecimalField(_("quantity"), default=0, **QUANTITY)
    remaining_quantity = models.DecimalField(_("remaining quantity"), default=0, **QUANTITY)
    # Promised to confirmed sales and not yet shipped: no other step may use it.
    reserved_quantity = models.DecimalField(
        _("reserved for sales"), default=0, editable=False, **QUANTITY
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.GROWING
    )
    harvest_date = models.DateField(_("harvest date"), null=True, blank=True)
    produced_on = models.DateField(_("production date"), null=True, blank=True)
    # Fixed when the lot begins (the catalogue's shelf life may change later); a split or
    # merge keeps its parents' earliest.
    use_by = models.DateField(_("use by"), null=True, blank=True)
    certification = models.ForeignKey(
        Certification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("certification"),
    )
    recall_reason = models.TextField(_("recall reason"), blank=True)
    # Kept from sale and labels while a hold is open (see Hold).
    on_hold = models.BooleanField(_("on hold"), default=False)
    # How many scans per label, and how far apart, are normal for this batch.
    max_scans_per_label = models.PositiveIntegerField(
        _("normal scans per label"), default=default_max_scans
    )
    max_scan_spread_km = models.PositiveIntegerField(
        _("normal scan spread (km)"), default=default_max_spread_km
    )
    # Head of the hash chain over this batch's events (tamper evidence).
    event_count = models.PositiveIntegerField(_("number of events"), default=0, editable=False)
    chain_head = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining_quantity__gte=0), name="batch_remaining_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(remaining_quantity__lte=F("quantity")),
                name="batch_remaining_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(reserved_quantity__gte=0)
                & Q(reserved_quantity__lte=F("remaining_quantity")),
                name="batch_reserved_within_remaining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.product}"

    @property
    def expired(self) -> bool:
        return self.use_by is not None and self.use_by < timezone.localdate()

    @property
    def free_quantity(self):
        """What the lot holds that no confirmed sale has been promised."""
        return self.remaining_quantity - self.reserved_quantity


class Party(models.Model):
    """Someone a lot came from or went to, "one step before, one step after": a trader
    (thương lái), a wholesale stall, a supermarket, a restaurant, with or without an
    account here. Its phone is private; a person's name is not shown on public pages."""

    class Kind(models.TextChoices):
        TRADER = "trader", _("Trader")
        WHOLESALE_STALL = "wholesale_stall", _("Wholesale market stall")
        RETAIL_SHOP = "retail_shop", _("Shop or market stall")
        SUPERMARKET = "supermarket", _("Supermarket")
        RESTAURANT = "restaurant", _("Restaurant or hotel")
        KITCHEN = "kitchen", _("School or canteen kitchen")
        PROCESSOR = "processor", _("Processor or packer")
        HOUSEHOLD = "household", _("Household")
        OTHER = "other", _("Other")

    # Named on public pages; a stall or a trader is a person's business, named only when
    # it gives a tax code or a GLN.
    ORGANISATIONS = (
        Kind.SUPERMARKET,
        Kind.RESTAURANT,
        Kind.KITCHEN,
        Kind.PROCESSOR,
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100)
    province = models.CharField(_("province"), max_length=100, default="Hà Nội")
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    gln = models.CharField(_("GLN"), max_length=13, blank=True, validators=[validate_gln])
    phone = ContactPhoneField(_("phone (private)"), blank=True)
    # The market's buyer this party stands for, when it has an account here.
    buyer_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    registered_by = models.ForeignKey(
        Producer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("trading partner")
        verbose_name_plural = _("trading partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.district})"

    @property
    def is_organisation(self) -> bool:
        return bool(self.tax_code or self.gln) or self.kind in self.ORGANISATIONS

    @property
    def public_name(self) -> str:
        """Organisations by name; a person (a trader, a household) and a market buyer (whose
        suppliers are its own business) by kind and district."""
        if self.is_organisation and self.buyer_uuid is None:
            return self.name
        return f"{self.get_kind_display()} · {self.district}"


class BatchLink(models.Model):
    """A quantity of ``parent`` that went into ``child`` by a split, merge or transform."""

    class Kind(models.TextChoices):
        SPLIT = "split", _("Split")
        MERGE = "merge", _("Merge")
        TRANSFORM = "transform", _("Transform")

    parent = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="child_links", verbose_name=_("source lot")
    )
    child = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="parent_links", verbose_name=_("new lot")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity taken"), **QUANTITY)
    transformation_id = models.UUIDField()

    class Meta:
        verbose_name = _("batch link")
        verbose_name_plural = _("batch links")
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="one_link_per_pair"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="link_quantity_positive"),
            models.CheckConstraint(condition=~Q(parent=F("child")), name="link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class TraceEventQuerySet(models.QuerySet):
    def standing(self):
        """Events no correction has declared wrong (the record the rules read)."""
        return self.filter(corrections__isnull=True)


class TraceEvent(models.Model):
    """What happened to a batch: when, where, by whom and why (GS1 EPCIS 2.0 shaped).

    Events are append-only; each carries a SHA-256 hash chained over its batch's
    previous event, so any later change to a stored row is detectable. A wrong event is
    never edited: a correction (another event) declares it wrong and points at it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="events", verbose_name=_("batch")
    )
    sequence = models.PositiveIntegerField(editable=False)
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    action = models.CharField(max_length=8, default="OBSERVE")
    business_step = models.CharField(_("step"), max_length=20, choices=BusinessStep.choices)
    disposition = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField(_("time"))
    time_zone_offset = models.CharField(max_length=6, default="+07:00")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    plot = models.ForeignKey(
        Plot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("plot"),
    )
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("place"),
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="events", verbose_name=_("by producer")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    quantity = models.DecimalField(_("quantity"), null=True, blank=True, **QUANTITY)
    notes = models.TextField(_("notes"), blank=True)
    transformation_id = models.UUIDField(null=True, blank=True)
    # Lots this event links to (transformations) and other structured facts; hashed.
    details = models.JSONField(default=dict, blank=True)
    # Who the lot went to (a shipping) or came from (a receiving): one step after, before.
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("to or from"),
    )
    # Who acted, when it was not the lot's producer (a restaurant receiving it).
    actor = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acts",
        verbose_name=_("recorded for"),
    )
    # Set on a correction only: the event it declares wrong (also in its hashed details).
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = TraceEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("trace event")
        verbose_name_plural = _("trace events")
        ordering = ["batch", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "sequence"], name="one_event_per_position"),
            # A transformation is written once on each lot it touches, however often its
            # client sends it (see backend.idempotency).
            models.UniqueConstraint(
                fields=["batch", "transformation_id"],
                condition=Q(transformation_id__isnull=False),
                name="one_event_per_transformation_and_lot",
            ),
            models.CheckConstraint(
                condition=Q(plot__isnull=True) | Q(place__isnull=True),
                name="event_at_plot_or_place",
            ),
            # An event is declared wrong once (a correction can itself be corrected).
            models.UniqueConstraint(
                fields=["corrects"], condition=Q(corrects__isnull=False), name="one_correction"
            ),
        ]
        indexes = [
            models.Index(fields=["business_step", "occurred_at"]),
            # The EPCIS interface shows a transformation once, from its first stored row.
            models.Index(
                fields=["transformation_id"],
                condition=Q(transformation_id__isnull=False),
                name="event_transformation_idx",
            ),
            # Its query pages run in recording order, or in time order when asked by time.
            models.Index(fields=["recorded_at", "id"], name="event_recorded_idx"),
            models.Index(fields=["occurred_at", "id"], name="event_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.batch.code} #{self.sequence} {self.get_business_step_display()}"


class EventInput(models.Model):
    """An input applied in an event, with the pre-harvest interval in force at the time."""

    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="inputs")
    agricultural_input = models.ForeignKey(
        AgriculturalInput,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catalogue entry"),
    )
    name = models.CharField(_("input"), max_length=150)
    active_ingredient = models.CharField(_("active ingredient"), max_length=200, blank=True)
    dose = models.DecimalField(_("dose"), null=True, blank=True, **QUANTITY)
    dose_unit = models.CharField(_("dose unit"), max_length=40, blank=True)
    pre_harvest_interval_days = models.PositiveSmallIntegerField(
        _("pre-harvest interval (days)"), default=0
    )

    class Meta:
        verbose_name = _("input used")
        verbose_name_plural = _("inputs used")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class EventPhoto(models.Model):
    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="events/%Y/%m/")
    sha256 = models.CharField(max_length=64, editable=False)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="events/thumbs/%Y/%m/", blank=True)
    # Only when the farmer chose to keep where the photo was taken (private, never public).
    location = models.PointField(_("where taken"), srid=4326, null=True, blank=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["pk"]


class Hold(models.Model):
    """A lot kept from sale and labels, because a rule says its produce may be unsafe,
    until an inspector releases it (after a residue test, say) or it is recalled. Its
    placing and lifting are also events in the lot's chain."""

    class Reason(models.TextChoices):
        PRE_HARVEST_INTERVAL = "pre_harvest_interval", _("Harvested inside a waiting period")
        FAILED_CHECK = "failed_check", _("Failed an inspection or laboratory test")
        MADE_FROM_HELD_LOT = "made_from_held_lot", _("Made from a lot on hold")

    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, related_name="holds", verbose_name=_("batch")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    explanation = models.TextField(
        _("explanation"), help_text=_("What happened, for the producer, inspectors and consumers.")
    )
    cause = models.ForeignKey(
        "TraceEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holds_caused",
        verbose_name=_("caused by"),
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    release_note = models.TextField(_("why it was released"), blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-placed_at"]
        indexes = [
            models.Index(fields=["batch"], condition=Q(released_at__isnull=True), name="open_holds")
        ]

    def __str__(self) -> str:
        return f"{self.batch.code} · {self.get_reason_display()}"


class RecallNotice(Notice):
    """Telling one person or partner of a recall: the producers whose lots it reached, the
    partners still holding some, the market buyers who bought from them."""

    recall = models.ForeignKey(
        TraceEvent,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("recall"),
        limit_choices_to={"business_step": BusinessStep.RECALLING},
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recall_notices",
        verbose_name=_("partner"),
    )
    lots = models.CharField(_("lots it holds"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recall notice")
        verbose_name_plural = _("recall notices")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=True) ^ Q(party__isnull=True),
                name="recall_notice_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["recall", "recipient", "channel"], name="recall_notice_once_per_person"
            ),
            models.UniqueConstraint(
                fields=["recall", "party", "channel"], name="recall_notice_once_per_partner"
            ),
        ]


class LabelSheet(models.Model):
    """A print-ready PDF of serialized labels, made by a Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="label_sheets", verbose_name=_("batch")
    )
    layout = models.CharField(_("sticker layout"), max_length=20)
    label_count = models.PositiveIntegerField(_("number of labels"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("PDF"), storage=private_storage, upload_to="labels/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("label sheet")
        verbose_name_plural = _("label sheets")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.batch.code} × {self.label_count}"


class Label(models.Model):
    """One serialized QR label; its scans expose copies.

    The copy evidence since the label was last checked: counted scans, the distinct
    networks they came from (as keyed 16-bit buckets, see ``services.scans``) and the
    widest distance between two shared locations. ``suspicion`` is for the producer and
    inspectors; consumers are warned only when ``public_warning`` is set, that is when
    the evidence comes from many networks (one person cannot make it up).
    """

    class Suspicion(models.TextChoices):
        NONE = "", _("None")
        TOO_MANY_SCANS = "too_many_scans", _("Scanned far more often than normal")
        FAR_APART = "far_apart", _("Scanned in places far apart")
        REPORTED = "reported", _("Reported by a consumer")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="labels")
    sheet = models.ForeignKey(
        LabelSheet, on_delete=models.PROTECT, null=True, blank=True, related_name="labels"
    )
    serial = models.CharField(_("serial"), max_length=20, unique=True, editable=False)
    spread_km = models.PositiveIntegerField(_("scan spread (km)"), default=0, editable=False)
    suspicion = models.CharField(
        _("suspected copy"), max_length=20, choices=Suspicion.choices, blank=True
    )
    public_warning = models.BooleanField(_("consumers warned"), default=False)
    # When someone who may recall the batch last checked the label; counting restarts.
    reviewed_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["pk"]
        indexes = [
            # Staff pages count each batch's suspected labels among thousands of others.
            models.Index(
                fields=["batch"], condition=~Q(suspicion=""), name="label_suspected_batch_idx"
            )
        ]

    def __str__(self) -> str:
        return self.serial


class CopyReport(models.Model):
    """A consumer's report that a label looks copied (a shop, a price or a package that
    does not match). Evidence for staff only, since one person can send it: it never
    warns consumers by itself. One per network and label, like a scan's source."""

    label = models.ForeignKey(
        Label, on_delete=models.CASCADE, related_name="copy_reports", verbose_name=_("label")
    )
    source = models.IntegerField(editable=False)  # the network's bucket, as Scan.source
    bought_at = models.CharField(_("where it was bought"), max_length=200, blank=True)
    note = models.TextField(_("what looks wrong"), max_length=1000, blank=True)
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report of a copied label")
        verbose_name_plural = _("reports of copied labels")
        constraints = [
            models.UniqueConstraint(fields=["label", "source"], name="one_report_per_network")
        ]


class Scan(models.Model):
    """One scan of a label: a time, a network bucket and, if the consumer shared it, a
    coarse location."""

    # Indexed below with the time (a scan is one insert: no index it does not need).
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="scans", db_index=False)
    scanned_at = models.DateTimeField(auto_now_add=True)
    # The scan's network as a 16-bit bucket keyed per label: tells two networks apart,
    # never which network (tens of thousands of addresses share each bucket).
    source = models.IntegerField(null=True, blank=True, editable=False)
    # Never searched by area: compared label by label (see services.scans).
    location = models.PointField(srid=4326, null=True, blank=True, spatial_index=False)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [
            # Copy detection reads a label's latest scans and their networks from here.
            models.Index(fields=["label", "scanned_at"], include=["source"], name="scan_label_idx"),
            models.Index(
                fields=["label", "scanned_at"],
                condition=Q(location__isnull=False),
                name="scan_located_idx",
            ),
        ]


class ApiKey(models.Model):
    """A key another system uses on the EPCIS interface (``Authorization: Bearer …``), for
    one organisation: a trading partner (it sees and writes what it handled), a producer
    (its own records) or an inspection body (every record). Only a hash is stored: the
    key itself is shown once, when it is made."""

    class Scope(models.TextChoices):
        PARTNER = "partner", _("Trading partner")
        PRODUCER = "producer", _("Producer")
        INSPECTION = "inspection", _("Inspection body")

    name = models.CharField(_("name"), max_length=120)
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("trading partner"),
    )
    producer = models.ForeignKey(
        Producer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("producer"),
    )
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("EPCIS API key")
        verbose_name_plural = _("EPCIS API keys")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="partner", party__isnull=False, producer__isnull=True)
                    | Q(scope="producer", producer__isnull=False, party__isnull=True)
                    | Q(scope="inspection", party__isnull=True, producer__isnull=True)
                ),
                name="api_key_names_its_holder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CaptureJob(models.Model):
    """An EPCIS document a trading partner sent to the capture interface, and what came
    of it: written by a Celery worker, all or nothing unless the partner asked otherwise."""

    class Behaviour(models.TextChoices):
        ROLLBACK = "rollback", _("All or nothing")
        PROCEED = "proceed", _("Keep what is valid")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, related_name="capture_jobs", verbose_name=_("key")
    )
    error_behaviour = models.CharField(
        _("on error"), max_length=10, choices=Behaviour.choices, default=Behaviour.ROLLBACK
    )
    # The document as sent: the evidence of what the partner declared.
    document = models.JSONField(_("document"))
    running = models.BooleanField(_("running"), default=True)
    success = models.BooleanField(_("success"), default=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    captured = models.PositiveIntegerField(_("events captured"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("EPCIS capture job")
        verbose_name_plural = _("EPCIS capture jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["api_key", "-created_at"])]

    def __str__(self) -> str:
        return str(self.uuid)
