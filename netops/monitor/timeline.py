"""An outage's timeline, and the people on it: acknowledge, notes, assignee.

Every change to an outage is one ``outage_timeline`` row with who and when (opened,
acknowledged, note, assigned, root cause moved, planned, notification sent / failed /
suppressed, closed). Acknowledging keeps the first who and when (a second ack only adds its
note), so "being handled by Budi since 10:05" stays true; a note is a timeline row of kind
``note``. Reminders and flapping messages stop once an outage is acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Outage, OutageEntry, iso_utc
from netops.audit import record_change

MAX_NOTE = 2000
MAX_NAME = 100


class HandlingError(ValueError):
    """No such outage, or an empty or too long note or name."""


class UnknownOutage(HandlingError):
    """No outage has this id (a 404 on the web, not a bad request)."""


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    kind: str
    by: str | None
    text: str
    maintenance_id: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"at": _iso(self.at), "kind": self.kind, "by": self.by, "text": self.text,
                "maintenance_id": self.maintenance_id}


@dataclass(frozen=True, slots=True)
class Note:
    by: str | None
    at: datetime
    text: str

    def to_json(self) -> dict[str, object]:
        return {"by": self.by, "at": _iso(self.at), "text": self.text}


def _iso(at: datetime) -> str:
    return iso_utc(at)


def add(session: Session, outage_id: int, at: datetime, kind: str, *, by: str | None = None, text: str = "",
        maintenance_id: int | None = None) -> None:
    session.add(OutageEntry(outage_id=outage_id, at=at, kind=kind, by=by, text=text,
                            maintenance_id=maintenance_id))


def record_changes(session: Session, now: datetime, *, opened: Iterable[int] = (), moved: Iterable[int] = (),
                   flapping: Iterable[int] = (), closed: Iterable[int] = ()) -> None:
    """The monitor's changes of this evaluation, on each outage's timeline."""
    for kind, ids in (("opened", opened), ("root_cause_moved", moved), ("flapping", flapping),
                      ("closed", closed)):
        for outage_id in ids:
            outage = session.get(Outage, outage_id)
            text = ""
            if outage is not None and kind in ("opened", "root_cause_moved"):
                text = f"{outage.root_cause_type} {outage.root_cause}"
            add(session, outage_id, now, kind, text=text)


def _outage(session: Session, outage_id: int) -> Outage:
    outage = session.get(Outage, outage_id)
    if outage is None:
        raise UnknownOutage(f"no outage #{outage_id}")
    return outage


def _name(text: str, what: str) -> str:
    text = text.strip()
    if not text or len(text) > MAX_NAME:
        raise HandlingError(f"{what}: give a name of 1 to {MAX_NAME} characters")
    return text


def _note_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise HandlingError("the note is empty")
    if len(text) > MAX_NOTE:
        raise HandlingError(f"the note is longer than {MAX_NOTE} characters")
    return text


def acknowledge(session: Session, outage_id: int, by: str, now: datetime, note: str | None = None) -> Outage:
    """Take the outage (the first acknowledgement is kept); with a note, add it too."""
    outage = _outage(session, outage_id)
    by = _name(by, "acknowledged by")
    text = _note_text(note) if note is not None else None
    before = {"acknowledged_by": outage.acknowledged_by}
    if outage.acknowledged_by is None:
        outage.acknowledged_by, outage.acknowledged_at = by, now
        add(session, outage.id, now, "acknowledged", by=by)
    if text is not None:
        add(session, outage.id, now, "note", by=by, text=text)
    record_change(session, "outage.ack", f"outage #{outage.id}", before,
                  {"acknowledged_by": outage.acknowledged_by, "by": by, "note": text})
    session.flush()
    return outage


def add_note(session: Session, outage_id: int, by: str, text: str, now: datetime) -> Outage:
    outage = _outage(session, outage_id)
    by, text = _name(by, "note by"), _note_text(text)
    add(session, outage.id, now, "note", by=by, text=text)
    record_change(session, "outage.note", f"outage #{outage.id}", None, {"by": by, "note": text})
    session.flush()
    return outage


def assign(session: Session, outage_id: int, user: str, by: str, now: datetime) -> Outage:
    outage = _outage(session, outage_id)
    before = {"assignee": outage.assignee}
    outage.assignee = _name(user, "assignee")
    add(session, outage.id, now, "assigned", by=_name(by, "assigned by"), text=outage.assignee)
    record_change(session, "outage.assign", f"outage #{outage.id}", before,
                  {"assignee": outage.assignee, "by": by.strip()})
    session.flush()
    return outage


def entries(session: Session, outage_id: int) -> list[Entry]:
    """The outage's timeline, oldest first."""
    query = (select(OutageEntry).where(OutageEntry.outage_id == outage_id)
             .order_by(OutageEntry.at, OutageEntry.id))
    return [Entry(e.at, e.kind, e.by, e.text, e.maintenance_id) for e in session.scalars(query)]


def notes_of(session: Session, outage_ids: Sequence[int]) -> dict[int, list[Note]]:
    """The notes of each outage, oldest first (one query for a page of outages)."""
    out: dict[int, list[Note]] = {}
    if not outage_ids:
        return out
    query = (select(OutageEntry)
             .where(OutageEntry.outage_id.in_(list(outage_ids)), OutageEntry.kind == "note")
             .order_by(OutageEntry.at, OutageEntry.id))
    for e in session.scalars(query):
        out.setdefault(e.outage_id, []).append(Note(e.by, e.at, e.text))
    return out
