"""Events: one row per state change of a device or link, with the evidence that caused it.

An event is written in the same transaction as the new state, so a crash either keeps both
or neither, and the next cycle re-detects a change that was not committed: no event is lost
and none is written twice. Counting an element's recent failures and recoveries (changes into
or out of ``down``) is how flapping is detected; other changes (a device ``unreachable``
behind someone else's failure, a link ``degraded``) are not the element failing and neither
count as flaps nor restart a flapping outage's stable window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from inventory.models import Event


def record_event(session: Session, *, at: datetime, element_type: str, element: str,
                 old_state: str | None, new_state: str, evidence: str, outage_id: int | None = None) -> Event:
    """Add an event row (flushed, so its id is known) and return it."""
    event = Event(at=at, element_type=element_type, element=element[:300], old_state=old_state,
                  new_state=new_state, evidence=evidence, outage_id=outage_id)
    session.add(event)
    session.flush()
    return event


FAILED = "down"  # the state of a device or link that is a root cause


def _failure_changes(element_type: str, element: str) -> list[ColumnElement[bool]]:
    return [Event.element_type == element_type, Event.element == element[:300],
            or_(Event.old_state == FAILED, Event.new_state == FAILED)]


def changes_within(session: Session, element_type: str, element: str, now: datetime, window_s: float) -> int:
    """How many times the element failed or recovered in the last ``window_s`` seconds."""
    since = now - timedelta(seconds=window_s)
    query = select(func.count(Event.id)).where(*_failure_changes(element_type, element), Event.at >= since)
    return int(session.scalar(query) or 0)


def last_change_at(session: Session, element_type: str, element: str) -> datetime | None:
    """When the element last failed or recovered."""
    query = (select(Event.at).where(*_failure_changes(element_type, element))
             .order_by(Event.at.desc()).limit(1))
    return session.scalar(query)


def attach_outage(session: Session, event_ids: list[int], outage_id: int) -> None:
    """Point events that explain an outage at it (the outage page lists its evidence)."""
    for event in session.scalars(select(Event).where(Event.id.in_(event_ids))):
        if event.outage_id is None:
            event.outage_id = outage_id
