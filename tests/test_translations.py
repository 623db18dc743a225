"""Vietnamese is the default language: every message must be translated for real."""

import re
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
# The project's catalogue, and the farmers' app's own (its pages' and its scripts').
CATALOGUES = [
    ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po",
    *sorted((ROOT / "farmapp" / "locale" / "vi" / "LC_MESSAGES").glob("*.po")),
]


def entries() -> list[str]:
    return [  # without each file's header
        entry
        for catalogue in CATALOGUES
        for entry in catalogue.read_text(encoding="utf-8").split("\n\n")[1:]
    ]


def test_no_message_is_fuzzy_or_empty():
    fuzzy = [e for e in entries() if re.search(r"^#,.*\bfuzzy\b", e, re.M)]
    empty = [e for e in entries() if re.search(r'^msgstr(\[0\])? ""\Z', e.strip(), re.M)]
    assert not fuzzy, fuzzy[:3]
    assert not empty, empty[:3]


def test_vietnamese_is_the_default_and_english_is_available(settings):
    assert settings.LANGUAGE_CODE == "vi"
    with translation.override("vi"):
        assert translation.gettext("Harvesting") == "Thu hoạch"
    with translation.override("en"):
        assert translation.gettext("Harvesting") == "Harvesting"
