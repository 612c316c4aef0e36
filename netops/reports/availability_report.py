"""Availability per site over a period, from outages and planned works, exactly.

For each site the outages naming it (``affected_sites``) are clipped at the period's bounds (an
outage still open counts up to the end of the period, or up to ``now`` for a period not over
yet). The period is cut into pieces at every outage start and end, so overlapping outages of
one site count once: a piece is *down* when an unplanned outage covers it, *planned* when only
planned ones do. A piece is attributed to the earliest-started unplanned outage covering it,
so the cause columns add up to ``downtime_s`` exactly.

Planned: an outage flagged ``planned`` is planned for its whole length; an outage that outlived
its planned works (``maintenance_id`` set, flag cleared when the works ended) is planned only
inside the works' occurrences. Planned time is excluded from the downtime and from the measured
time: ``availability_pct = 100 * (1 - downtime_s / (period_s - planned_s))``.

Cause classes, per site: ``fiber`` (the root cause is a link), ``switch`` (a device at another
site: the city switch the site hangs on), ``own`` (a device at the site itself: its own
equipment or power), ``unknown`` (anything else, or a device no longer in the inventory).

Agency: the site model has no agency field. Schools answer to the Dinas Pendidikan and health
sites to the Dinas Kesehatan (``AGENCY_OF_KIND``); every other site (an OPD office, a kecamatan
office, the city hall) is its own agency, named by the site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from inventory.models import Device, MaintenanceWindow, Outage, Site, iso_utc
from inventory.suggest import did_you_mean
from netops.monitor import maintenance  # its occurrences of a window (recurring works)
from netops.reports.period import Period
from topology.traversal import paused_gc

CAUSES = ("fiber", "switch", "own", "unknown")
AGENCY_OF_KIND = {"school": "Dinas Pendidikan", "health": "Dinas Kesehatan"}
NO_DISTRICT = "-"


class ReportError(ValueError):
    """An unknown district, kind or site (with the nearest names)."""


@dataclass(frozen=True, slots=True)
class Filters:
    district: str | None = None
    kind: str | None = None
    site: str | None = None
    within: frozenset[str] | None = None  # a scoped login's sites: the others do not exist here

    def to_json(self) -> dict[str, str | None]:
        return {"district": self.district, "kind": self.kind, "site": self.site}


@dataclass(frozen=True, slots=True)
class SiteRow:
    site: str
    district: str
    kind: str
    agency: str
    outages: int  # unplanned outages with downtime inside the period
    downtime_s: float  # unplanned, overlaps counted once
    planned_s: float  # inside planned works, excluded
    availability_pct: float
    by_cause: dict[str, float]  # CAUSES -> seconds; adds up to downtime_s

    def to_json(self) -> dict[str, Any]:
        return {"site": self.site, "district": self.district, "kind": self.kind, "agency": self.agency,
                "outages": self.outages, "downtime_s": self.downtime_s, "planned_s": self.planned_s,
                "availability_pct": self.availability_pct,
                **{f"{c}_s": self.by_cause[c] for c in CAUSES}}


@dataclass(frozen=True, slots=True)
class GroupRow:
    group: str  # district | kind | agency
    name: str
    sites: int
    outages: int  # distinct outages
    downtime_s: float  # summed over the group's sites
    planned_s: float
    availability_pct: float  # downtime over the measured time of all its sites

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "name": self.name, "sites": self.sites, "outages": self.outages,
                "downtime_s": self.downtime_s, "planned_s": self.planned_s,
                "availability_pct": self.availability_pct}


@dataclass(frozen=True, slots=True)
class OutageRow:
    id: int
    started_at: datetime
    ended_at: datetime | None  # None: still open
    root_cause_type: str
    root_cause: str
    sites: tuple[str, ...]  # the selected sites it affected
    in_period_s: float  # its own length inside the period
    planned: bool  # entirely inside planned works
    words: dict[str, str]  # the cause in plain words per language

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "started_at": _iso(self.started_at), "ended_at": _iso(self.ended_at),
                "root_cause_type": self.root_cause_type, "root_cause": self.root_cause,
                "sites": list(self.sites), "in_period_s": self.in_period_s, "planned": self.planned}


@dataclass(frozen=True, slots=True)
class PlannedRow:
    id: int
    scope: str
    target: str
    reason: str
    occurrences: tuple[tuple[datetime, datetime], ...]  # clipped at the period
    sites: tuple[str, ...]  # its blast radius among the selected sites

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "scope": self.scope, "target": self.target, "reason": self.reason,
                "occurrences": [[_iso(s), _iso(e)] for s, e in self.occurrences], "sites": list(self.sites)}


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    measured_until: datetime  # the period's end, or now for a period not over yet
    generated_at: datetime
    filters: Filters
    sites: tuple[SiteRow, ...]
    groups: dict[str, tuple[GroupRow, ...]]
    outages: tuple[OutageRow, ...]
    planned_works: tuple[PlannedRow, ...] = field(default=())

    def worst(self, n: int = 10) -> list[SiteRow]:
        """The ``n`` sites with the most downtime (ties: lower availability, then name)."""
        hit = [s for s in self.sites if s.downtime_s > 0]
        return sorted(hit, key=lambda s: (-s.downtime_s, s.availability_pct, s.site))[:n]

    def totals(self) -> GroupRow:
        return _group("all", "all", list(self.sites), self._site_outages(), self._measured_s())

    def _measured_s(self) -> float:
        return (self.measured_until - self.period.start).total_seconds()

    def _site_outages(self) -> dict[str, set[int]]:
        result: dict[str, set[int]] = defaultdict(set)
        for o in self.outages:
            if not o.planned:
                for s in o.sites:
                    result[s].add(o.id)
        return result

    def to_json(self) -> dict[str, Any]:
        return {"period": self.period.to_json(), "measured_until": _iso(self.measured_until),
                "generated_at": _iso(self.generated_at), "filters": self.filters.to_json(),
                "cause_classes": list(CAUSES),
                "totals": self.totals().to_json(),
                "sites": [s.to_json() for s in self.sites],
                "groups": {k: [g.to_json() for g in v] for k, v in self.groups.items()},
                "outages": [o.to_json() for o in self.outages],
                "planned_works": [p.to_json() for p in self.planned_works]}


def _iso(at: datetime | None) -> str | None:
    return None if at is None else iso_utc(at)


def agency_of(name: str, kind: str) -> str:
    return AGENCY_OF_KIND.get(kind, name)


# -- selection -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SiteRef:
    """What the report reads of a site: three columns (a province has 5,000 sites; ORM entities
    of them cost ten times as much)."""

    name: str
    district: str | None
    kind: str


def select_sites(session: Session, filters: Filters) -> list[SiteRef]:
    """The sites the filters name; an unknown district, kind or site is a ``ReportError``."""
    rows = session.execute(select(Site.name, Site.district, Site.kind).order_by(Site.name))
    sites = [SiteRef(name, district, kind) for name, district, kind in rows]
    if filters.within is not None:
        sites = [s for s in sites if s.name in filters.within]
    checks: tuple[tuple[str, str | None, Callable[[SiteRef], str]], ...] = (
        ("district", filters.district, lambda s: s.district or ""),
        ("kind", filters.kind, lambda s: s.kind),
        ("site", filters.site, lambda s: s.name))
    for what, wanted, value in checks:
        if wanted is None:
            continue
        known = {value(s) for s in sites}
        match = next((k for k in known if k.casefold() == wanted.strip().casefold()), None)
        if match is None:
            raise ReportError(f"no {what} {wanted!r}{did_you_mean(wanted, known)}")
        sites = [s for s in sites if value(s) == match]
    return sites


# -- the figures ---------------------------------------------------------------------------------
OUTAGE_COLUMNS = (Outage.id, Outage.started_at, Outage.ended_at, Outage.root_cause_type, Outage.root_cause,
                  Outage.affected_sites, Outage.planned, Outage.maintenance_id, Outage.cause_words)
Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class _Piece:
    """One outage's time at one site inside the period, split into unplanned and planned spans."""

    outage_id: int
    started_at: datetime
    cause: str
    down: tuple[Span, ...]
    planned: tuple[Span, ...]


