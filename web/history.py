"""What happened, for the pages: outages, events and job runs from ``netops.monitor.queries``
(the monitor's read functions, one JSON shape with the CLI), plus what only the web needs:
a device's events and polls, overrun counts and traffic history for the charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
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
