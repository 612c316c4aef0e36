"""Notification routes made on the admin page, and each message sent (or not) about an outage.

``NotificationRoute`` keeps a route added by an admin in the web UI as the same spec the config
file's ``[notifications.routes.NAME]`` table holds (checked by ``netops.monitor.routing``).
``OutageNotice`` is one message about one outage through one route: its kind (open, reminder,
escalation, flapping, close) and outcome (sent, failed, suppressed). Which routes were told of
the opening, when the last reminder went out and whether an escalation happened are read from
these rows, so reminders, escalation and the closing message survive a restart.
``WorksNotice`` is the notice of one occurrence of planned works through one route, sent
before it starts (``notifications.notice_before_minutes``), so it goes out once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models.base import Base

NOTICE_KINDS = ("open", "reminder", "escalation", "flapping", "close")
NOTICE_OUTCOMES = ("sent", "failed", "suppressed")


class NotificationRoute(Base):
    __tablename__ = "notification_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class OutageNotice(Base):
    __tablename__ = "outage_notices"
    __table_args__ = (Index("ix_outage_notices_outage", "outage_id", "route"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"))
    route: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    detail: Mapped[str] = mapped_column(Text, default="")


class WorksNotice(Base):
    __tablename__ = "works_notices"
    __table_args__ = (Index("ix_works_notices_window", "window_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("maintenance_windows.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]  # the occurrence announced
    route: Mapped[str] = mapped_column(String(63))
    outcome: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
