"""Read functions for the web and the CLI: outages, events, availability, job runs, trap counts.

Every function takes a session and returns frozen dataclasses (never ORM rows), so a view or a
command cannot change state by accident and a session's lifetime never leaks. ``OutageView.to_json``
is the one JSON shape of an outage (``netops outages --json`` and ``/api/v1/outages``).
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from inventory.models import Event, JobRun, Outage, TrapStat, iso_utc, utcnow
from netops.monitor.availability import Availability, availability
from netops.monitor.timeline import Note, notes_of


@dataclass(frozen=True, slots=True)
class OutageView:
    id: int
    root_cause_type: str
    root_cause: str
    affected_sites: tuple[str, ...]
    affected_devices: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    duration_s: float
    flapping: bool
    cause_text: str | None = None
    degraded_sites: tuple[str, ...] = ()
    cause_words: dict[str, str] | None = None
    planned: bool = False
    maintenance_id: int | None = None
    maintenance_words: dict[str, str] | None = None  # "planned works ended at 14:00 but ... is still offline"
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    assignee: str | None = None
    notes: tuple[Note, ...] = ()

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def last_note(self) -> Note | None:
        return self.notes[-1] if self.notes else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "root_cause": {"type": self.root_cause_type, "name": self.root_cause},
            "affected_sites": list(self.affected_sites),
            "affected_devices": list(self.affected_devices),
            "degraded_sites": list(self.degraded_sites),
            "cause": dict(self.cause_words or {}),
            "evidence": self.cause_text,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at) if self.ended_at else None,
            "duration_s": round(self.duration_s, 3),
            "flapping": self.flapping,
            "planned": self.planned,
            "maintenance_id": self.maintenance_id,
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": _iso(self.acknowledged_at) if self.acknowledged_at else None,
            "assignee": self.assignee,
            "notes": [n.to_json() for n in self.notes],
        }


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    at: datetime
    element_type: str
    element: str
    old_state: str | None
    new_state: str
    evidence: str | None
    outage_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": _iso(self.at), "element_type": self.element_type,
                "element": self.element, "old_state": self.old_state, "new_state": self.new_state,
                "evidence": self.evidence, "outage_id": self.outage_id}


@dataclass(frozen=True, slots=True)
class JobRunView:
    id: int
    job: str
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    devices_polled: int
    devices_failed: int
    overrun: bool
    trigger: str
    result: str
    errors: str | None
    devices_planned: int | None = None


@dataclass(frozen=True, slots=True)
class JobStatus:
    job: str
    interval_s: int | None
    next_run: datetime | None
    paused: bool
    last_run: JobRunView | None


@dataclass(frozen=True, slots=True)
class TrapCount:
    reason: str
    count: int
    last_at: datetime | None
    last_sender: str | None


def _iso(at: datetime) -> str:
    return iso_utc(at)


def _outage_view(row: Outage, now: datetime, notes: Sequence[Note] = ()) -> OutageView:
    end = row.ended_at or now
    return OutageView(id=row.id, root_cause_type=row.root_cause_type, root_cause=row.root_cause,
                      affected_sites=tuple(row.affected_sites or ()),
                      affected_devices=tuple(row.affected_devices or ()), started_at=row.started_at,
                      ended_at=row.ended_at, duration_s=max(0.0, (end - row.started_at).total_seconds()),
                      flapping=bool(row.flapping), cause_text=row.cause_text,
                      degraded_sites=tuple(row.degraded_sites or ()), cause_words=dict(row.cause_words or {}),
                      planned=bool(row.planned), maintenance_id=row.maintenance_id,
                      maintenance_words=dict(row.maintenance_words) if row.maintenance_words else None,
                      acknowledged_by=row.acknowledged_by, acknowledged_at=row.acknowledged_at,
                      assignee=row.assignee, notes=tuple(notes))


def _views(session: Session, rows: Sequence[Outage], now: datetime) -> list[OutageView]:
    notes = notes_of(session, [r.id for r in rows])
    return [_outage_view(r, now, notes.get(r.id, ())) for r in rows]


def active_outages(session: Session, now: datetime | None = None) -> list[OutageView]:
    now = now or utcnow()
    rows = session.scalars(select(Outage).where(Outage.ended_at.is_(None)).order_by(Outage.started_at)).all()
    return _views(session, rows, now)


def outage_history(session: Session, since: datetime | None = None, limit: int = 500,
                   now: datetime | None = None) -> list[OutageView]:
    """Outages that started or were still open after ``since``, newest first."""
    now = now or utcnow()
    query = select(Outage).order_by(Outage.started_at.desc(), Outage.id.desc()).limit(limit)
    if since is not None:
        query = query.where((Outage.ended_at.is_(None)) | (Outage.ended_at >= since))
    return _views(session, session.scalars(query).all(), now)


def get_outage(session: Session, outage_id: int, now: datetime | None = None) -> OutageView | None:
    row = session.get(Outage, outage_id)
    return _views(session, [row], now or utcnow())[0] if row is not None else None


def events(session: Session, *, since: datetime | None = None, element: str | None = None,
           outage_id: int | None = None, limit: int = 200) -> list[EventView]:
    """Events newest first, optionally for one element or one outage."""
    query = select(Event).order_by(Event.at.desc(), Event.id.desc()).limit(limit)
    if since is not None:
        query = query.where(Event.at >= since)
    if element is not None:
        query = query.where(Event.element == element)
    if outage_id is not None:
        query = query.where(Event.outage_id == outage_id)
    return [EventView(e.id, e.at, e.element_type, e.element, e.old_state, e.new_state, e.evidence,
                      e.outage_id) for e in session.scalars(query)]


def availability_of(session: Session, element_type: str, elements: list[str],
                    now: datetime | None = None) -> list[Availability]:
    return availability(session, element_type, elements, now or utcnow())


def run_view(r: JobRun) -> JobRunView:
    """A job run as the pages and commands show it."""
    return JobRunView(r.id, r.job, r.started_at, r.finished_at, r.duration_s, r.devices_polled,
                      r.devices_failed, bool(r.overrun), r.trigger, r.result, r.errors, r.devices_planned)


def job_runs(session: Session, job: str | None = None, limit: int = 50) -> list[JobRunView]:
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job is not None:
        query = query.where(JobRun.job == job)
    return [run_view(r) for r in session.scalars(query)]


def job_statuses(session: Session) -> list[JobStatus]:
    """Every stored job with next run (None = paused), interval and its last run."""
    latest = {}
    sub = select(JobRun.job, func.max(JobRun.id)).group_by(JobRun.job)
    ids = [row[1] for row in session.execute(sub)]
    for run in session.scalars(select(JobRun).where(JobRun.id.in_(ids))):
        latest[run.job] = run_view(run)
    result = []
    for job_id, next_ts, state in _stored_jobs(session):
        next_run = datetime.fromtimestamp(next_ts, UTC) if next_ts is not None else None
        last = latest.pop(job_id, None)
        result.append(JobStatus(job_id, _interval(state), next_run, next_run is None, last))
    result += [JobStatus(job, None, None, False, run) for job, run in sorted(latest.items())]
    return result


def _stored_jobs(session: Session) -> list[tuple[str, float | None, bytes | None]]:
    try:
        rows = session.execute(text("SELECT id, next_run_time, job_state FROM apscheduler_jobs ORDER BY id"))
        return [(str(r[0]), r[1], r[2]) for r in rows]
    except SQLAlchemyError:  # the scheduler never ran: no job store table yet
        session.rollback()
        return []


def _interval(state: bytes | None) -> int | None:
    if not state:
        return None
    try:
        trigger = pickle.loads(state).get("trigger")  # noqa: S301 - our own APScheduler job store
    except Exception:
        return None
    interval = getattr(trigger, "interval_length", None)
    return int(interval) if interval else None


def trap_counts(session: Session) -> list[TrapCount]:
    return [TrapCount(t.reason, t.count, t.last_at, t.last_sender)
            for t in session.scalars(select(TrapStat).order_by(TrapStat.reason))]
