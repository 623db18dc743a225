"""gunicorn's settings for the product, read from the working directory:
`.venv/bin/gunicorn backend.wsgi` (override any of them on the command line)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A worker busy longer than this is killed and replaced. Requests never need it: the API
# stops resolving at GRAPHQL_DEADLINE_SECONDS and PostgreSQL cancels slow statements;
# slow work (label sheets, photos, open data) runs in Celery.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "15"))
graceful_timeout = 10
keepalive = 5
# Headers: a request line of 8 KB and 100 header fields are plenty for a phone.
limit_request_line = 8190
limit_request_fields = 100
# Recycle workers now and then, so a slow leak never grows for weeks.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# gunicorn's runtime control socket is one per user by default: several servers on a host
# would take each other's. Not used here (restart through the service manager).
control_socket_disable = True
# Every SQL statement of a web request is cancelled after this long (see backend/settings.py).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "5000")
