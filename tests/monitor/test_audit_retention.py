"""The retention job prunes audit entries older than ``[audit] retention_days`` and nothing younger."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import AuditEntry
from netops import audit
from netops.monitor.retention import run_retention
from netops.settings import AuditSettings, ConfigError, Settings, load_settings

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_old_entries_go_recent_ones_stay(engine: Engine, settings: Settings) -> None:
    ages = [401, 400.5, 399, 30, 0]
    with session_scope(engine) as session:
        for days in ages:
            audit.record(session, audit.Actor("budi", "10.0.0.9"), "device.enabled", f"{days}d",
                         {"enabled": True}, {"enabled": False}, at=NOW - timedelta(days=days))
    assert settings.audit.retention_days == 400
    report = run_retention(engine, settings, now=NOW)
    with session_scope(engine) as session:
        kept = list(session.scalars(select(AuditEntry.target).order_by(AuditEntry.at)))
    assert report.audit_deleted == 2 and kept == ["399d", "30d", "0d"]
    shorter = dataclasses.replace(settings, audit=AuditSettings(retention_days=31))
    assert run_retention(engine, shorter, now=NOW).audit_deleted == 1
    assert run_retention(engine, shorter, now=NOW).audit_deleted == 0


def test_the_setting_is_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "netops.toml"
    config.write_text("[audit]\nretention_days = 90\n")
    assert load_settings(config, environ={}).audit.retention_days == 90
    assert load_settings(environ={"NETOPS_AUDIT__RETENTION_DAYS": "30"}).audit.retention_days == 30
    with pytest.raises(ConfigError, match=r"audit\.retention_days"):
        load_settings(environ={"NETOPS_AUDIT__RETENTION_DAYS": "0"})
