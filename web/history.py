"""Read functions for what happened: outages, events, job runs, poll runs, traffic history.

Kept apart from ``web.readers`` (current state) because these are time-windowed and
filtered; all return frozen records from ``web.views``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.models import CounterRecord, CounterRollup, Device, Event, JobRun, Outage, PollRun
from web.views import EventView, JobRunView, OutageView, PollRunView


def _now() -> datetime:
    return datetime.now(UTC)


def _outage_view(o: Outage, now: datetime) -> OutageView:
    end = o.ended_at or now
    return OutageView(
        id=o.id,
        root_cause_type=o.root_cause_type,
        root_cause=o.root_cause,
        cause_text=o.cause_text,
        started_at=o.started_at,
        ended_at=o.ended_at,
        duration_s=max(0.0, (end - o.started_at).total_seconds()),
        affected_sites=tuple(o.affected_sites or ()),
        affected_devices=tuple(o.affected_devices or ()),
        flapping=o.flapping,
    )


def list_outages(
    session: Session, *, active: bool | None = None, limit: int = 500, now: datetime | None = None
) -> list[OutageView]:
    """Outages newest first; ``active=True`` only open ones, ``False`` only closed ones."""
    now = now or _now()
    stmt = select(Outage).order_by(Outage.started_at.desc()).limit(limit)
    if active is True:
        stmt = stmt.where(Outage.ended_at.is_(None))
    elif active is False:
        stmt = stmt.where(Outage.ended_at.is_not(None))
    return [_outage_view(o, now) for o in session.scalars(stmt)]


def outages_touching(session: Session, since: datetime, now: datetime | None = None) -> list[OutageView]:
    """Outages open at any moment after ``since`` (for availability)."""
    now = now or _now()
    stmt = select(Outage).where((Outage.ended_at.is_(None)) | (Outage.ended_at >= since))
    return [_outage_view(o, now) for o in session.scalars(stmt)]


def availability(outages: list[OutageView], site: str, days: int, now: datetime | None = None) -> float:
    """Share of the last ``days`` days in which ``site`` was in no outage (overlaps merged)."""
    now = now or _now()
    start = now - timedelta(days=days)
    spans = sorted(
        (max(o.started_at, start), min(o.ended_at or now, now)) for o in outages if site in o.affected_sites
    )
    down, cursor = 0.0, start
    for begin, end in spans:
        begin = max(begin, cursor)
        if end > begin:
            down += (end - begin).total_seconds()
            cursor = end
    return 100.0 * (1.0 - down / (days * 86400.0))


def list_events(
    session: Session, *, limit: int = 100, element: str | None = None, since: datetime | None = None
) -> list[EventView]:
    stmt = select(Event).order_by(Event.at.desc()).limit(limit)
    if element is not None:
        stmt = stmt.where(Event.element.contains(element))
    if since is not None:
        stmt = stmt.where(Event.at >= since)
    return [
        EventView(
            at=e.at,
            element_type=e.element_type,
            element=e.element,
            old_state=e.old_state,
            new_state=e.new_state,
            evidence=e.evidence,
        )
        for e in session.scalars(stmt)
    ]


def _job_run_view(r: JobRun) -> JobRunView:
    return JobRunView(
        id=r.id,
        job=r.job,
        started_at=r.started_at,
        finished_at=r.finished_at,
        duration_s=r.duration_s,
        devices_polled=r.devices_polled,
        devices_failed=r.devices_failed,
        overrun=r.overrun,
        trigger=r.trigger,
        result=r.result,
        errors=r.errors,
    )


def last_job_runs(session: Session) -> dict[str, JobRunView]:
    """The latest run of every job that ever ran."""
    latest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job).subquery()
    stmt = select(JobRun).join(latest, JobRun.id == latest.c.id)
    return {r.job: _job_run_view(r) for r in session.scalars(stmt)}


def job_history(session: Session, job: str | None = None, limit: int = 50) -> list[JobRunView]:
    stmt = select(JobRun).order_by(JobRun.started_at.desc()).limit(limit)
    if job is not None:
        stmt = stmt.where(JobRun.job == job)
    return [_job_run_view(r) for r in session.scalars(stmt)]


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
