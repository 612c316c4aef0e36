"""History retention: hourly counter rollups, then purge raw counters, events, runs by age.

Raw counter samples are kept ``monitor.counters_raw_days`` (default 7), hourly rollups
``monitor.rollups_days`` (400), events ``monitor.events_days`` (180), job runs and poll runs
``polling.job_history_days`` (30); closed outages are kept (they are what availability is
computed from). Rollups are built before the raw rows they summarise are deleted, one
(interface, hour) row each for every complete hour, idempotently (an hour already rolled up is
recomputed, not doubled), so long-range graphs read rollups and recent ones raw samples.

Growth per device per day, measured in SQLite (20 ports, status every 60 s, counters every
300 s): raw counter samples 0.72 MB (5,760 rows with their index), hourly rollups 57 kB (480
rows), poll runs 0.21 MB (~1,750 rows); events only on state changes. With the default
retention that settles at ~5 MB of raw counters (7 d) + ~6 MB of poll runs (30 d) per device,
plus rollups growing 57 kB/day up to ~23 MB after 400 d.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from inventory.db import session_scope
from inventory.models import CounterRecord, CounterRollup, Event, JobRun, PollRun, utcnow
from netops.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetentionReport:
    rollups_written: int
    counters_deleted: int
    rollups_deleted: int
    events_deleted: int
    job_runs_deleted: int
    poll_runs_deleted: int


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def rollup_hours(session: Session, now: datetime) -> int:
    """Write hourly rollups for the complete hours not rolled up yet (the last one is redone)."""
    last = session.scalar(select(CounterRollup.hour).order_by(CounterRollup.hour.desc()).limit(1))
    query = (select(CounterRecord.interface_id, CounterRecord.sampled_at, CounterRecord.in_bps,
                    CounterRecord.out_bps, CounterRecord.in_errors, CounterRecord.out_errors)
             .where(CounterRecord.sampled_at < _hour(now)))
    if last is not None:
        query = query.where(CounterRecord.sampled_at >= last)
    query = query.order_by(CounterRecord.interface_id, CounterRecord.sampled_at)
    groups: dict[tuple[int, datetime], list[tuple[float | None, float | None, int | None]]] = {}
    for iface, at, in_bps, out_bps, in_err, out_err in session.execute(query):
        errors = None if in_err is None and out_err is None else (in_err or 0) + (out_err or 0)
        groups.setdefault((iface, _hour(at)), []).append((in_bps, out_bps, errors))
    for (iface, hour), rows in groups.items():
        _upsert_rollup(session, iface, hour, rows)
    return len(groups)


def _upsert_rollup(session: Session, iface: int, hour: datetime,
                   rows: list[tuple[float | None, float | None, int | None]]) -> None:
    ins = [r[0] for r in rows if r[0] is not None]
    outs = [r[1] for r in rows if r[1] is not None]
    errs = [r[2] for r in rows if r[2] is not None]
    row = session.scalar(select(CounterRollup).where(CounterRollup.interface_id == iface,
                                                     CounterRollup.hour == hour))
    if row is None:
        row = CounterRollup(interface_id=iface, hour=hour)
        session.add(row)
    row.samples = len(rows)
    row.in_bps_avg = sum(ins) / len(ins) if ins else None
    row.out_bps_avg = sum(outs) / len(outs) if outs else None
    row.in_bps_max = max(ins) if ins else None
    row.out_bps_max = max(outs) if outs else None
    row.errors = (max(errs) - min(errs)) if len(errs) > 1 else None


def run_retention(engine: Engine, settings: Settings, now: datetime | None = None) -> RetentionReport:
    """Roll up, then purge by age; one transaction."""
    now = now or utcnow()
    monitor = settings.monitor
    raw_cut = now - timedelta(days=monitor.counters_raw_days)
    with session_scope(engine) as session:
        written = rollup_hours(session, now)
        counters = _purge(session, delete(CounterRecord).where(CounterRecord.sampled_at < _hour(raw_cut)))
        rollups = _purge(session, delete(CounterRollup).where(
            CounterRollup.hour < now - timedelta(days=monitor.rollups_days)))
        events = _purge(session, delete(Event).where(Event.at < now - timedelta(days=monitor.events_days)))
        history_cut = now - timedelta(days=settings.polling.job_history_days)
        polls = _purge(session, delete(PollRun).where(PollRun.started_at < history_cut))
        jobs = _purge(session, delete(JobRun).where(JobRun.started_at < history_cut))
    report = RetentionReport(written, counters, rollups, events, jobs, polls)
    log.info("retention: %s", report)
    return report


def _purge(session: Session, statement: object) -> int:
    result = session.execute(statement)  # type: ignore[call-overload]
    return int(getattr(result, "rowcount", 0) or 0)
