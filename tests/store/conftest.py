"""Storage tests run twice: on a SQLite file and on a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from inventory.db import make_engine, upgrade_schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL of each backend (PostgreSQL: created and dropped around the test)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL of each backend with the schema at head (PostgreSQL: from a template)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        upgrade_schema(url)
        return url
    pg: str = request.getfixturevalue("pg_migrated_url")
    return pg


@pytest.fixture
def db_engine(migrated_db_url: str) -> Iterator[Engine]:
    """An engine on a migrated database of each backend."""
    engine = make_engine(migrated_db_url)
    try:
        yield engine
    finally:
        engine.dispose()