def _clip(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    out = [(max(s, start), min(e, end)) for s, e in spans]
    return [(s, e) for s, e in out if e > s]


def _minus(span: Span, holes: Sequence[Span]) -> list[Span]:
    """``span`` without ``holes``."""
    pieces = [span]
    for hs, he in holes:
        nxt = []
        for s, e in pieces:
            if he <= s or hs >= e:
                nxt.append((s, e))
                continue
            if hs > s:
                nxt.append((s, hs))
            if he < e:
                nxt.append((he, e))
        pieces = nxt
    return pieces


def _planned_spans(outage: Any, span: Span, windows: dict[int, MaintenanceWindow]) -> list[Span]:
    if outage.planned:
        return [span]
    row = windows.get(outage.maintenance_id) if outage.maintenance_id is not None else None
    if row is None:
        return []
    return _clip(maintenance._occurrences(row, span[0], span[1]), span[0], span[1])


def _cause(outage: Any, site: str, device_sites: dict[str, str | None]) -> str:
    if outage.root_cause_type == "link":
        return "fiber"
    if outage.root_cause_type == "device" and outage.root_cause in device_sites:
        return "own" if device_sites[outage.root_cause] == site else "switch"
    return "unknown"


def _figures(pieces: Sequence[_Piece], start: datetime, end: datetime, measured_s: float
             ) -> tuple[int, float, float, float, dict[str, float]]:
    """outages, downtime_s, planned_s, availability_pct, by_cause for one site's pieces."""
    if not pieces:  # most sites of a month: nothing to cut (the loop below would say the same)
        return 0, 0.0, 0.0, 100.0, dict.fromkeys(CAUSES, 0.0)
    cuts = sorted({start, end} | {t for p in pieces for s, e in (*p.down, *p.planned) for t in (s, e)})
    by_cause = dict.fromkeys(CAUSES, 0.0)
    down = planned = 0.0
    counted: set[int] = set()
    ordered = sorted(pieces, key=lambda p: (p.started_at, p.outage_id))
    for a, b in pairwise(cuts):
        length = (b - a).total_seconds()
        first = next((p for p in ordered if any(s <= a and b <= e for s, e in p.down)), None)
        if first is not None:
            down += length
            by_cause[first.cause] += length
        elif any(s <= a and b <= e for p in pieces for s, e in p.planned):
            planned += length
    for p in pieces:
        if p.down:
            counted.add(p.outage_id)
    measured = measured_s - planned
    pct = 100.0 if measured <= 0 else 100.0 * (1 - down / measured)
    return len(counted), down, planned, round(pct, 4), by_cause


def _group(group: str, name: str, rows: list[SiteRow], outages_of: dict[str, set[int]],
           measured_s: float) -> GroupRow:
    down: float = 0  # as sum() adds: an empty group's figures stay the integer 0
    planned: float = 0
    ids: set[int] = set()
    for r in rows:  # one pass: a province has a thousand one-site agencies
        down += r.downtime_s
        planned += r.planned_s
        if hit := outages_of.get(r.site):
            ids |= hit
    measured = measured_s * len(rows) - planned
    pct = 100.0 if measured <= 0 else 100.0 * (1 - down / measured)
    return GroupRow(group, name, len(rows), len(ids), down, planned, round(pct, 4))


def build(session: Session, period: Period, filters: Filters, now: datetime) -> Report:
    """The report of ``period`` for the sites ``filters`` selects (``ReportError`` if unknown)."""
    with paused_gc():  # thousands of small rows: no full collection in the middle
        return _build(session, period, filters, now)


def _build(session: Session, period: Period, filters: Filters, now: datetime) -> Report:
    sites = select_sites(session, filters)
    wanted = {s.name for s in sites}
    end = min(period.end, max(now, period.start))
    rows: list[Any] = list(session.execute(select(*OUTAGE_COLUMNS).where(  # rows: as entities, cheaper
        Outage.started_at < end, or_(Outage.ended_at.is_(None), Outage.ended_at > period.start))
        .order_by(Outage.started_at, Outage.id)))
    device_sites: dict[str, str | None] = {device: site for device, site in session.execute(
        select(Device.name, Site.name).outerjoin(Site, Device.site_id == Site.id))}
    windows = {w.id: w for w in session.scalars(select(MaintenanceWindow))}
    pieces: dict[str, list[_Piece]] = defaultdict(list)
    outage_rows = []
    for o in rows:
        mine = sorted(set(o.affected_sites or []) & wanted)
        if not mine:
            continue
        clipped = _clip([(o.started_at, o.ended_at or end)], period.start, end)
        if not clipped:
            continue
        span = clipped[0]
        planned = _planned_spans(o, span, windows)
        down = tuple(_minus(span, planned))
        for site in mine:
            cause = _cause(o, site, device_sites)
            pieces[site].append(_Piece(o.id, o.started_at, cause, down, tuple(planned)))
        outage_rows.append(OutageRow(o.id, o.started_at, o.ended_at, o.root_cause_type, o.root_cause,
                                     tuple(mine), (span[1] - span[0]).total_seconds(), not down,
                                     dict(o.cause_words or {})))
    measured_s = (end - period.start).total_seconds()
    site_rows = []
    for s in sites:
        count, down_s, planned_s, pct, by_cause = _figures(pieces.get(s.name, []), period.start, end,
                                                          measured_s)
        site_rows.append(SiteRow(s.name, s.district or NO_DISTRICT, s.kind, agency_of(s.name, s.kind),
                                 count, down_s, planned_s, pct, by_cause))
    outages_of: dict[str, set[int]] = defaultdict(set)
    for site, ps in pieces.items():
        outages_of[site] = {p.outage_id for p in ps if p.down}
    groups = {}
    keys: tuple[tuple[str, Callable[[SiteRow], str]], ...] = (
        ("district", lambda r: r.district), ("kind", lambda r: r.kind), ("agency", lambda r: r.agency))
    for group, key in keys:
        members: dict[str, list[SiteRow]] = defaultdict(list)
        for r in site_rows:
            members[key(r)].append(r)
        groups[group] = tuple(_group(group, name, members[name], outages_of, measured_s)
                              for name in sorted(members))
    return Report(period, end, now, filters, tuple(site_rows), groups, tuple(outage_rows),
                  tuple(_planned_works(windows.values(), period.start, end, wanted, outage_rows, rows)))


def _planned_works(windows: Iterable[MaintenanceWindow], start: datetime, end: datetime, wanted: set[str],
                   outage_rows: list[OutageRow], rows: list[Any]) -> list[PlannedRow]:
    """Planned works with an occurrence in the period that touch the selected sites."""
    by_window: dict[int, set[str]] = defaultdict(set)
    shown = {r.id: r for r in outage_rows}
    for o in rows:
        if o.maintenance_id is not None and o.id in shown:
            by_window[o.maintenance_id] |= set(shown[o.id].sites)
    result = []
    for w in sorted(windows, key=lambda w: (w.starts_at, w.id)):
        occ = _clip(maintenance._occurrences(w, start, end), start, end)
        if not occ:
            continue
        sites = ({b.get("site", "") for b in (w.blast_radius or [])} | by_window.get(w.id, set())) & wanted
        if not sites:
            continue
        result.append(PlannedRow(w.id, w.scope, w.target, w.reason, tuple(occ), tuple(sorted(sites))))
    return result
