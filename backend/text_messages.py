"""Text messages (SMS, Zalo) to a phone, through a pluggable provider.

Name a ``TextBackend`` subclass in the TEXT_MESSAGE_BACKEND setting. With none, texts
are written to the log, like Django's console email backend: enough for development,
never for production (``texts_are_delivered`` tells which).
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class TextBackend:
    """Interface for SMS or Zalo providers: subclass and implement ``send``. Raise an
    exception to have the message retried."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


def text_backend() -> TextBackend | None:
    path = settings.TEXT_MESSAGE_BACKEND
    return import_string(path)() if path else None


def texts_are_delivered() -> bool:
    return bool(settings.TEXT_MESSAGE_BACKEND)


def send_text(phone: str, text: str) -> None:
    """Send ``text`` to ``phone`` with the configured provider, or log it."""
    backend = text_backend()
    if backend is None:
        logger.info("Text message to %s (no provider configured): %s", phone, text)
        return
    backend.send(phone, text)


class MemoryTextBackend(TextBackend):
    """Keeps texts in ``outbox`` (phone, text), as Django's locmem email backend does:
    for tests and demonstrations."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemoryTextBackend.outbox.append((phone, text))
