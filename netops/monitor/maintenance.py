"""Planned works: windows with their blast radius, and which outages they explain.

A window is created with its blast radius (``blast_radius``: the assessment's what-if of every
element of its scope failing at once) so that what counts as planned is what was shown before
saving. While a window is active, an outage is planned when every site it cuts off or degrades
lies within the blast radius and either its root cause is inside the scope or it affects at
least one site; planned outages send no notification (each suppression is on the timeline).
An outage that reaches beyond the blast radius is not planned and notifies. When an occurrence
of a window ends (its end time, or ``netops maintenance end``), its planned outages that are
still open become normal outages and notify: "planned works ended at 14:00 but SD Negeri 3 is
still offline". Recurring windows repeat by an RFC 5545 RRULE (python-dateutil) from their start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import MaintenanceWindow, Outage, iso_utc
from inventory.suggest import nearest
from netops.audit import record_change
from netops.monitor import timeline
from topology.assessed import Assessment, RootCause, WhatIf
from topology.graph import TopologyGraph, link_devices
from topology.states import Element
from topology.whatif import WhatIfError, planned_what_if, resolve
from topology.wording import LANGUAGES, handled_text, planned_ended_text, planned_text

SCOPES = ("device", "link", "site", "district", "network")
MAX_REASON = 500
RECENT = timedelta(days=2)  # how long after its end a one-off window is still checked


class MaintenanceError(ValueError):
    """A window that cannot be made: bad scope, times or rule; ``nearest`` for an unknown name."""

    def __init__(self, message: str, nearest: Sequence[str] = ()) -> None:
        super().__init__(message + (f"; did you mean {', '.join(nearest)}?" if nearest else ""))
        self.nearest = tuple(nearest)


@dataclass(frozen=True, slots=True)
class WorksScope:
    """What a window covers: the elements failed for its what-if and the devices it covers."""

    kind: str
    target: str
    elements: tuple[Element, ...]
    devices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WindowView:
    id: int
    scope: str
    target: str
    starts_at: datetime
    ends_at: datetime
    rrule: str | None
    reason: str
    created_by: str
    created_at: datetime
    ended_at: datetime | None
    blast_radius: tuple[dict[str, str], ...]
    active: bool = False
    current_end: datetime | None = None  # end of the occurrence in progress
    next_start: datetime | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id, "scope": self.scope, "target": self.target,
            "starts_at": _iso(self.starts_at), "ends_at": _iso(self.ends_at), "rrule": self.rrule,
            "reason": self.reason, "created_by": self.created_by, "created_at": _iso(self.created_at),
            "ended_at": _iso(self.ended_at), "active": self.active,
            "current_end": _iso(self.current_end), "next_start": _iso(self.next_start),
            "blast_radius": [dict(b) for b in self.blast_radius],
        }


@dataclass
class WindowChanges:
    planned: list[int] = field(default_factory=list)
    unplanned: list[int] = field(default_factory=list)  # must notify now (beyond the radius, or works over)


def _iso(at: datetime | None) -> str | None:
    return iso_utc(at) if at else None


# -- making a window -----------------------------------------------------------------------------
def resolve_scope(graph: TopologyGraph, kind: str, target: str = "") -> WorksScope:
    """The elements and devices of a scope (MaintenanceError with the nearest names when unknown)."""
    target = target.strip()
    if kind == "network":
        devices = tuple(sorted(graph.nodes))
        return WorksScope(kind, "network", tuple(Element("device", d) for d in devices), devices)
    if kind == "device" or kind == "link":
        try:
            element = resolve(graph, device=target if kind == "device" else None,
                              link=target if kind == "link" else None)
        except WhatIfError as exc:
            raise MaintenanceError(str(exc)) from None
        if element.kind == "device":
            return WorksScope(kind, element.id, (element,), (element.id,))
        return WorksScope(kind, element.id, (element,), ())
    if kind == "site":
        if target not in graph.sites:
            raise MaintenanceError(f"no site {target!r}", nearest(target, graph.sites))
        devices = tuple(sorted(graph.site_devices.get(target, ())))
    elif kind == "district":
        districts = {s.district for s in graph.sites.values() if s.district}
        if target not in districts:
            raise MaintenanceError(f"no district {target!r}", nearest(target, districts))
        devices = tuple(sorted(d for site, rec in graph.sites.items() if rec.district == target
                               for d in graph.site_devices.get(site, ())))
    else:
        raise MaintenanceError(f"unknown scope {kind!r}; choose one of {', '.join(SCOPES)}")
    if not devices:
        raise MaintenanceError(f"{kind} {target!r} has no device netops knows")
    return WorksScope(kind, target, tuple(Element("device", d) for d in devices if d in graph.nodes), devices)


def blast_radius(assessment: Assessment, scope: WorksScope) -> WhatIf:
    """What the window's works cut off and leave on one path: the assessment's what-if."""
    try:
        return planned_what_if(assessment, scope.elements, Element(scope.kind, scope.target))
    except WhatIfError as exc:
        raise MaintenanceError(str(exc)) from None


def radius_list(result: WhatIf) -> list[dict[str, str]]:
    return ([{"site": s, "effect": "disconnected"} for s in result.lost_sites]
            + [{"site": s, "effect": "degraded"} for s in result.degraded_sites])


def check_times(starts_at: datetime, ends_at: datetime, rrule: str | None) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise MaintenanceError("times need a zone")
    if ends_at <= starts_at:
        raise MaintenanceError("the end must be after the start")
    if rrule:
        try:
            first = rrulestr(rrule, dtstart=starts_at).after(starts_at, inc=True)
        except (ValueError, TypeError) as exc:
            raise MaintenanceError(f"--rrule {rrule!r}: {exc}") from None
        if first is None:
            raise MaintenanceError(f"--rrule {rrule!r} never occurs")


def create_window(session: Session, scope: WorksScope, radius: WhatIf, *, starts_at: datetime,
                  ends_at: datetime, reason: str, by: str, now: datetime,
                  rrule: str | None = None) -> MaintenanceWindow:
    reason = reason.strip()
    if not reason:
        raise MaintenanceError("say why (--reason)")
    if len(reason) > MAX_REASON:
        raise MaintenanceError(f"the reason is longer than {MAX_REASON} characters")
    check_times(starts_at, ends_at, rrule)
    row = MaintenanceWindow(scope=scope.kind, target=scope.target, starts_at=starts_at, ends_at=ends_at,
                            rrule=rrule or None, reason=reason, created_by=by, created_at=now,
                            scope_devices=list(scope.devices), blast_radius=radius_list(radius))
    session.add(row)
    session.flush()
    record_change(session, "maintenance.add", f"planned works #{row.id}", None,
                  {"scope": row.scope, "target": row.target, "starts_at": starts_at, "ends_at": ends_at,
                   "rrule": row.rrule, "reason": reason, "by": by})
    return row


def end_window(session: Session, window_id: int, now: datetime) -> MaintenanceWindow:
    """End a window now (its planned outages still open notify at the next evaluation)."""
    row = session.get(MaintenanceWindow, window_id)
    if row is None:
        raise MaintenanceError(f"no planned works #{window_id}")
    if row.ended_at is not None and row.ended_at <= now:
        raise MaintenanceError(f"planned works #{window_id} already ended")
    record_change(session, "maintenance.end", f"planned works #{row.id}", {"ended_at": row.ended_at},
                  {"ended_at": now})
    row.ended_at = now
    return row


# -- when ----------------------------------------------------------------------------------------
def _occurrences(row: MaintenanceWindow, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The window's occurrences overlapping ``start``..``end`` (ended early: none after that)."""
    length = row.ends_at - row.starts_at
    if row.rrule:
        rule = rrulestr(row.rrule, dtstart=row.starts_at)
        starts = list(rule.between(start - length, end, inc=True))
    else:
        starts = [row.starts_at]
    out = []
    for s in starts:
        e = s + length
        if row.ended_at is not None:
            if s >= row.ended_at:
                continue
            e = min(e, row.ended_at)
        if e > start and s <= end:
            out.append((s, e))
    return out


