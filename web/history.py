"""What happened, for the pages: outages, events and job runs from ``netops.monitor.queries``
(the monitor's read functions, one JSON shape with the CLI), plus what only the web needs:
a device's events and polls, overrun counts and traffic history for the charts.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from inventory.models import CounterRecord, CounterRollup, Device, Event, JobRun, PollRun
from netops.monitor import queries as monitor
from netops.monitor.availability import availability
from netops.monitor.queries import EventView, JobRunView, JobStatus, OutageView
from web.views import PollRunView

__all__ = ["EventView", "JobRunView", "JobStatus", "OutageView"]


def _now() -> datetime:
    return datetime.now(UTC)


def list_outages(session: Session, *, active: bool | None = None, limit: int = 500) -> list[OutageView]:
    """Outages newest first; ``active=True`` only open ones, ``False`` only closed ones."""
    if active is True:
        return sorted(monitor.active_outages(session), key=lambda o: o.started_at, reverse=True)
    outages = monitor.outage_history(session, limit=limit)
    return [o for o in outages if o.ended_at is not None] if active is False else outages


def site_availability(session: Session, site: str, now: datetime | None = None) -> dict[str, float]:
    """Percent available per window ("7d", "30d") from the monitor's outage arithmetic."""
    rows = availability(session, "site", [site], now or _now(), windows=("7d", "30d"))
    return {row.window: row.percent for row in rows}


def list_events(session: Session, *, limit: int = 100) -> list[EventView]:
    return monitor.events(session, limit=limit)


def events_page(session: Session, limit: int, offset: int,
                devices: Collection[str] | None = None, others: Collection[str] = ()) -> list[EventView]:
    """Events newest first from ``offset`` on (a scoped login reads on until it has its own N).

    ``devices``: only events that may be about them (the device, a link with an end on it) or
    about one of ``others`` (sites): a superset the caller filters exactly."""
    stmt = select(Event).order_by(Event.at.desc(), Event.id.desc()).limit(limit).offset(offset)
    if devices is not None:
        near: list[ColumnElement[bool]] = [Event.element.in_(sorted({*devices, *others}))]
        for name in devices:
            near += [Event.element.startswith(f"{name}:", autoescape=True),
                     Event.element.contains(f"--{name}:", autoescape=True)]
        stmt = stmt.where(or_(*near))
    return [
        EventView(e.id, e.at, e.element_type, e.element, e.old_state, e.new_state, e.evidence, e.outage_id)
        for e in session.scalars(stmt)
    ]


def get_outage(session: Session, outage_id: int) -> OutageView | None:
    return monitor.get_outage(session, outage_id)


def outage_events(session: Session, outage_id: int, limit: int = 200) -> list[EventView]:
    """The state changes the monitor attached to one outage, newest first."""
    return monitor.events(session, outage_id=outage_id, limit=limit)


def device_events(session: Session, device: str, limit: int = 30) -> list[EventView]:
    """Events of the device itself and of its links and interfaces (``dev:port--...``)."""
    like = select(Event).where((Event.element == device) | Event.element.contains(f"{device}:"))
    rows = session.scalars(like.order_by(Event.at.desc(), Event.id.desc()).limit(limit))
    return [
        EventView(e.id, e.at, e.element_type, e.element, e.old_state, e.new_state, e.evidence, e.outage_id)
        for e in rows
    ]


def job_runs(session: Session, job: str | None = None, limit: int = 50) -> list[JobRunView]:
    return monitor.job_runs(session, job, limit)


def job_statuses(session: Session) -> list[JobStatus]:
    return monitor.job_statuses(session)


TRAP = "trap"
CYCLE_TRIGGERS = ("schedule", "manual")
RUN_FILTERS = ("cycles", "traps", "all")


def _runs_where(stmt: Select[Any], job: str | None, shown: str) -> Select[Any]:
    if job is not None:
        stmt = stmt.where(JobRun.job == job)
    if shown == "cycles":
        stmt = stmt.where(JobRun.trigger != TRAP)
    elif shown == "traps":
        stmt = stmt.where(JobRun.trigger == TRAP)
    return stmt


def filtered_runs(session: Session, job: str | None = None, shown: str = "cycles",
                  limit: int = 50, offset: int = 0) -> list[JobRunView]:
    """Job runs newest first: ``cycles`` (scheduled and run-now), ``traps`` (a trap's confirming
    polls of one or two devices) or ``all``."""
    stmt = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit).offset(offset)
    return [monitor.run_view(r) for r in session.scalars(_runs_where(stmt, job, shown))]


