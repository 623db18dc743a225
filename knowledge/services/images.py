"""Photos of articles: only editors add them, and only real images within limits."""

from django.db import transaction
from django.utils.translation import gettext as _

from backend.errors import field_error
from backend.images import clean_image, thumbnail
from knowledge.error_codes import KnowledgeErrorCode
from knowledge.models import Article, ArticleImage
from knowledge.permissions import require_editor


@transaction.atomic
def add_image(actor, article: Article, upload, caption: str) -> ArticleImage:
    require_editor(actor)
    caption = (caption or "").strip()
    if not 0 < len(caption) <= 200:
        raise field_error(
            "caption",
            _("Say what the photo shows (at most 200 characters)."),
            KnowledgeErrorCode.CAPTION,
        )
    clean = clean_image(upload, name="photo")
    photo = ArticleImage(article=article, caption=caption, sha256=clean.sha256, uploaded_by=actor)
    photo.image.save(
        f"{clean.sha256[:16]}.{clean.content.name.rsplit('.', 1)[-1]}", clean.content, save=False
    )
    clean.content.seek(0)
    photo.thumbnail.save(f"{clean.sha256[:16]}.jpg", thumbnail(clean.content), save=False)
    photo.save()
    Article.objects.filter(pk=article.pk).update(updated_at=photo.created_at)  # apps re-sync
    return photo


def as_json(photo: ArticleImage) -> dict:
    """A photo as the app receives it (GraphQL and the offline bundle)."""
    return {"url": photo.image.url, "thumbnail_url": photo.thumbnail.url, "caption": photo.caption}
