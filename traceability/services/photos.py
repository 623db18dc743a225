"""Thumbnails of event photos (made by a Celery task after the event is saved)."""

from backend.images import thumbnail
from traceability.models import EventPhoto


def make_thumbnails(photo_ids: list[int]) -> None:
    for photo in EventPhoto.objects.filter(pk__in=photo_ids, thumbnail=""):
        with photo.image.open("rb") as source:
            photo.thumbnail.save(f"{photo.sha256[:16]}.jpg", thumbnail(source), save=False)
        photo.save(update_fields=["thumbnail"])
