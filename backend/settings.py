"""One settings module, configured from environment variables (see README).

DJANGO_ENV=production turns on every deployment safeguard and requires a secret key
and allowed hosts; anything else is a development setup with safe local defaults.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

from backend import embedded_db

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
PRODUCTION = env("DJANGO_ENV", default="development") == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)


def _development_secret_key() -> str:
    """A per-checkout random key kept in var/, so development needs no configuration."""
    from django.core.management.utils import get_random_secret_key

    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(exist_ok=True)
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default=None) or _development_secret_key()
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"])

# The public base URL printed into QR labels: it must stay stable once labels exist.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "axes",
    "graphene_django",
    "django_filters",
    "backend",
    "accounts",
    "farms",
    "traceability",
    "fixtures",
    "marketplace",
    "knowledge",
    "maps",
    "mobile_api",
    "farmapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.workspace.workspace",
            ],
        },
    },
]

# One engine everywhere: PostGIS. Unset DATABASE_URL means the embedded cluster in var/.
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL", engine="django.contrib.gis.db.backends.postgis")}
else:
    DATABASES = {"default": embedded_db.database_settings()}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
if env("DATABASE_TEST_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env("DATABASE_TEST_NAME")}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Web processes have PostgreSQL cancel any statement running longer than this (gunicorn.conf.py
# sets it); Celery workers and management commands, whose jobs are long by nature, leave it 0.
if _timeout := env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=0):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={_timeout}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env("GDAL_LIBRARY_PATH", default=""):
    GDAL_LIBRARY_PATH = env("GDAL_LIBRARY_PATH")
if env("GEOS_LIBRARY_PATH", default=""):
    GEOS_LIBRARY_PATH = env("GEOS_LIBRARY_PATH")

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "market-offers"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    "accounts.throttling.NetworkThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("phone", "full_name", "email")},
    },
    {"NAME": "accounts.passwords.PhoneNumberValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "accounts.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=8)
AXES_COOLOFF_TIME = 1  # hours
# An account is locked at the address that failed, not everywhere (see accounts.throttling).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.phone.login_key"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "backend.throttle.client_address"  # one rule for both
LOGIN_FAILURES_PER_NETWORK = env.int("LOGIN_FAILURES_PER_NETWORK", default=40)  # an hour
# Signing up sends a code by text message: at most this many an hour to one number, and
# from one network.
SIGN_UP_TEXTS_PER_PHONE = env.int("SIGN_UP_TEXTS_PER_PHONE", default=3)
SIGN_UP_TEXTS_PER_NETWORK = env.int("SIGN_UP_TEXTS_PER_NETWORK", default=20)

# GDAL 3.6 (Debian 12) cannot block file/network access from spatial references. We
# never pass user-supplied spatial reference definitions to GDAL: see docs/decisions.md.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# The mobile API (GraphQL).
API_ACCESS_TOKEN_SECONDS = env.int("API_ACCESS_TOKEN_SECONDS", default=3600)
API_REFRESH_TOKEN_SECONDS = env.int("API_REFRESH_TOKEN_SECONDS", default=60 * 86400)
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=not PRODUCTION)
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=10)
GRAPHQL_MAX_COST = env.int("GRAPHQL_MAX_COST", default=50_000)
GRAPHQL_MAX_PAGE_SIZE = env.int("GRAPHQL_MAX_PAGE_SIZE", default=100)
GRAPHQL_MAX_SYNC_OPERATIONS = env.int("GRAPHQL_MAX_SYNC_OPERATIONS", default=200)
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", default=5_000)  # lexical tokens per document
# No API request holds a worker for long: resolving stops at the deadline (and see
# DATABASE_STATEMENT_TIMEOUT_MS).
GRAPHQL_DEADLINE_SECONDS = env.float("GRAPHQL_DEADLINE_SECONDS", default=5.0)
# Photos in one request: decoding and cleaning them is the costliest work it can ask for
# (the app shrinks photos to about 2 Mpx before sending).
GRAPHQL_MAX_UPLOAD_FILES = env.int("GRAPHQL_MAX_UPLOAD_FILES", default=12)
# A request's declared body size (the proxy's client_max_body_size should match).
GRAPHQL_MAX_REQUEST_BYTES = env.int("GRAPHQL_MAX_REQUEST_BYTES", default=30 * 1024 * 1024)
GRAPHQL_MAX_UPLOAD_PIXELS = env.int("GRAPHQL_MAX_UPLOAD_PIXELS", default=48_000_000)
GRAPHENE = {
    "SCHEMA": "mobile_api.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": GRAPHQL_MAX_PAGE_SIZE,
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
    "ATOMIC_MUTATIONS": False,  # services own their transactions; sync applies each item alone
    "MIDDLEWARE": ["backend.graphql.errors.QueryRefusals"],  # typed errors from queries too
}

# Vietnamese first, English beside it.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["backend.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Label sheets and other files served only through permission-checked views.
    "private": {"BACKEND": "backend.storage.PrivateFileStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_UPLOAD_IMAGE_BYTES = env.int("MAX_UPLOAD_IMAGE_BYTES", default=8 * 1024 * 1024)
MAX_UPLOAD_IMAGE_PIXELS = env.int("MAX_UPLOAD_IMAGE_PIXELS", default=40_000_000)

# One cache shared by every process: locks, "only once" flags and throttles must hold
# across gunicorn workers and hosts. Redis in production (redis://host:6379/1); the
# embedded default is one process's memory.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://nongsan")}
# Reverse proxies in front of the product that append to X-Forwarded-For (0: none, the
# client's address is the socket's). Throttles count per client address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Celery: a real broker when configured, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")  # one per site on a shared broker
# Label sheets take a minute each: give them their own queue and worker in production, so
# that sign-up codes and order notifications never wait behind them.
CELERY_LABEL_QUEUE = env("CELERY_LABEL_QUEUE", default="")
if CELERY_LABEL_QUEUE:
    CELERY_TASK_ROUTES = {"traceability.tasks.build_label_sheet": {"queue": CELERY_LABEL_QUEUE}}
CELERY_TIMEZONE = TIME_ZONE
# Run with `celery -A backend beat` next to a worker (see README).
CELERY_BEAT_SCHEDULE = {
    "aggregate-daily-prices": {
        "task": "marketplace.tasks.aggregate_daily_prices",
        "schedule": crontab(hour=1, minute=15),  # yesterday's completed orders and surveys
    },
    "publish-open-data": {
        "task": "maps.tasks.publish_open_data",
        "schedule": crontab(hour=2, minute=10),  # after the day's prices are aggregated
    },
    "refresh-weather": {
        "task": "maps.tasks.refresh_weather",
        "schedule": crontab(hour="*/6", minute=40),  # the provider's models run 4 times a day
    },
    "requeue-stuck-label-sheets": {
        "task": "traceability.tasks.requeue_stuck_label_sheets",
        "schedule": crontab(minute="*/10"),
    },
    "clear-expired-sign-ins": {
        "task": "accounts.tasks.clear_expired_sign_ins",
        "schedule": crontab(hour=3, minute=30),  # sessions, codes, old login failures
    },
}

# Email: an SMTP URL in production (smtp+tls://user:password@host:587); the console otherwise.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Nông sản số <no-reply@localhost>")
# Text messages (SMS or Zalo): the dotted path of a backend.text_messages.TextBackend
# subclass; empty: order notifications go by email only, sign-up codes to the log.
TEXT_MESSAGE_BACKEND = env("TEXT_MESSAGE_BACKEND", default="")
# A day's order price for a product and district is published only from this many buyers.
MARKET_PRICE_MIN_BUYERS = env.int("MARKET_PRICE_MIN_BUYERS", default=2)

# Traceability.
LABEL_FONT_PATH = env("LABEL_FONT_PATH", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LABEL_FONT_BOLD_PATH = env(
    "LABEL_FONT_BOLD_PATH", default="/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
)
LABEL_MAX_SHEET_SIZE = env.int("LABEL_MAX_SHEET_SIZE", default=20_000)
# Without a broker, sheets are drawn inside the request: keep them small there.
LABEL_MAX_EAGER_SHEET_SIZE = env.int("LABEL_MAX_EAGER_SHEET_SIZE", default=1_000)
LABEL_MAX_PENDING_PER_PRODUCER = env.int("LABEL_MAX_PENDING_PER_PRODUCER", default=50_000)
LABEL_DEFAULT_MAX_SCANS = env.int("LABEL_DEFAULT_MAX_SCANS", default=30)
LABEL_DEFAULT_MAX_SPREAD_KM = env.int("LABEL_DEFAULT_MAX_SPREAD_KM", default=100)
# Consumers are told a label may be a copy only when its scans came from at least this many
# distinct networks; fewer is a signal for the producer and inspectors only.
LABEL_MIN_DISTINCT_SOURCES = env.int("LABEL_MIN_DISTINCT_SOURCES", default=10)
# The product's own vocabulary for farm steps that CBV 2.0 does not list.
TRACE_VOCABULARY_URL = env("TRACE_VOCABULARY_URL", default=f"{SITE_URL}/voc")

# Map tiles (admin and map pages): a configurable tile server, the one outside host.
MAP_TILE_URL = env("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="© OpenStreetMap contributors")
_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]) if "://" in MAP_TILE_URL else ""
# Corners a drawn boundary may have. A field walked with a phone's GPS (a point every few
# metres) or drawn on the map has tens to a few hundred; thousands are a track left
# recording or a generated shape, and every map page would carry them.
PLOT_MAX_VERTICES = env.int("PLOT_MAX_VERTICES", default=2_000)
# Planning zones are larger, traced by staff from the plan's maps.
PLANNING_ZONE_MAX_VERTICES = env.int("PLANNING_ZONE_MAX_VERTICES", default=10_000)

# Weather forecasts per commune: any provider that speaks the Open-Meteo forecast format.
# Empty turns the ingest off.
WEATHER_FORECAST_URL = env("WEATHER_FORECAST_URL", default="https://api.open-meteo.com/v1/forecast")
WEATHER_FORECAST_DAYS = env.int("WEATHER_FORECAST_DAYS", default=7)
WEATHER_BATCH_SIZE = env.int("WEATHER_BATCH_SIZE", default=50)  # communes per request
# Seconds between two batches' requests: Open-Meteo's free plan allows 600 locations a minute.
WEATHER_BATCH_SPACING_SECONDS = env.int("WEATHER_BATCH_SPACING_SECONDS", default=10)
WEATHER_TIMEOUT_SECONDS = env.int("WEATHER_TIMEOUT_SECONDS", default=30)

# Open data (/open-data/): the licence it is published under, and the smallest number of
# producers a published figure may count. Files are rebuilt daily (see the beat schedule).
OPEN_DATA_LICENSE = env("OPEN_DATA_LICENSE", default="CC-BY-4.0")
OPEN_DATA_LICENSE_URL = env(
    "OPEN_DATA_LICENSE_URL", default="https://creativecommons.org/licenses/by/4.0/"
)
OPEN_DATA_MIN_PRODUCERS = env.int("OPEN_DATA_MIN_PRODUCERS", default=3)

# Content Security Policy: pages load nothing from another host (except map tiles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "style-src": [SELF, NONCE],
        "script-src": [SELF, NONCE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
