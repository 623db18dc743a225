"""The embedded default database: a project-local PostgreSQL + PostGIS cluster.

Used when DATABASE_URL is unset. The cluster lives under ``var/postgres`` and listens
only on a Unix socket in a folder only its owner can enter, so it never clashes with
another server and no other local user can reach it. This module uses only the
standard library (settings import it); run it with the project's virtualenv.

    python -m backend.embedded_db start|stop|status|url
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
DATABASE_NAME = "nongsan"
SUPERUSER = "postgres"
_SOCKET_FILE = ".s.PGSQL.5432"
# A Unix socket path must fit in sun_path (108 bytes on Linux), with some margin.
_MAX_SOCKET_PATH = 100
# Names this checkout's folders outside it (two checkouts never share a cluster).
_CHECKOUT_DIGEST = hashlib.sha1(str(PROJECT_ROOT).encode(), usedforsecurity=False).hexdigest()[:10]


def _short_fallback_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"nongsan-{_CHECKOUT_DIGEST}"


def _server_can_reach(path: Path) -> bool:
    """Whether the ``postgres`` user can walk down to ``path`` (run as root, the server
    runs as ``postgres``; a checkout under /root is closed to it)."""
    if not _running_as_root():
        return True
    return all(
        os.stat(folder).st_mode & 0o001 for folder in [path, *path.parents] if folder.exists()
    )


def cluster_root() -> Path:
    """``var/``, or a folder under /var/lib when the server could not reach ``var/``."""
    if _server_can_reach(VAR_DIR):
        return VAR_DIR
    return Path("/var/lib/nongsan") / _CHECKOUT_DIGEST


def socket_dir() -> Path:
    """Where the cluster's socket lives: ``run`` beside the data, or a short folder when
    that path is too long for a Unix socket."""
    preferred = cluster_root() / "run"
    if len(str(preferred / _SOCKET_FILE)) <= _MAX_SOCKET_PATH:
        return preferred
    return _short_fallback_dir() / "run"


def data_dir() -> Path:
    return cluster_root() / "postgres"


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _as_owner(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server as the ``postgres`` user then."""
    if _running_as_root():
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _pg_bin(program: str) -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"), reverse=True)
    if candidates:
        return str(candidates[0])
    found = shutil.which(program)
    if not found:
        sys.exit(f"PostgreSQL's {program} was not found: run bin/setup to install it.")
    return found


def _give_to_owner(path: Path) -> None:
    """The server's own folder, closed to everyone else (the socket trusts who reaches it)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    if _running_as_root():
        shutil.chown(path, user="postgres", group="postgres")


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    # From "/": the postgres user may not be allowed into the current folder.
    return subprocess.run(command, check=True, cwd="/", **kwargs)  # noqa: S603


def is_running() -> bool:
    result = subprocess.run(  # noqa: S603
        [_pg_bin("pg_isready"), "-q", "-h", str(socket_dir())], check=False
    )
    return result.returncode == 0


def _initdb() -> None:
    if (data_dir() / "PG_VERSION").exists():
        return
    data_dir().parent.mkdir(parents=True, exist_ok=True)
    _give_to_owner(data_dir())
    _run(
        _as_owner(
            [
                _pg_bin("initdb"),
                "-D",
                str(data_dir()),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        stdout=subprocess.DEVNULL,
    )


def _psql(sql: str, database: str = "postgres") -> str:
    result = _run(
        [_pg_bin("psql"), "-h", str(socket_dir()), "-U", SUPERUSER, "-d", database, "-tAc", sql],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def start() -> None:
    """Create the cluster if needed, start it, and create the project database."""
    _initdb()
    _give_to_owner(socket_dir())
    if not is_running():
        options = f"-c listen_addresses='' -c unix_socket_permissions=0700 -k {socket_dir()}"
        _run(
            _as_owner(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    str(data_dir()),
                    "-l",
                    str(data_dir() / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            ),
            stdout=subprocess.DEVNULL,
        )
    exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")  # noqa: S608
    if exists != "1":
        _psql(f"CREATE DATABASE {DATABASE_NAME}")


def stop() -> None:
    if is_running():
        _run(
            _as_owner([_pg_bin("pg_ctl"), "-D", str(data_dir()), "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
        )


def database_settings() -> dict:
    """Django DATABASES entry for the embedded cluster."""
    return {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": DATABASE_NAME,
        "USER": SUPERUSER,
        "HOST": str(socket_dir()),
    }


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start":
        start()
        print(f"Embedded PostGIS running, socket in {socket_dir()}")
    elif command == "stop":
        stop()
    elif command == "status":
        print("running" if is_running() else "stopped")
    elif command == "url":
        print(f"postgis://{SUPERUSER}@/{DATABASE_NAME}?host={socket_dir()}")
    else:
        sys.exit(f"unknown command {command!r}: use start, stop, status or url")


if __name__ == "__main__":
    main(sys.argv)
