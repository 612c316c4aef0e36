"""History retention: hourly counter and latency rollups, then purge raw samples, events, runs by age.

Raw counter and latency samples are kept ``monitor.counters_raw_days`` (default 7), hourly
rollups of both ``monitor.rollups_days`` (400), events ``monitor.events_days`` (180), job runs and poll runs
``polling.job_history_days`` (30), audit log entries ``audit.retention_days`` (400); closed
outages are kept (they are what availability is computed from). Rollups are built before the
raw rows they summarise are deleted, one (interface, hour) row each for every complete hour,
idempotently (an hour already rolled up is recomputed, not doubled), so long-range graphs read
rollups and recent ones raw samples.

Growth per device per day, measured in SQLite (20 ports, status every 60 s, counters every
300 s): raw counter samples 0.72 MB (5,760 rows with their index), hourly rollups 57 kB (480
rows), poll runs 0.21 MB (~1,750 rows); events only on state changes. With the default
retention that settles at ~5 MB of raw counters (7 d) + ~6 MB of poll runs (30 d) per device,
plus rollups growing 57 kB/day up to ~23 MB after 400 d. Latency (one ICMP burst per status
poll): 1,440 samples (~0.1 MB with their indexes) and 24 rollups (~3 kB) per device per day.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from inventory.db import session_scope
from inventory.models import (
    CounterRecord,
    CounterRollup,
    Event,
    JobRun,
    LatencyRollup,
    LatencySample,
    PollRun,
    utcnow,
)
from netops import audit
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
    latency_rollups_written: int = 0
    latency_deleted: int = 0
    latency_rollups_deleted: int = 0
    audit_deleted: int = 0


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


_Burst = tuple[int, int, float | None, float | None, float | None]  # sent, received, rtt min, avg, max


def rollup_latency_hours(session: Session, now: datetime) -> int:
    """Hourly latency rollups for the complete hours not rolled up yet (the last one is redone)."""
    last = session.scalar(select(LatencyRollup.hour).order_by(LatencyRollup.hour.desc()).limit(1))
    query = (select(LatencySample.device_id, LatencySample.sampled_at, LatencySample.sent,
                    LatencySample.received, LatencySample.rtt_min_ms, LatencySample.rtt_avg_ms,
                    LatencySample.rtt_max_ms)
             .where(LatencySample.sampled_at < _hour(now)))
    if last is not None:
        query = query.where(LatencySample.sampled_at >= last)
    groups: dict[tuple[int, datetime], list[_Burst]] = {}
    for device, at, sent, received, low, avg, high in session.execute(query):
        groups.setdefault((device, _hour(at)), []).append((sent, received, low, avg, high))
    existing = {(r.device_id, r.hour): r for r in session.scalars(
        select(LatencyRollup).where(LatencyRollup.hour >= min((h for _, h in groups), default=_hour(now))))}
    for (device, hour), rows in groups.items():
        row = existing.get((device, hour))
        if row is None:
            row = LatencyRollup(device_id=device, hour=hour)
            session.add(row)
        _fill_latency(row, rows)
    return len(groups)


def _fill_latency(row: LatencyRollup, rows: list[_Burst]) -> None:
    answered = [r for r in rows if r[1] > 0]  # round trips only of bursts that something answered
    lows = [r[2] for r in answered if r[2] is not None]
    avgs = [(r[3], r[1]) for r in answered if r[3] is not None]
    highs = [r[4] for r in answered if r[4] is not None]
    row.samples = len(rows)
    row.sent = sum(r[0] for r in rows)
    row.received = sum(r[1] for r in rows)
    row.rtt_min_ms = min(lows) if lows else None
    row.rtt_max_ms = max(highs) if highs else None
    row.rtt_median_ms = statistics.median(a for a, _ in avgs) if avgs else None
    echoes = sum(n for _, n in avgs)
    row.rtt_avg_ms = sum(a * n for a, n in avgs) / echoes if echoes else None


def run_retention(engine: Engine, settings: Settings, now: datetime | None = None) -> RetentionReport:
    """Roll up, then purge by age; one transaction."""
    now = now or utcnow()
    monitor = settings.monitor
    raw_cut = now - timedelta(days=monitor.counters_raw_days)
    with session_scope(engine) as session:
        written = rollup_hours(session, now)
        latency_written = rollup_latency_hours(session, now)
        counters = _purge(session, delete(CounterRecord).where(CounterRecord.sampled_at < _hour(raw_cut)))
        latency = _purge(session, delete(LatencySample).where(LatencySample.sampled_at < _hour(raw_cut)))
        rollup_cut = now - timedelta(days=monitor.rollups_days)
        rollups = _purge(session, delete(CounterRollup).where(CounterRollup.hour < rollup_cut))
        latency_rollups = _purge(session, delete(LatencyRollup).where(LatencyRollup.hour < rollup_cut))
        events = _purge(session, delete(Event).where(Event.at < now - timedelta(days=monitor.events_days)))
        history_cut = now - timedelta(days=settings.polling.job_history_days)
        polls = _purge(session, delete(PollRun).where(PollRun.started_at < history_cut))
        jobs = _purge(session, delete(JobRun).where(JobRun.started_at < history_cut))
        audited = audit.prune(session, now, settings.audit.retention_days)
    report = RetentionReport(written, counters, rollups, events, jobs, polls, latency_written, latency,
                             latency_rollups, audited)
    log.info("retention: %s", report)
    return report


def _purge(session: Session, statement: object) -> int:
    result = session.execute(statement)  # type: ignore[call-overload]
    return int(getattr(result, "rowcount", 0) or 0)