def current(row: MaintenanceWindow, now: datetime) -> tuple[datetime, datetime] | None:
    """The occurrence in progress at ``now``."""
    return next(((s, e) for s, e in _occurrences(row, now, now) if s <= now < e), None)


def next_start(row: MaintenanceWindow, now: datetime) -> datetime | None:
    if row.ended_at is not None and row.ended_at <= now:
        return None
    if not row.rrule:
        return row.starts_at if row.starts_at > now else None
    found = rrulestr(row.rrule, dtstart=row.starts_at).after(now)
    return found if found is None or row.ended_at is None or found < row.ended_at else None


def view(row: MaintenanceWindow, now: datetime) -> WindowView:
    occ = current(row, now)
    return WindowView(row.id, row.scope, row.target, row.starts_at, row.ends_at, row.rrule, row.reason,
                      row.created_by, row.created_at, row.ended_at, tuple(row.blast_radius or ()),
                      occ is not None, occ[1] if occ else None, next_start(row, now))


def list_windows(session: Session, now: datetime, *, include_past: bool = False) -> list[WindowView]:
    """Windows in progress and to come (and recently past ones with ``include_past``), by start."""
    query = select(MaintenanceWindow).order_by(MaintenanceWindow.starts_at, MaintenanceWindow.id)
    rows = session.scalars(query)
    views = [view(r, now) for r in rows]
    if include_past:
        return views
    return [v for v in views if v.active or v.next_start is not None]


