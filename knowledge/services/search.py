"""Finding articles whatever the diacritics and case: full-text search over title,
summary and body (unaccented, GIN index), helped by trigram similarity on titles for
typos; title matches come first."""

import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import field_error
from farms.models import Product
from farms.permissions import Action, producers_for
from knowledge.error_codes import KnowledgeErrorCode
from knowledge.models import Article, Treatment
from knowledge.services.articles import SEARCH_CONFIG

MAX_TEXT = 200


def plain(expression) -> Func:
    """lower(unaccent(...)), exactly as the title's trigram index is built."""
    return Lower(Func(expression, function="immutable_unaccent"))


def published(language: str | None = None) -> QuerySet[Article]:
    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    return articles.filter(language=language) if language else articles


def search_articles(
    text: str,
    *,
    category: str = "",
    crop: Product | None = None,
    month: int | None = None,
    language: str | None = None,
) -> QuerySet[Article]:
    text = (text or "").strip()[:MAX_TEXT]
    if month is not None and not 1 <= month <= 12:
        raise field_error("month", _("Months are 1 to 12."), KnowledgeErrorCode.INVALID_MONTH)
    articles = _filtered(published(language), category, crop, month)
    if not text:
        return articles.order_by("-published_at", "-pk")
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    wanted = plain(Value(text))
    articles = articles.annotate(plain_title=plain(F("title"))).filter(
        Q(search_vector=query) | Q(plain_title__trigram_word_similar=wanted)
    )
    title_hit = ExpressionWrapper(Q(plain_title__contains=wanted), output_field=BooleanField())
    return articles.annotate(
        title_hit=title_hit, rank=SearchRank(F("search_vector"), query)
    ).order_by("-title_hit", "-rank", "-published_at", "-pk")


def _filtered(articles, category: str, crop: Product | None, month: int | None):
    if category:
        articles = articles.filter(category=category)
    if crop is not None:
        articles = articles.filter(crops=crop)
    if month is not None:
        articles = articles.filter(Q(months__contains=[month]) | Q(months=[]))
    return articles


def one_version_each(articles: QuerySet[Article], language: str) -> QuerySet[Article]:
    """Each article once: in ``language`` where a published version in it exists, else as
    written (Vietnamese, for the articles translated into English)."""
    same_article_in_language = published(language).filter(
        Q(original=OuterRef("pk"))
        | Q(pk=OuterRef("original"))
        | Q(original=OuterRef("original"), original__isnull=False)
    )
    return articles.filter(Q(language=language) | ~Exists(same_article_in_language))


def this_month_for(user, language: str, *, today: datetime.date | None = None) -> QuerySet[Article]:
    """Articles for the crops on the user's plots and this month (or all year), one
    version of each in the reader's language."""
    month = (today or timezone.localdate()).month
    crops = Product.objects.filter(plots__producer__in=producers_for(user, Action.VIEW))
    return (
        _filtered(one_version_each(published(), language), "", None, month)
        .filter(crops__in=crops)
        .distinct()
        .order_by("-published_at", "-pk")
    )


def with_details(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """What an article's page or card shows, fetched at a constant number of queries."""
    treatments = Treatment.objects.select_related("agricultural_input")
    return queryset.select_related("reviewed_by", "current_revision").prefetch_related(
        "crops", "pest", "images", Prefetch("pest__treatments", queryset=treatments)
    )
