"""Turn stored LLDP/CDP neighbors into Link rows: discovered links with first/last seen.

After a discovery the store holds neighbors raw, as advertised. Here each one is resolved to
an inventory device and port (``topology.identify``); a resolved port pair becomes a Link row
(source ``lldp``/``cdp``, not declared) or, when the link already exists (declared or found
earlier, matched by port pair under ``topology.names`` so a declared ``TenGigabitEthernet1/0/3``
is the polled ``Te1/0/3``), gets its ``last_seen`` updated. Unknown neighbors and unmatched ports are counted,
not stored: the graph shows them as unknown nodes and the audit lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory import queries
from inventory.models import Device, Interface, Link
from topology.identify import DeviceIndex
from topology.names import port_key


@dataclass(frozen=True, slots=True)
class LinkSyncReport:
    created: int = 0
    updated: int = 0
    unknown_neighbors: int = 0
    unresolved_ports: int = 0


def _interface_ids(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(select(Device.name, Interface.name, Interface.id)
                           .join(Device, Interface.device_id == Device.id))
    return {(dev, name): iid for dev, name, iid in rows}


def _port_of(session: Session) -> dict[int, tuple[str, str]]:
    """Interface id -> (device, comparison key of the port name)."""
    rows = session.execute(select(Interface.id, Device.name, Interface.name)
                           .join(Device, Interface.device_id == Device.id))
    return {iid: (dev, port_key(name)) for iid, dev, name in rows}


def _by_ports(links: dict[tuple[int, int], Link], ports: dict[int, tuple[str, str]],
              ) -> dict[frozenset[tuple[str, str]], Link]:
    """Links by their two ends as (device, port key); a declared link wins a shared pair."""
    out: dict[frozenset[tuple[str, str]], Link] = {}
    for (a, b), link in sorted(links.items(), key=lambda item: not item[1].declared):
        if a in ports and b in ports:
            out.setdefault(frozenset((ports[a], ports[b])), link)
    return out


def sync_discovered_links(session: Session, now: datetime | None = None) -> LinkSyncReport:
    """Create or refresh Link rows for every resolvable neighbor (caller commits).

    A sighting of a declared port pair refreshes the declared link even when its ends are
    spelled differently (``TenGigabitEthernet1/0/3`` declared, ``Te1/0/3`` polled)."""
    now = now or datetime.now(UTC)
    index = DeviceIndex(queries.list_devices(session), queries.list_interfaces(session))
    ids = _interface_ids(session)
    links = {(min(lk.a_interface_id, lk.b_interface_id), max(lk.a_interface_id, lk.b_interface_id)): lk
             for lk in session.scalars(select(Link))}
    ports = _port_of(session)
    by_ports = _by_ports(links, ports)
    created = updated = unknown = unresolved = 0
    touched: set[frozenset[tuple[str, str]]] = set()
    for nb in queries.list_neighbors(session):
        res = index.resolve(nb)
        if res.device is None:
            unknown += 1
            continue
        a = ids.get((nb.device, index.local_port(nb.device, nb.local_port)))
        b = ids.get((res.device, res.port)) if res.port else None
        if a is None or b is None or a == b:
            unresolved += 1
            continue
        pair, ends = (min(a, b), max(a, b)), frozenset((ports[a], ports[b]))
        link = links.get(pair) or by_ports.get(ends)
        if link is None:
            link = Link(a_interface_id=pair[0], b_interface_id=pair[1], source=nb.protocol or "lldp",
                        declared=False, medium="fiber", first_seen=now, last_seen=now)
            session.add(link)
            links[pair] = by_ports[ends] = link
            created += 1
        elif ends not in touched:
            link.last_seen = now
            link.first_seen = link.first_seen or now
            updated += 1
        touched.add(ends)
    session.flush()
    return LinkSyncReport(created, updated, unknown, unresolved)
