"""Planned works and outage handling for the pages and the API, by the logged-in user.

The same service functions as the CLI (``netops.monitor.maintenance``, ``netops.monitor.timeline``):
a window's blast radius is the what-if of the view's assessment (previewed before saving, then
stored); ack, notes and assign are written with the user's name. ``handling_words`` is the
line the help desk reads under a site's answer: planned works with their end and reason, or who
took the outage since when with the last note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import Session

from netops.monitor import maintenance, timeline
from netops.monitor.network_view import NetworkViews
from topology.assessed import WhatIf

MaintenanceError = maintenance.MaintenanceError
HandlingError = timeline.HandlingError
UnknownOutage = timeline.UnknownOutage


@dataclass(frozen=True, slots=True)
class Preview:
    """What a window would cut off before it is saved."""

    scope: str
    target: str
    radius: WhatIf

    def to_json(self) -> dict[str, object]:
        # the same list a saved window stores
        return {"scope": self.scope, "target": self.target,
                "blast_radius": maintenance.radius_list(self.radius)}


def _now() -> datetime:
    return datetime.now(UTC)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.extensions["netops.settings"].web.timezone)


def _scoped(kind: str, target: str) -> tuple[maintenance.WorksScope, WhatIf]:
    service: NetworkViews = current_app.extensions["netops.topology"]
    view = service.current()
    scope = maintenance.resolve_scope(view.graph, kind, target)
    return scope, maintenance.blast_radius(view.assessment, scope)


def preview(kind: str, target: str) -> Preview:
    scope, radius = _scoped(kind, target)
    return Preview(scope.kind, scope.target, radius)


def create(session: Session, *, kind: str, target: str, starts_at: datetime, ends_at: datetime, reason: str,
           by: str, rrule: str | None = None) -> maintenance.WindowView:
    scope, radius = _scoped(kind, target)
    row = maintenance.create_window(session, scope, radius, starts_at=starts_at, ends_at=ends_at,
                                    reason=reason, by=by, now=_now(), rrule=rrule)
    return maintenance.view(row, _now())


def end(session: Session, window_id: int) -> maintenance.WindowView:
    return maintenance.view(maintenance.end_window(session, window_id, _now()), _now())


def windows(session: Session, *, include_past: bool = False) -> list[maintenance.WindowView]:
    return maintenance.list_windows(session, _now(), include_past=include_past)


def acknowledge(session: Session, outage_id: int, by: str, note: str | None = None) -> None:
    timeline.acknowledge(session, outage_id, by, _now(), note or None)


def add_note(session: Session, outage_id: int, by: str, text: str) -> None:
    timeline.add_note(session, outage_id, by, text, _now())


def assign(session: Session, outage_id: int, user: str, by: str) -> None:
    timeline.assign(session, outage_id, user, by, _now())


def entries(session: Session, outage_id: int) -> list[timeline.Entry]:
    return timeline.entries(session, outage_id)


def handling_words(session: Session, outage_ids: Iterable[int | None], lang: str) -> dict[int, str]:
    """For each outage: "planned works until 14:00: <reason>" or "being handled by Budi since
    10:05: <last note>" (``netops.monitor.maintenance.handling_words``, times in web.timezone)."""
    return maintenance.handling_words(session, outage_ids, lang, _zone(), _now())
