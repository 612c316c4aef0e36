"""Versioned running configurations: a new ``ConfigVersion`` row only when the text changed.

What Oxidized and RANCID users expect: every SSH config poll hands its ``ConfigSnapshot``
(secrets already masked by the collector) to ``store_config``; when the text differs from the
device's latest version, a row with the next version number, the SHA-256 of the text and a
unified diff against the previous version is added. Read helpers return frozen records for the
CLI and the web, never ORM rows.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.observations import ConfigSnapshot, PollKind, PollResult
from inventory.models import ConfigVersion, Device


@dataclass(frozen=True, slots=True)
class ConfigVersionRecord:
    device: str
    version: int
    collected_at: datetime
    sha256: str
    text: str
    diff: str | None


def _record(device: str, row: ConfigVersion) -> ConfigVersionRecord:
    return ConfigVersionRecord(
        device=device,
        version=row.version,
        collected_at=row.collected_at,
        sha256=row.sha256,
        text=row.text,
        diff=row.diff,
    )


def unified_diff(old: str, new: str, device: str, old_version: int, new_version: int) -> str:
    """A unified diff between two configuration texts, labelled with the device and versions."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{device} v{old_version}",
            tofile=f"{device} v{new_version}",
        )
    )


def _latest(session: Session, device_id: int) -> ConfigVersion | None:
    stmt = (
        select(ConfigVersion)
        .where(ConfigVersion.device_id == device_id)
        .order_by(ConfigVersion.version.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def store_config(
    session: Session, device: Device, snapshot: ConfigSnapshot, now: datetime | None = None
) -> ConfigVersionRecord | None:
    """Add a version when the text changed; returns it, or None when nothing changed."""
    digest = hashlib.sha256(snapshot.text.encode("utf-8")).hexdigest()
    previous = _latest(session, device.id)
    if previous is not None and previous.sha256 == digest:
        return None
    version = 1 if previous is None else previous.version + 1
    diff = (
        None
        if previous is None
        else unified_diff(previous.text, snapshot.text, device.name, previous.version, version)
    )
    row = ConfigVersion(
        device_id=device.id,
        version=version,
        collected_at=now or datetime.now(UTC),
        sha256=digest,
        text=snapshot.text,
        diff=diff,
    )
    session.add(row)
    session.flush()
    return _record(device.name, row)


def store_config_result(
    session: Session, result: PollResult, now: datetime | None = None
) -> ConfigVersionRecord | None:
    """``store_config`` for a poll result, if its config kind completed and the device is known."""
    if PollKind.CONFIG not in result.completed or result.config is None:
        return None
    device = session.scalars(select(Device).where(Device.name == result.device_key)).first()
    if device is None:
        return None
    return store_config(session, device, result.config, now or result.finished_at)


def config_versions(session: Session, device_name: str) -> list[ConfigVersionRecord]:
    """Every stored version of a device's configuration, oldest first."""
    stmt = (
        select(ConfigVersion)
        .join(Device, Device.id == ConfigVersion.device_id)
        .where(Device.name == device_name)
        .order_by(ConfigVersion.version)
    )
    return [_record(device_name, row) for row in session.scalars(stmt)]


def config_version(
    session: Session, device_name: str, version: int | None = None
) -> ConfigVersionRecord | None:
    """One version (default: the latest) of a device's configuration."""
    versions = config_versions(session, device_name)
    if not versions:
        return None
    if version is None:
        return versions[-1]
    return next((v for v in versions if v.version == version), None)
