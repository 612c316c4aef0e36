"""Shared fixtures: isolated settings, a migrated SQLite database, a throw-away PostgreSQL database.

``settings`` never reads the real environment (tests stay deterministic); ``pg_url`` creates a
fresh database on the server at 127.0.0.1:5432 for one test and drops it afterwards, or skips
with the reason when no server answers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from inventory.db import make_engine, session_factory, upgrade_schema
from netops.config import Settings, load_settings

DATA_DIR = Path(__file__).resolve().parent / "data"
PG_ADMIN_URL = os.environ.get("NETOPS_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings with a temporary data directory (SQLite inside it)."""
    return load_settings(environ={"NETOPS_DATA_DIR": str(tmp_path / "var")})


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the settings' SQLite database, schema upgraded to head."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    eng = make_engine(settings.effective_database_url)
    upgrade_schema(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on ``engine``; the test commits what it wants kept."""
    with session_factory(engine)() as sess:
        yield sess


def _pg_unavailable() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).strip().splitlines()[0]}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database created for this test and dropped after it."""
    reason = _pg_unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg

    name = f"netops_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def magelang_inventory_yaml() -> Path:
    """The sample Magelang inventory used by the README and the tests."""
    return DATA_DIR / "magelang.yaml"
