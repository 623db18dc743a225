"""The files of the app shell: what the import map names, what the service worker keeps
for offline use, and the version that changes whenever one of them does."""

import gzip
import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static

# Bare module names the app's scripts import, mapped to (possibly hashed) static URLs.
MODULES = [
    "api",
    "db",
    "i18n",
    "main",
    "map",
    "queue",
    "ui",
    "screens/sign-in",
    "screens/today",
    "screens/plots",
    "screens/lots",
    "screens/event",
    "screens/knowledge",
    "screens/labels",
    "screens/lot-actions",
    "screens/sell",
    "screens/soil",
    "screens/sync",
    "screens/more",
    "steps",
]
OTHER_FILES = [
    "farmapp/app.css",
    "farmapp/icons/icon-192.png",
    "farmapp/icons/icon-512.png",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
]


def module_path(name: str) -> str:
    return f"farmapp/js/{name}.js"


def shell_gzipped_bytes() -> int:
    """What a phone downloads for the shell before any data, compressed as served."""
    paths = [module_path(name) for name in MODULES] + OTHER_FILES
    return sum(len(gzip.compress(Path(finders.find(path)).read_bytes(), 9)) for path in paths)


def import_map() -> dict:
    return {"imports": {f"app/{name}": static(module_path(name)) for name in MODULES}}


def shell_files() -> list[str]:
    """Static URLs the service worker keeps, besides the shell page and its catalogues."""
    return [static(module_path(name)) for name in MODULES] + [static(f) for f in OTHER_FILES]


def version() -> str:
    """A digest of every shell file: a new release installs a new service worker."""
    return _digest() if settings.DEBUG else _cached_digest()


def _digest() -> str:
    digest = hashlib.sha256()
    for path in [module_path(name) for name in MODULES] + OTHER_FILES:
        with open(finders.find(path), "rb") as file:
            digest.update(file.read())
    return digest.hexdigest()[:16]


_cached_digest = cache(_digest)
