"""Service start-up plumbing: data directory, database schema and the secret key.

``open_existing_database`` is what every command that reads or changes the network calls: it
refuses (``NoDatabaseError``) a data directory without a netops database instead of creating
an empty one there, so a command run with the wrong data directory says so rather than
answering "no outages". ``open_database`` creates or upgrades (``netops init``, the demo, the
web factory); ``init_service`` is ``netops init`` (idempotent: a second run upgrades the
schema and keeps the existing key).
Everything in the data directory is private to the service user: the directory is 0700 (an
existing one is tightened), and ``private_umask`` (entered by the command line for the whole
run) makes every file netops or its libraries create 0600: the database and its WAL/SHM files,
keys, known_hosts, session logs, the demo's control files.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from inventory.db import current_revision, make_engine, normalise_url, upgrade_schema
from netops.encryption import ensure_key
from netops.settings import Settings


@dataclass(frozen=True, slots=True)
class InitResult:
    data_dir: Path
    database: str
    revision: str | None
    key_created: bool


def display_url(url: str) -> str:
    """The database URL with any password masked, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


PRIVATE_UMASK = 0o077


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Files created inside are 0600 and directories 0700 (process-wide; restored on exit)."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def secure_data_dir(path: str | os.PathLike[str]) -> Path:
    """Create the data directory 0700, or tighten an existing one the service user owns.

    A shared sticky directory (``/tmp`` given by mistake) is never changed.
    """
    directory = Path(path)
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = directory.stat()
    if info.st_uid == os.geteuid() and not info.st_mode & stat.S_ISVTX and stat.S_IMODE(info.st_mode) & 0o077:
        directory.chmod(0o700)
    return directory


def open_database(settings: Settings) -> Engine:
    """An engine on the configured database with the schema upgraded to the latest migration."""
    secure_data_dir(settings.data_dir)
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    return engine


class NoDatabaseError(RuntimeError):
    """The configured place holds no netops database; the message says where and what to do."""


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    return Path(database) if database and database != ":memory:" else None


def _missing(settings: Settings, where: str) -> NoDatabaseError:
    hint = "run `netops init` or set NETOPS_DATA_DIR"
    if settings.database_url:
        hint = "run `netops init` or set NETOPS_DATABASE_URL"
    return NoDatabaseError(f"no netops database at {where}; {hint}")


def open_existing_database(settings: Settings) -> Engine:
    """Like ``open_database``, but a missing database (or one without the netops schema) is
    ``NoDatabaseError``: nothing is created, not even the data directory."""
    url = settings.effective_database_url
    sqlite = _sqlite_file(url)
    if sqlite is not None and not sqlite.is_file():
        where = str(settings.data_dir) if sqlite.parent == Path(settings.data_dir).resolve() else str(sqlite)
        raise _missing(settings, where)
    engine = make_engine(url)
    try:
        if current_revision(engine) is None:
            raise _missing(settings, str(sqlite) if sqlite else display_url(url))
        if Path(settings.data_dir).is_dir():
            secure_data_dir(settings.data_dir)  # tighten an older installation's mode
        upgrade_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def init_service(settings: Settings) -> InitResult:
    """Create the data directory, the schema (or upgrade it) and the Fernet key file."""
    engine = open_database(settings)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    key_created = ensure_key(settings)
    database = display_url(settings.effective_database_url)
    return InitResult(Path(settings.data_dir), database, revision, key_created)
