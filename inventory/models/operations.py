"""Planned works (maintenance windows) and each outage's timeline: who did what, when.

A window names what is worked on (``scope`` device | link | site | district | network and
``target``), when (``starts_at``..``ends_at``, repeated by an RFC 5545 ``rrule`` when given) and
why; the blast radius (sites cut off or left on one path if it goes down) is computed from the
assessment's what-if before it is saved and stored with it, so "planned" means what was planned.
``scope_devices`` are the devices the scope covers (a root cause on them is inside the window).
The timeline holds one row per thing that happened to an outage: opened, acknowledged, note,
assigned, root cause moved, planned, notification sent / failed / suppressed, closed; notes are
the timeline's ``note`` rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models.base import Base

MAINTENANCE_SCOPES = ("device", "link", "site", "district", "network")
TIMELINE_KINDS = (
    "opened", "acknowledged", "note", "assigned", "root_cause_moved", "planned", "unplanned",
    "maintenance_ended", "flapping", "notification_sent", "notification_failed",
    "notification_suppressed", "closed",
)


class MaintenanceWindow(Base):
    """Planned works on one element, site, district or the whole network, with its blast radius."""

    __tablename__ = "maintenance_windows"
    __table_args__ = (Index("ix_maintenance_windows_ends", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]  # of the first occurrence when recurring
    rrule: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # ended early by hand (``netops maintenance end``)
    scope_devices: Mapped[list[str]] = mapped_column(JSON, default=list)
    blast_radius: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{site, effect}]
    checked_until: Mapped[datetime | None]  # end of the last occurrence whose aftermath was checked


class OutageEntry(Base):
    """One line of an outage's timeline (a note is an entry of kind ``note``)."""

    __tablename__ = "outage_timeline"
    __table_args__ = (Index("ix_outage_timeline_outage", "outage_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    by: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    maintenance_id: Mapped[int | None] = mapped_column(Integer)
