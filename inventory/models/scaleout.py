"""Scale-out state shared through the database: poll outcomes from workers, live workers,
the scheduler lease and traps forwarded from a following scheduler to the leading one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models.base import Base


class PollOutcome(Base):
    """One device's poll result written by a worker; (task, device) is unique, so a task that
    is delivered twice (a worker killed before it acknowledged) is applied once."""

    __tablename__ = "poll_outcomes"
    __table_args__ = (UniqueConstraint("task_id", "device", name="uq_poll_outcomes_task_device"),
                      Index("ix_poll_outcomes_job_run_device", "job_run_id", "device"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(80))
    job_run_id: Mapped[int | None] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(200))
    worker: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)  # the PollResult as JSON (no secrets: collectors mask them)
    created_at: Mapped[datetime]
    taken_at: Mapped[datetime | None]


class PollWorker(Base):
    """A running ``netops worker`` and its queues (poll groups), refreshed every few seconds."""

    __tablename__ = "poll_workers"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    queues: Mapped[str] = mapped_column(Text)  # comma-separated
    concurrency: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]


class SchedulerLease(Base):
    """Who leads the schedulers: renewed by the leader, taken over when ``expires_at`` passed."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    renewed_at: Mapped[datetime]
    expires_at: Mapped[float] = mapped_column(Float)  # epoch seconds: compared in one UPDATE on any backend


class ForwardedTrap(Base):
    """A trap received by a following scheduler, for the leader to act on."""

    __tablename__ = "forwarded_traps"

    id: Mapped[int] = mapped_column(primary_key=True)
    device: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(50))
    if_index: Mapped[int | None] = mapped_column(Integer)
    received_by: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
