"""The offline bundle: the articles for a farmer's crops, small enough for a phone, and
afterwards only what changed (and what to remove) since the last download."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from farms.models import Product
from knowledge.error_codes import KnowledgeErrorCode
from knowledge.models import LANGUAGES, Article
from knowledge.services.images import as_json as image_json
from knowledge.services.search import published, with_details

MAX_BUNDLE = 500
MAX_CROPS = 50
# A catalogue code is a slug (Product.code): anything else, a NUL byte included, is a
# client's mistake, answered as one rather than sent on to the database.
_CODE = re.compile(rf"[-a-zA-Z0-9_]{{1,{Product._meta.get_field('code').max_length}}}")


@dataclass
class Bundle:
    articles: list[Article]
    removed: list[str]  # uuids of articles no longer published
    server_time: datetime.datetime  # send it back as ``updated_since`` next time


def crops_by_code(text: str) -> list[Product]:
    """The crops of "rau-muong,buoi-dien". Unknown codes are left out: the app may know
    crops this catalogue no longer has."""
    codes = [code for code in text.split(",") if code][:MAX_CROPS]
    if not all(_CODE.fullmatch(code) for code in codes):
        raise field_error(
            "crops",
            _("Name crops by their catalogue codes, separated by commas."),
            KnowledgeErrorCode.INVALID_CROP,
        )
    return list(Product.objects.filter(code__in=codes))


def bundle(
    *,
    crops: list[Product],
    language: str = "vi",
    updated_since: datetime.datetime | None = None,
) -> Bundle:
    """Published articles for ``crops`` (and those for every crop), newest changes first."""
    if updated_since is not None and timezone.is_naive(updated_since):
        raise field_error(
            "updated_since", _("The time must include a time zone."), KnowledgeErrorCode.NAIVE_TIME
        )
    if language not in dict(LANGUAGES):
        raise field_error(
            "language", _("Choose Vietnamese or English."), CommonErrorCode.INVALID_CHOICE
        )
    now = timezone.now()
    wanted = Q(crops__in=crops) | Q(crops__isnull=True)
    articles: QuerySet[Article] = published(language).filter(wanted)
    removed = Article.objects.none()
    if updated_since is not None:
        articles = articles.filter(updated_at__gt=updated_since)
        removed = Article.objects.filter(language=language, updated_at__gt=updated_since).exclude(
            status=Article.Status.PUBLISHED
        )
    articles = with_details(articles.distinct()).order_by("-updated_at")
    return Bundle(
        articles=list(articles[:MAX_BUNDLE]),
        removed=[str(value) for value in removed.values_list("uuid", flat=True)],
        server_time=now,
    )


def as_json(item: Bundle) -> dict:
    """The bundle as the JSON export sends it."""
    return {
        "server_time": item.server_time.isoformat(),
        "removed": item.removed,
        "articles": [_article(article) for article in item.articles],
    }


def _article(article: Article) -> dict:
    pest = getattr(article, "pest", None)
    return {
        "uuid": str(article.uuid),
        "slug": article.slug,
        "language": article.language,
        "category": article.category,
        "title": article.title,
        "summary": article.summary,
        "body_html": article.body_html,
        "sources": article.current_revision.sources if article.current_revision else "",
        "crops": [crop.code for crop in article.crops.all()],
        "months": article.months,
        "region": article.region,
        "reviewed_by": article.reviewed_by.full_name if article.reviewed_by else "",
        "reviewed_at": article.reviewed_at.isoformat() if article.reviewed_at else None,
        "updated_at": article.updated_at.isoformat(),
        "pest": _pest(pest) if pest else None,
        "images": [image_json(photo) for photo in article.images.all()],
    }


def _pest(pest) -> dict:
    return {
        "scientific_name": pest.scientific_name,
        "symptoms": pest.symptoms,
        "treatments": [
            {
                "product": treatment.agricultural_input.name,
                "active_ingredient": treatment.agricultural_input.active_ingredient,
                "pre_harvest_interval_days": treatment.pre_harvest_interval_days,
                "dose": treatment.dose,
                "note": treatment.note,
            }
            for treatment in pest.treatments.all()
        ],
    }
