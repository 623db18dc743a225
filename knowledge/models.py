"""The agricultural knowledge base: articles with their full history, proposals from
farmers, and pest entries whose treatments use the shared catalogue of inputs."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from farms.models import AgriculturalInput, Product

LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]


class Category(models.TextChoices):
    CULTIVATION = "cultivation", _("Cultivation")
    PESTS = "pests", _("Pests and diseases")
    FERTILIZER = "fertilizer", _("Fertilizer")
    IRRIGATION = "irrigation", _("Irrigation")
    HARVEST = "harvest", _("Harvest and post-harvest")
    STANDARDS = "standards", _("VietGAP and organic standards")
    MARKET = "market", _("Market")


class Article(models.Model):
    """One article in one language. Its text lives in revisions; the fields below mirror
    the current revision so that reading and searching never join the history."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="vi")
    # The Vietnamese article this one translates (an English version), if any.
    original = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    crops = models.ManyToManyField(
        Product, blank=True, related_name="articles", verbose_name=_("crops")
    )
    # Months of the year the advice is for (1–12); empty means all year.
    months = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("Empty: everywhere.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=200, editable=False)
    summary = models.CharField(_("summary"), max_length=500, editable=False)
    body_html = models.TextField(editable=False)  # sanitized rendering of the Markdown
    current_revision = models.ForeignKey(
        "Revision", on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["original", "language"], name="one_translation_per_language"
            )
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="article_search_vector"),
            models.Index(fields=["status", "category"]),
            models.Index(fields=["updated_at"]),
            GinIndex(fields=["months"], name="article_months"),
        ]

    def __str__(self) -> str:
        return self.title or self.slug


class Revision(models.Model):
    """One saved state of an article: nothing an edit replaces is ever lost."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("text (Markdown)"))
    sources = models.TextField(_("sources"), blank=True, help_text=_("One per line."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="one_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.article.slug} #{self.number}"


class Proposal(models.Model):
    """What a farmer sends in: a new article, an edit, a field tip or a question."""

    class Kind(models.TextChoices):
        NEW_ARTICLE = "new_article", _("New article")
        EDIT = "edit", _("Edit of an article")
        TIP = "tip", _("Field tip")
        QUESTION = "question", _("Question")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        ANSWERED = "answered", _("Answered")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("article"),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("text (Markdown)"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)  # to a question
    # The revision that accepting the proposal made, if any.
    revision = models.ForeignKey(
        Revision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="edit") | Q(article__isnull=False), name="edit_names_article"
            )
        ]

    def __str__(self) -> str:
        return self.title


class PestProfile(models.Model):
    """The structured part of a pest or disease article: what it looks like and what
    treats it, with pesticides from the same catalogue the traceability rules use."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="pest")
    scientific_name = models.CharField(_("scientific name"), max_length=150, blank=True)
    symptoms = models.TextField(_("symptoms"))

    class Meta:
        verbose_name = _("pest or disease")
        verbose_name_plural = _("pests and diseases")

    def __str__(self) -> str:
        return str(self.article)


class Treatment(models.Model):
    pest = models.ForeignKey(PestProfile, on_delete=models.CASCADE, related_name="treatments")
    agricultural_input = models.ForeignKey(
        AgriculturalInput,
        on_delete=models.PROTECT,
        related_name="treatments",
        verbose_name=_("product (catalogue)"),
    )
    dose = models.CharField(_("dose"), max_length=100, blank=True)
    note = models.CharField(_("how and when"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("treatment")
        verbose_name_plural = _("treatments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.agricultural_input)

    @property
    def pre_harvest_interval_days(self) -> int:
        """From the catalogue the traceability rules use: one number for both."""
        return self.agricultural_input.pre_harvest_interval_days


class ArticleImage(models.Model):
    """A photo of an article (for a pest entry: its symptoms), uploaded by an editor,
    checked and re-encoded without metadata (backend.images)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="images", verbose_name=_("article")
    )
    image = models.ImageField(_("photo"), upload_to="knowledge/%Y/%m/")
    thumbnail = models.ImageField(upload_to="knowledge/thumbs/%Y/%m/", editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    caption = models.CharField(_("caption"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["article", "pk"]

    def __str__(self) -> str:
        return self.caption
