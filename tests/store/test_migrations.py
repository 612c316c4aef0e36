"""Migrations build the schema of the models on SQLite and PostgreSQL, and stay in sync with them."""

from __future__ import annotations

from pathlib import Path

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
            "models and migrations differ; run `python -m inventory.migrations.regenerate_baseline`:\n"
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


def test_baseline_can_be_regenerated_identically(tmp_path, monkeypatch) -> None:
    """The checked-in baseline is what the regenerate script produces from today's models."""
    import inventory.migrations.regenerate_baseline as regen

    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    for name in ("env.py", "script.py.mako"):
        (tmp_path / "migrations" / name).write_text((regen.MIGRATIONS_DIR / name).read_text())
    monkeypatch.setattr(regen, "MIGRATIONS_DIR", tmp_path / "migrations")
    monkeypatch.setattr(regen, "BASELINE", versions / "0001_baseline.py")
    monkeypatch.setattr(regen, "alembic_config", _config_for(tmp_path / "migrations"))
    produced = regen.regenerate().read_text()
    shipped = (Path(regen.__file__).parent / "versions" / "0001_baseline.py").read_text()
    assert _body(produced) == _body(shipped)


def _config_for(directory):
    from inventory.db import alembic_config

    def factory(url=None):
        cfg = alembic_config(url)
        cfg.set_main_option("script_location", str(directory))
        return cfg

    return factory


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("Create Date"))