def _live(session: Session, now: datetime) -> list[MaintenanceWindow]:
    """Windows that may be active or may have an occurrence end left to check."""
    query = select(MaintenanceWindow).where(MaintenanceWindow.starts_at <= now).order_by(MaintenanceWindow.id)
    return [r for r in session.scalars(query)
            if r.rrule or r.ends_at >= now - RECENT
            or (r.ended_at is not None and r.ended_at >= now - RECENT)]


# -- which outages are planned ------------------------------------------------------------------
def _inside(row: MaintenanceWindow, cause: RootCause) -> bool:
    """Is the root cause an element the works are on?"""
    if row.scope == "network":
        return True
    if cause.element.kind == "link":
        if row.scope == "link":
            return cause.element.id == row.target
        return bool(link_devices(cause.element.id) & set(row.scope_devices or ()))
    return cause.element.id in set(row.scope_devices or ())


def _within(row: MaintenanceWindow, outage: Outage) -> bool:
    radius = {b["site"] for b in row.blast_radius or ()}
    touched = set(outage.affected_sites or ()) | set(outage.degraded_sites or ())
    return touched <= radius


def _matching(windows: Iterable[tuple[MaintenanceWindow, datetime]], cause: RootCause,
              outage: Outage) -> MaintenanceWindow | None:
    for row, _end in windows:
        if _within(row, outage) and (_inside(row, cause) or outage.affected_sites or outage.degraded_sites):
            return row
    return None


def apply_windows(session: Session, causes: Sequence[RootCause], by_cause: dict[tuple[str, str], int],
                  opened: Sequence[int], closed: Sequence[int], now: datetime, zone: str) -> WindowChanges:
    """Mark this evaluation's outages planned or not, and end the works whose time is over."""
    rows = _live(session, now)  # one query per evaluation for both the ends and the matching
    changes = ends_of_windows(session, now, zone, rows)
    live = [(r, occ[1]) for r in rows if (occ := current(r, now)) is not None]
    for cause in causes:
        outage_id = by_cause.get((cause.element.kind, cause.element.id))
        outage = session.get(Outage, outage_id) if outage_id is not None else None
        if outage is None:
            continue
        match = _matching(live, cause, outage)
        if outage.planned and match is None:
            _unplan(session, outage, now, "reaches beyond the planned works' blast radius", changes)
        elif not outage.planned and match is not None and (outage.id in opened or not outage.notified_open):
            _plan(session, outage, match, now, changes)
    for outage_id in closed:
        outage = session.get(Outage, outage_id)
        if outage is not None and outage.planned and not outage.notified_close:
            outage.notified_close = True
            timeline.add(session, outage.id, now, "notification_suppressed",
                         text=f"close: planned works #{outage.maintenance_id}",
                         maintenance_id=outage.maintenance_id)
    return changes