def count_runs(session: Session, job: str | None = None, shown: str = "cycles") -> int:
    return int(session.scalar(_runs_where(select(func.count(JobRun.id)), job, shown)) or 0)


def last_cycles(session: Session) -> dict[str, JobRunView]:
    """Each job's latest cycle, trap-triggered polls aside (they poll one device, not the job)."""
    latest = select(func.max(JobRun.id)).where(JobRun.trigger != TRAP).group_by(JobRun.job)
    rows = session.scalars(select(JobRun).where(JobRun.id.in_(latest)))
    return {r.job: monitor.run_view(r) for r in rows}


def planned_sizes(session: Session) -> dict[str, int]:
    """How many devices each job's last finished cycle polled: the size of the next one, as far
    as the stored runs tell (the cycle records no plan of its own)."""
    done = (
        select(func.max(JobRun.id))
        .where(JobRun.trigger.in_(CYCLE_TRIGGERS), JobRun.result.in_(("ok", "partial", "failed")))
        .group_by(JobRun.job)
    )
    return {job: int(n) for job, n in session.execute(select(JobRun.job, JobRun.devices_polled)
                                                      .where(JobRun.id.in_(done)))}


def devices_done(session: Session, run_ids: list[int]) -> dict[int, int]:
    """Devices polled so far per job run: the poll runs stored as each batch comes back."""
    if not run_ids:
        return {}
    stmt = (select(PollRun.job_run_id, func.count(func.distinct(PollRun.device_id)))
            .where(PollRun.job_run_id.in_(run_ids)).group_by(PollRun.job_run_id))
    return {int(run_id): int(n) for run_id, n in session.execute(stmt) if run_id is not None}


def trap_poll_counts(session: Session, since: datetime) -> dict[str, int]:
    """Trap-triggered confirming polls per job since ``since``."""
    stmt = (select(JobRun.job, func.count()).where(JobRun.trigger == TRAP, JobRun.started_at >= since)
            .group_by(JobRun.job))
    return {job: int(n) for job, n in session.execute(stmt)}


def overrun_counts(session: Session) -> dict[str, int]:
    stmt = select(JobRun.job, func.count()).where(JobRun.overrun.is_(True)).group_by(JobRun.job)
    return {job: int(count) for job, count in session.execute(stmt)}


def poll_runs(session: Session, device: str, limit: int = 20) -> list[PollRunView]:
    stmt = (
        select(PollRun, Device.name)
        .join(Device, Device.id == PollRun.device_id)
        .where(Device.name == device)
        .order_by(PollRun.started_at.desc())
        .limit(limit)
    )
    return [
        PollRunView(
            device=name,
            job=p.job,
            transport=p.transport,
            started_at=p.started_at,
            duration_s=p.duration_s,
            ok=p.ok,
            completed=p.completed,
            error_kind=p.error_kind,
            error=p.error,
        )
        for p, name in session.execute(stmt)
    ]


@dataclass(frozen=True, slots=True)
class RatePoint:
    at: datetime
    in_bps: float
    out_bps: float


def traffic_series(
    session: Session, interface_id: int, hours: int = 24, now: datetime | None = None
) -> list[RatePoint]:
    """Rates of one interface: raw samples when there are any in the window, else hourly rollups."""
    since = (now or _now()) - timedelta(hours=hours)
    raw = session.execute(
        select(CounterRecord.sampled_at, CounterRecord.in_bps, CounterRecord.out_bps)
        .where(CounterRecord.interface_id == interface_id, CounterRecord.sampled_at >= since)
        .order_by(CounterRecord.sampled_at)
    ).all()
    points = [RatePoint(at, i or 0.0, o or 0.0) for at, i, o in raw if i is not None or o is not None]
    if points:
        return points
    rolled = session.execute(
        select(CounterRollup.hour, CounterRollup.in_bps_avg, CounterRollup.out_bps_avg)
        .where(CounterRollup.interface_id == interface_id, CounterRollup.hour >= since)
        .order_by(CounterRollup.hour)
    ).all()
    return [RatePoint(at, i or 0.0, o or 0.0) for at, i, o in rolled]
