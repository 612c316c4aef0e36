"""Shared fixtures: isolated settings, a migrated SQLite database, a throw-away PostgreSQL database.

``settings`` never reads the real environment (tests stay deterministic); ``pg_url`` creates a
fresh database on the server at 127.0.0.1:5432 for one test and drops it afterwards, or skips
with the reason when no server answers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from inventory.db import make_engine, session_factory, upgrade_schema
from netops.settings import Settings, load_settings

DATA_DIR = Path(__file__).resolve().parent / "data"
_STRAY_DATA_DIR: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """A command a test starts without its own ``NETOPS_DATA_DIR`` writes into a temporary
    directory, never into the default data directory of this machine's netops."""
    if not _STRAY_DATA_DIR:
        _STRAY_DATA_DIR.append(tempfile.mkdtemp(prefix="netops-test-data-"))
        os.environ["NETOPS_DATA_DIR"] = _STRAY_DATA_DIR[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    for path in _STRAY_DATA_DIR:
        shutil.rmtree(path, ignore_errors=True)
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
    try:
        yield _url_of(name)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_shared() -> Iterator[str]:
    """One migrated PostgreSQL database for the whole run, created here and dropped at its end."""
    reason = _pg_unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg

    name = f"netops_run_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        engine = make_engine(_url_of(name))
        upgrade_schema(engine)
        engine.dispose()
        yield _url_of(name)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url_of(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def pg_migrated_url(_pg_shared: str) -> str:
    """URL of this run's migrated PostgreSQL database, emptied (all rows removed) for this test."""
    import psycopg

    plain = _pg_shared.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    return _pg_shared


@pytest.fixture
def magelang_inventory_yaml() -> Path:
    """The sample Magelang inventory used by the README and the tests."""
    return DATA_DIR / "magelang.yaml"
