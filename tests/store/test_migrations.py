"""Migrations build the schema of the models on SQLite and PostgreSQL, and stay in sync with them."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect

from inventory.db import current_revision, make_engine, schema_differences, upgrade_schema
from inventory.models import Base


def _check_fresh_database(url: str) -> None:
    engine = make_engine(url)
    try:
        assert current_revision(engine) is None
        upgrade_schema(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert current_revision(engine) is not None
        diff = schema_differences(engine)
        assert diff == [], (
            "models and migrations differ; add one: `python -m inventory.migrations.new_revision MESSAGE`:\n"
            + "\n".join(map(str, diff))
        )
        upgrade_schema(engine)  # idempotent
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


def test_sqlite_migrations_match_models(tmp_path) -> None:
    _check_fresh_database(f"sqlite:///{tmp_path}/fresh.db")


@pytest.mark.postgres
def test_postgres_migrations_match_models(pg_url: str) -> None:
    _check_fresh_database(pg_url)


def test_sqlite_connections_use_wal_and_foreign_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_difference_between_models_and_database_is_detected(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE sites ADD COLUMN stray INTEGER")
    diff = schema_differences(engine)
    assert any("stray" in str(item) for item in diff)


def test_migrations_form_one_line_from_the_baseline() -> None:
    """Every migration follows exactly one other: one head, no branches left by parallel work."""
    from alembic.script import ScriptDirectory

    from inventory.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, script.get_heads()
    revisions = list(script.walk_revisions())
    assert revisions[-1].revision == "0001" and all(len(r._all_down_revisions) <= 1 for r in revisions)
