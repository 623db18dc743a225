"""Writing articles: every save is a revision, nothing an edit replaces is lost, and any
old revision can be brought back (services.compare shows what changed)."""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from backend.text import without_controls
from farms.models import Product
from knowledge.error_codes import KnowledgeErrorCode
from knowledge.models import LANGUAGES, Article, Category, Revision
from knowledge.permissions import require_editor
from knowledge.rendering import render

SEARCH_CONFIG = "nongsan_unaccent"
MAX_BODY = 100_000
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
BLANK_RUN = re.compile(r"\n(?:[ \t]*\n){2,}")  # more than one empty line says nothing more
RESERVED_SLUGS = {"staff", "propose", "mine"}  # paths of the knowledge pages


@dataclass
class ArticleText:
    title: str
    summary: str
    body: str  # Markdown
    sources: str = ""

    @classmethod
    def of(cls, saved) -> "ArticleText":
        """The text of a revision or a proposal (proposals carry no sources)."""
        return cls(saved.title, saved.summary, saved.body, getattr(saved, "sources", ""))

    def lines(self) -> list[str]:
        body, sources = self.body.splitlines(), self.sources.splitlines()
        return [f"# {self.title}", "", self.summary, "", *body, "", *sources]

    def cleaned(self) -> "ArticleText":
        text = ArticleText(
            (self.title or "").strip(),
            (self.summary or "").strip(),
            BLANK_RUN.sub("\n\n", (self.body or "").strip()),
            (self.sources or "").strip(),
        )
        if not 0 < len(text.title) <= 200:
            raise field_error(
                "title", _("Give a title of at most 200 characters."), KnowledgeErrorCode.TITLE
            )
        if len(text.summary) > 500:
            raise field_error(
                "summary", _("A summary is at most 500 characters."), KnowledgeErrorCode.SUMMARY
            )
        if not 0 < len(text.body) <= MAX_BODY:
            raise field_error(
                "body",
                _("Write the article (at most 100,000 characters)."),
                KnowledgeErrorCode.BODY,
            )
        without_controls(text.title, "title")
        without_controls(text.summary, "summary", paragraph=True)
        without_controls(text.body, "body", paragraph=True)
        without_controls(text.sources, "sources", paragraph=True)
        return text


def check_slug(slug: str) -> None:
    """An article's address: free, not one of the knowledge pages' own paths."""
    if not SLUG.match(slug or "") or len(slug) > 120 or slug in RESERVED_SLUGS:
        raise field_error(
            "slug", _("Use lower-case letters, digits and dashes."), KnowledgeErrorCode.SLUG
        )
    if Article.objects.filter(slug=slug).exists():
        raise field_error("slug", _("This address is taken."), KnowledgeErrorCode.SLUG_TAKEN)


def slug_for(title: str) -> str:
    """A valid address made from a title (Vietnamese letters lose their marks)."""
    base = slugify(title.replace("đ", "d").replace("Đ", "D")).replace("_", "-")
    base = re.sub(r"-+", "-", base)[:100].strip("-")
    return base if base and base not in RESERVED_SLUGS else f"bai-viet-{base}".strip("-")


@dataclass
class Placement:
    """Where an article belongs: its category, crops, months and region."""

    category: str
    crops: list[Product]
    months: list[int]
    region: str = ""

    def check(self) -> None:
        if self.category not in Category.values:
            raise field_error("category", _("Choose a category."), CommonErrorCode.INVALID_CHOICE)
        if any(not 1 <= month <= 12 for month in self.months):
            raise field_error("months", _("Months are 1 to 12."), KnowledgeErrorCode.INVALID_MONTH)
        if len(self.region) > 100:
            raise field_error(
                "region", _("A region is at most 100 characters."), KnowledgeErrorCode.REGION
            )


def _save_revision(article: Article, text: ArticleText, actor, message: str) -> Revision:
    """Add a revision and make it current, with the rendering and the search index."""
    number = (article.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
    revision = Revision.objects.create(
        article=article,
        number=number,
        title=text.title,
        summary=text.summary,
        body=text.body,
        sources=text.sources,
        author=actor,
        message=(message or "").strip()[:300],
    )
    article.title, article.summary = text.title, text.summary
    article.body_html = render(text.body)
    article.current_revision = revision
    article.save()
    Article.objects.filter(pk=article.pk).update(
        search_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_html", weight="C", config=SEARCH_CONFIG)
    )
    return revision


def _place(article: Article, placement: Placement) -> None:
    placement.check()
    article.category = placement.category
    article.months = sorted(set(placement.months))
    article.region = placement.region.strip()


@transaction.atomic
def create_article(
    actor,
    *,
    slug: str,
    text: ArticleText,
    placement: Placement,
    language: str = "vi",
    original: Article | None = None,
    message: str = "",
) -> Article:
    """A new draft by an editor (farmers propose instead: see services.proposals)."""
    require_editor(actor)
    check_slug(slug)
    if language not in dict(LANGUAGES):
        raise field_error(
            "language", _("Choose Vietnamese or English."), CommonErrorCode.INVALID_CHOICE
        )
    if original is not None and (original.language != "vi" or language == "vi"):
        raise field_error(
            "original",
            _("A translation is of a Vietnamese article."),
            KnowledgeErrorCode.INVALID_ORIGINAL,
        )
    text = text.cleaned()
    article = Article(slug=slug, language=language, original=original, title=text.title)
    _place(article, placement)
    article.save()
    _save_revision(article, text, actor, message or _("First version"))
    article.crops.set(placement.crops)
    return article


@transaction.atomic
def edit_article(
    actor, article: Article, text: ArticleText, message: str, placement: Placement | None = None
) -> Revision:
    require_editor(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if placement is not None:
        _place(article, placement)
        article.crops.set(placement.crops)
    if article.status == Article.Status.PUBLISHED:  # an editor's edit is reviewed by them
        article.reviewed_by, article.reviewed_at = actor, timezone.now()
    return _save_revision(article, text.cleaned(), actor, message)


@transaction.atomic
def restore_revision(actor, article: Article, number: int) -> Revision:
    """Bring an old revision back as a new one: the history only grows."""
    require_editor(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    old = article.revisions.filter(number=number).first()
    if old is None:
        raise field_error("revision", _("No such revision."), CommonErrorCode.NOT_FOUND)
    message = _("Restored revision %(n)d") % {"n": number}
    return _save_revision(article, ArticleText.of(old), actor, message)


def publish_article(actor, article: Article) -> Article:
    """An editor checks the current revision and publishes it, signing the review."""
    require_editor(actor)
    now = timezone.now()
    article.status = Article.Status.PUBLISHED
    article.reviewed_by, article.reviewed_at = actor, now
    article.published_at = article.published_at or now
    fields = ["status", "reviewed_by", "reviewed_at", "published_at", "updated_at"]
    article.save(update_fields=fields)  # updated_at: apps fetch it with their next sync
    return article


def archive_article(actor, article: Article) -> Article:
    """Withdraw an article from readers (and from the apps' bundles); its history stays."""
    require_editor(actor)
    article.status = Article.Status.ARCHIVED
    article.save(update_fields=["status", "updated_at"])
    return article
