"""Outages: opened for each root cause, closed on recovery, flapping folded into one.

``reconcile`` compares the root causes of this evaluation with the open outages in the
database: a new root cause opens an outage (or re-opens the element's recent one and marks it
flapping when it changed state ``flap_changes`` times within ``flap_window_s``); an outage whose
element recovered is closed with its end time; a flapping outage closes only once its element
has neither failed nor recovered for a whole flap window (``monitor.flap_window_s``, default
600 s; other changes such as ``unreachable`` do not count), ending at its last recovery.
An open outage whose element is now explained by a failure closer to the core (a device that
was ``down`` and is now ``unreachable``, a down link now explained by a dead switch) is the same
failure seen first from further out: it is moved to the new root cause (``cause_text`` says
what it was first seen as) instead of being closed while another one opens; the other way round,
an outage whose element recovered while causes inside it remain (a restarting switch whose fibers
still read down) goes on until they clear. Downstream devices are
never root causes (see ``impact``), so one failed switch is one outage listing the sites behind it.
Because open outages live in the database, a restarted service continues them instead of
opening duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Outage
from netops.monitor.events import changes_within, last_change_at
from topology.assessed import RootCause
from topology.graph import link_devices


@dataclass(frozen=True, slots=True)
class FlapPolicy:
    changes: int = 4
    window_s: float = 600.0


@dataclass
class OutageChanges:
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    flapping: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)  # re-attributed to a root cause closer to the core
    by_cause: dict[tuple[str, str], int] = field(default_factory=dict)  # the open outage of each cause
    planned: list[int] = field(default_factory=list)  # inside planned works: no message (``maintenance``)
    unplanned: list[int] = field(default_factory=list)  # planned no more (works over, or beyond): notify now


def open_outages(session: Session) -> dict[tuple[str, str], Outage]:
    rows = session.scalars(select(Outage).where(Outage.ended_at.is_(None)).order_by(Outage.id))
    result: dict[tuple[str, str], Outage] = {}
    for row in rows:
        result.setdefault((row.root_cause_type, row.root_cause), row)
    return result


def reconcile(session: Session, causes: Sequence[RootCause], now: datetime, policy: FlapPolicy,
              *, words: Mapping[tuple[str, str], dict[str, str]] | None = None,
              shadowed: frozenset[tuple[str, str]] = frozenset()) -> OutageChanges:
    """Open, update, move, re-open (flapping) and close outages so they match ``causes``.

    ``words``: each cause in plain words per language; ``shadowed``: elements that were failed
    and are now explained by another failure.
    """
    changes = OutageChanges()
    current = open_outages(session)
    wanted = {_key(c) for c in causes}
    movable = {key: o for key, o in current.items() if key in shadowed and key not in wanted}
    held: set[int] = set()
    for cause in causes:
        key = _key(cause)
        outage = current.get(key)
        if outage is None:
            outage = _move(movable, cause, current, changes)
        if outage is None:
            outage = _continuing(current, wanted, cause)
            if outage is not None:
                held.add(outage.id)
        if outage is None:
            outage = _open_or_reopen(session, cause, now, policy, changes)
        _merge_affected(outage, cause)
        if cause.evidence and not outage.cause_text:
            outage.cause_text = cause.evidence
        if words and key in words and outage.cause_words != words[key]:
            outage.cause_words = dict(words[key])
        changes.by_cause[key] = outage.id
    for key, outage in current.items():
        if key not in wanted and outage.id not in held:
            _maybe_close(session, outage, now, policy, changes)
    session.flush()
    return changes


def _key(cause: RootCause) -> tuple[str, str]:
    return cause.element.kind, cause.element.id


def _move(movable: dict[tuple[str, str], Outage], cause: RootCause, current: dict[tuple[str, str], Outage],
          changes: OutageChanges) -> Outage | None:
    """The open outage of a shadowed element whose devices ``cause`` explains, moved to ``cause``."""
    text = cause.evidence
    explained = set(cause.devices)
    for key, outage in sorted(movable.items(), key=lambda item: item[1].id):
        if outage.affected_devices and set(outage.affected_devices) <= explained:
            del movable[key]
            del current[key]
            first = f"first seen as {outage.root_cause_type} {outage.root_cause}"
            outage.root_cause_type, outage.root_cause = cause.element.kind, cause.element.id
            outage.cause_text = f"{text}; {first}" if text else first
            changes.moved.append(outage.id)
            return outage
    return None


def _continuing(current: dict[tuple[str, str], Outage], wanted: set[tuple[str, str]],
                cause: RootCause) -> Outage | None:
    """The open outage whose own element no longer explains anything but whose devices still
    include every device of ``cause``: a recovery seen in stages (the dead switch is not yet
    answering while the fibers behind it still read down) is the same outage going on, not a
    close followed by new outages of a few seconds. It stays open, under its first root cause,
    while causes inside it remain."""
    devices = set(cause.devices)
    ends = link_devices(cause.element.id) if cause.element.kind == "link" else frozenset()
    for key, outage in sorted(current.items(), key=lambda item: item[1].id):
        inside = set(outage.affected_devices or [])
        if key in wanted or outage.flapping or not devices <= inside:
            continue
        if devices or ends & inside:  # a fiber to the recovering switch that only degrades
            return outage
    return None


def _open_or_reopen(session: Session, cause: RootCause, now: datetime, policy: FlapPolicy,
                    changes: OutageChanges) -> Outage:
    kind, name = _key(cause)
    recent = _recent_closed(session, kind, name, now, policy.window_s)
    flaps = changes_within(session, kind, name, now, policy.window_s)
    if recent is not None and flaps >= policy.changes:
        recent.ended_at = None
        recent.notified_close = False
        if not recent.flapping:
            recent.flapping = True
            changes.flapping.append(recent.id)
        return recent
    outage = Outage(root_cause_type=kind, root_cause=name, started_at=now, ended_at=None,
                    affected_sites=list(cause.sites), affected_devices=list(cause.devices),
                    degraded_sites=list(cause.degraded_sites), flapping=False, notified_open=False,
                    notified_close=False, cause_words={})
    session.add(outage)
    session.flush()
    changes.opened.append(outage.id)
    return outage


def _recent_closed(session: Session, kind: str, name: str, now: datetime, window_s: float) -> Outage | None:
    since = now - timedelta(seconds=window_s)
    query = (select(Outage).where(Outage.root_cause_type == kind, Outage.root_cause == name,
                                  Outage.ended_at.is_not(None), Outage.ended_at >= since)
             .order_by(Outage.ended_at.desc()).limit(1))
    return session.scalar(query)


def _merge_affected(outage: Outage, cause: RootCause) -> None:
    """Keep every site and device the outage affected while it lasted (sorted, no duplicates)."""
    sites = sorted(set(outage.affected_sites or []) | set(cause.sites))
    devices = sorted(set(outage.affected_devices or []) | set(cause.devices))
    degraded = sorted(set(outage.degraded_sites or []) | set(cause.degraded_sites))
    if sites != list(outage.affected_sites or []):
        outage.affected_sites = sites
    if devices != list(outage.affected_devices or []):
        outage.affected_devices = devices
    if degraded != list(outage.degraded_sites or []):
        outage.degraded_sites = degraded


def _maybe_close(session: Session, outage: Outage, now: datetime, policy: FlapPolicy,
                 changes: OutageChanges) -> None:
    if outage.flapping:
        last = last_change_at(session, outage.root_cause_type, outage.root_cause) or now
        if (now - last).total_seconds() < policy.window_s:
            return
        outage.ended_at = max(last, outage.started_at)
    else:
        outage.ended_at = now
    changes.closed.append(outage.id)


def duration_s(outage: Outage, now: datetime) -> float:
    end = outage.ended_at or now
    return max(0.0, (end - outage.started_at).total_seconds())
