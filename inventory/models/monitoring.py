"""Poll runs, job runs, events and outages: what happened, when, and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models.base import Base


class PollRun(Base):
    """One poll of one device by one job (NAV's job log)."""

    __tablename__ = "poll_runs"
    __table_args__ = (Index("ix_poll_runs_device_started", "device_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    job: Mapped[str] = mapped_column(String(50))
    transport: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime]
    duration_s: Mapped[float]
    ok: Mapped[bool] = mapped_column(Boolean)
    completed: Mapped[str] = mapped_column(String(200), default="")
    error_kind: Mapped[str | None] = mapped_column(String(30))
    error: Mapped[str | None] = mapped_column(Text)


class JobRun(Base):
    """One cycle of one scheduled job."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    duration_s: Mapped[float | None]
    devices_polled: Mapped[int] = mapped_column(Integer, default=0)
    devices_failed: Mapped[int] = mapped_column(Integer, default=0)
    devices_planned: Mapped[int | None] = mapped_column(Integer)  # known once the cycle is planned
    overrun: Mapped[bool] = mapped_column(Boolean, default=False)
    trigger: Mapped[str] = mapped_column(String(20), default="schedule")
    result: Mapped[str] = mapped_column(String(20), default="running")
    errors: Mapped[str | None] = mapped_column(Text)


class Event(Base):
    """A state change of a device, link or interface, with its evidence."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_time", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    element_type: Mapped[str] = mapped_column(String(20))
    element: Mapped[str] = mapped_column(String(300))
    old_state: Mapped[str | None] = mapped_column(String(20))
    new_state: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str | None] = mapped_column(Text)
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id", ondelete="SET NULL"))


class Outage(Base):
    """An element down from ``started_at`` to ``ended_at``, with root cause and affected sites."""

    __tablename__ = "outages"
    __table_args__ = (Index("ix_outages_open", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    root_cause_type: Mapped[str] = mapped_column(String(20))
    root_cause: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    affected_sites: Mapped[list[str]] = mapped_column(JSON, default=list)
    affected_devices: Mapped[list[str]] = mapped_column(JSON, default=list)
    degraded_sites: Mapped[list[str]] = mapped_column(JSON, default=list)  # redundancy lost, not cut off
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)
    notified_open: Mapped[bool] = mapped_column(Boolean, default=False)
    notified_close: Mapped[bool] = mapped_column(Boolean, default=False)
    cause_text: Mapped[str | None] = mapped_column(Text)  # technical evidence, and what it was first seen as
    cause_words: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # plain words per language
    planned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    maintenance_id: Mapped[int | None] = mapped_column(
        ForeignKey("maintenance_windows.id", ondelete="SET NULL"))  # the planned works it was (or is) part of
    maintenance_words: Mapped[dict[str, str] | None] = mapped_column(JSON)  # "planned works ended ... but"
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None]
    assignee: Mapped[str | None] = mapped_column(String(100))


class NodePosition(Base):
    """Stable map coordinates per device so the topology map does not jump."""

    __tablename__ = "node_positions"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    x: Mapped[float]
    y: Mapped[float]
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)


class User(Base):
    """A web user. ``session_generation`` goes up whenever every session of the user must end
    (logout, new password, new role, disabled): a session remembers the generation it began in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime]
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disabled_at: Mapped[datetime | None]
    # {"districts": [...], "kinds": [...], "sites": [...]} (netops.scope.Scope); NULL: sees everything
    scope: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class LoginFailure(Base):
    """One failed login by (user name, client address): the throttle counts these in the
    database, so every web process applies the same limits."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_address", "address", "user_name", "at"),
        Index("ix_login_failures_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class TrapStat(Base):
    """Counts of received, accepted and dropped SNMP traps, per reason."""

    __tablename__ = "trap_stats"

    reason: Mapped[str] = mapped_column(String(50), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime | None]
    last_sender: Mapped[str | None] = mapped_column(String(100))
