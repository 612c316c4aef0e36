"""Availability per device, link and site over 24 h / 7 d / 30 d, computed from outages.

An element is unavailable while an outage that names it is open: a device while it is the root
cause or among the affected devices, a site while it is among the affected sites, a link while
it is the root cause. Overlapping outages are merged before summing, so two simultaneous
outages of one school count once. Planned outages (inside planned works) are counted apart:
``planned_s`` is their downtime and ``percent`` counts only the unplanned one. Outages are read
once per call and filtered in Python (the affected lists are JSON columns, portable across SQLite
and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from inventory.models import Outage

WINDOWS: dict[str, timedelta] = {
    "24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30),
}


@dataclass(frozen=True, slots=True)
class Availability:
    element_type: str
    element: str
    window: str
    percent: float
    downtime_s: float  # unplanned
    outages: int
    planned_s: float = 0.0  # inside planned works, not counted in ``percent``


def _names(outage: Outage, element_type: str) -> set[str]:
    if element_type == "site":
        return set(outage.affected_sites or [])
    if element_type == "device":
        names = set(outage.affected_devices or [])
        return names | ({outage.root_cause} if outage.root_cause_type == "device" else set())
    return {outage.root_cause} if outage.root_cause_type == "link" else set()


def merged_downtime(intervals: Iterable[tuple[datetime, datetime]]) -> float:
    """Seconds covered by the union of ``intervals``."""
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return total


def availability(session: Session, element_type: str, elements: Iterable[str], now: datetime,
                 windows: Iterable[str] = tuple(WINDOWS)) -> list[Availability]:
    """One ``Availability`` per element and window (100 % when nothing happened)."""
    wanted = list(windows)
    longest = max(WINDOWS[w] for w in wanted)
    rows = list(session.scalars(select(Outage).where(
        or_(Outage.ended_at.is_(None), Outage.ended_at >= now - longest), Outage.started_at <= now)))
    result = []
    for element in elements:
        mine = [o for o in rows if element in _names(o, element_type)]
        for window in wanted:
            start = now - WINDOWS[window]
            spans = [(max(o.started_at, start), min(o.ended_at or now, now), bool(o.planned)) for o in mine
                     if (o.ended_at or now) > start]
            down = merged_downtime((s, e) for s, e, planned in spans if e > s and not planned)
            planned_s = merged_downtime((s, e) for s, e, planned in spans if e > s and planned)
            percent = 100.0 * (1 - down / WINDOWS[window].total_seconds())
            result.append(Availability(element_type, element, window, round(percent, 4), down,
                                       sum(1 for *_, planned in spans if not planned), planned_s))
    return result