def _plan(session: Session, outage: Outage, row: MaintenanceWindow, now: datetime,
          changes: WindowChanges) -> None:
    outage.planned, outage.maintenance_id = True, row.id
    outage.notified_open = True  # nothing to send: the works were announced
    timeline.add(session, outage.id, now, "planned", text=row.reason, maintenance_id=row.id)
    timeline.add(session, outage.id, now, "notification_suppressed", text=f"open: planned works #{row.id}",
                 maintenance_id=row.id)
    changes.planned.append(outage.id)


def _unplan(session: Session, outage: Outage, now: datetime, why: str, changes: WindowChanges) -> None:
    outage.planned = False
    outage.notified_open = False  # the opening message is now due
    timeline.add(session, outage.id, now, "unplanned", text=why, maintenance_id=outage.maintenance_id)
    changes.unplanned.append(outage.id)


def ends_of_windows(session: Session, now: datetime, zone: str,
                    rows: Sequence[MaintenanceWindow] | None = None) -> WindowChanges:
    """Occurrences that ended since last checked: their planned outages still open notify now
    (``rows``: the live windows when the caller has read them already)."""
    changes = WindowChanges()
    tz: tzinfo = ZoneInfo(zone)
    for row in _live(session, now) if rows is None else rows:
        since = row.checked_until or row.starts_at
        ended = [e for _s, e in _occurrences(row, since, now) if since < e <= now]
        if not ended:
            continue
        end = max(ended)
        row.checked_until = end
        still = session.scalars(select(Outage).where(Outage.ended_at.is_(None), Outage.planned.is_(True),
                                                     Outage.maintenance_id == row.id).order_by(Outage.id))
        radius = [b["site"] for b in row.blast_radius or ()]
        for outage in still:
            cut = list(outage.affected_sites or ())
            down = [s for s in radius if s in cut] or cut
            at = end.astimezone(tz).strftime("%H:%M")
            outage.maintenance_words = {lang: planned_ended_text(at, down, lang) for lang in LANGUAGES}
            timeline.add(session, outage.id, now, "maintenance_ended", text=outage.maintenance_words["en"],
                         maintenance_id=row.id)
            _unplan(session, outage, now, f"planned works #{row.id} ended", changes)
    return changes


# -- the help-desk answer ------------------------------------------------------------------------
def handling_words(session: Session, outage_ids: Iterable[int | None], lang: str, zone: tzinfo,
                   now: datetime) -> dict[int, str]:
    """For each outage: "planned works until 14:00: <reason>" or "being handled by Budi since
    10:05: <last note>" (in ``lang``, times in ``zone``); outages nobody took have none."""
    ids = sorted({i for i in outage_ids if i is not None})
    if not ids:
        return {}
    out: dict[int, str] = {}
    rows = list(session.scalars(select(Outage).where(Outage.id.in_(ids))))
    notes = timeline.notes_of(session, [r.id for r in rows if r.acknowledged_by])
    for row in rows:
        planned = row.planned and row.maintenance_id is not None
        window = session.get(MaintenanceWindow, row.maintenance_id) if planned else None
        if window is not None:
            occ = current(window, now)
            until = (occ[1] if occ else window.ends_at).astimezone(zone).strftime("%H:%M")
            out[row.id] = planned_text(until, window.reason, lang)
        elif row.acknowledged_by and row.acknowledged_at:
            last = notes.get(row.id)
            since = row.acknowledged_at.astimezone(zone).strftime("%H:%M")
            out[row.id] = handled_text(row.acknowledged_by, since, last[-1].text if last else None, lang)
    return out
