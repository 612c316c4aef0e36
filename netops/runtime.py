"""Service start-up plumbing: data directory, database schema and the secret key.

``open_database`` is what every command that touches the database calls; ``init_service`` is
``netops init`` (idempotent: a second run upgrades the schema and keeps the existing key).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from inventory.db import current_revision, make_engine, upgrade_schema
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


def open_database(settings: Settings) -> Engine:
    """An engine on the configured database with the schema upgraded to the latest migration."""
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
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
