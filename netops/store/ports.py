"""Declared port names meet polled ones: ``TenGigabitEthernet1/0/3`` in the inventory is ``Te1/0/3``.

An inventory file names link ends the way operators write them; ``inventory`` creates those
Interface rows by name (without an ifIndex), and the switch later reports its own ifName. When
the store meets a polled name that no row has, a declared row of the same device that is the
same port under ``topology.names`` is adopted: renamed to the device's name, keeping its id, so
the declared Link keeps pointing at it. A declared row that duplicates an already polled port
(the file imported again, or a database from before this rule) is merged into the polled row:
its links move over (a link that then duplicates one is folded into it, declared wins) and the
empty row is deleted. One interface per port, one link per fiber.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from inventory.models import Interface, Link
from topology.names import port_keys


def _keys(*names: str | None) -> set[str]:
    return {key for name in names if name for key in port_keys(name)}


class DeclaredPorts:
    """The declared (never polled) interfaces of one device, found by any spelling of the port."""

    def __init__(self, rows: Iterable[Interface]) -> None:
        self.rows = [row for row in rows if row.if_index is None]
        self._keys = {id(row): _keys(row.name) for row in self.rows}

    def adopt(self, name: str, descr: str | None, reserved: set[str]) -> Interface | None:
        """The one declared row that is the port ``name`` (or ``descr``) names, else None.

        A row whose own name is polled too (``reserved``) is a port of its own: not adopted."""
        wanted = _keys(name, descr)
        found = [row for row in self.rows if row.name not in reserved and self._keys[id(row)] & wanted]
        if len(found) != 1:
            return None
        self.rows.remove(found[0])
        return found[0]

    def duplicates(self, polled: Interface, reserved: set[str]) -> list[Interface]:
        """Declared rows that are the same port as the polled row ``polled``."""
        wanted = _keys(polled.name, polled.description)
        return [row for row in self.rows
                if row is not polled and row.name not in reserved and self._keys[id(row)] & wanted]


def merge_into(session: Session, duplicate: Interface, polled: Interface) -> int:
    """Move ``duplicate``'s links to ``polled`` and delete it; returns the links folded away."""
    session.flush()
    links = list(session.scalars(select(Link).where(or_(Link.a_interface_id == duplicate.id,
                                                        Link.b_interface_id == duplicate.id))))
    folded = 0
    for link in links:
        other = link.b_interface_id if link.a_interface_id == duplicate.id else link.a_interface_id
        if other == polled.id:  # a link from the port to itself: meaningless once merged
            session.delete(link)
            folded += 1
            continue
        low, high = sorted((other, polled.id))
        twin = session.scalar(select(Link).where(Link.a_interface_id == low, Link.b_interface_id == high))
        if twin is None:
            link.a_interface_id, link.b_interface_id = low, high
        else:
            _fold(link, twin)
            session.delete(link)
            folded += 1
        session.flush()
    session.delete(duplicate)
    session.flush()
    return folded


def _fold(gone: Link, kept: Link) -> None:
    """``kept`` takes over what ``gone`` knew: declared facts win, sightings span both."""
    if gone.declared:
        kept.declared, kept.source = True, "declared"
        kept.medium, kept.length_m = gone.medium, gone.length_m
        kept.notes = gone.notes if gone.notes is not None else kept.notes
    kept.first_seen = _pick(min, gone.first_seen, kept.first_seen)
    kept.last_seen = _pick(max, gone.last_seen, kept.last_seen)


def _pick(choose: Callable[..., datetime], *stamps: datetime | None) -> datetime | None:
    """min/max of the stamps present (SQLite gives naive UTC, fresh rows aware UTC)."""
    known = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in stamps if t is not None]
    return choose(known) if known else None
