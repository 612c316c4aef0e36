"""Read functions for inventory and current state (devices, interfaces, links, sites).

Views never write SQL; they call these. Each function loads what a page needs in a few
set-based queries (no per-row lazy loads) and returns frozen records from ``web.views``,
so a 1,000-device dashboard stays cheap. Nothing here writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, aliased

from inventory.models import (
    Device,
    DeviceState,
    Interface,
    Link,
    LinkState,
    NeighborRecord,
    ObservedFacts,
    Site,
)
from topology.traversal import paused_gc
from web.links import natural_key
from web.views import DeviceView, FactsView, InterfaceView, LinkView, NeighborView, SiteView

# Built once: constructing an alias costs more than loading 1,200 links.
_A_IFACE, _B_IFACE = aliased(Interface), aliased(Interface)
_A_DEVICE, _B_DEVICE = aliased(Device), aliased(Device)
DEVICE_STATES = ("up", "down", "unreachable", "agent_down", "unknown")
LINK_STATES = ("up", "down", "degraded", "unknown")


def list_devices(session: Session, *, site: str | None = None) -> list[DeviceView]:
    """Every device with its site, sysName and current state, ordered by name."""
    stmt = _device_columns().order_by(Device.name)
    if site is not None:
        stmt = stmt.where(Site.name == site)
    with paused_gc():
        return [_device_view(row) for row in session.execute(stmt)]


def get_device(session: Session, name: str) -> DeviceView | None:
    for view in _devices_named(session, [name]):
        return view
    return None


def _devices_named(session: Session, names: Iterable[str]) -> list[DeviceView]:
    stmt = _device_columns().where(Device.name.in_(list(names)))
    return [_device_view(row) for row in session.execute(stmt)]


def devices_named(session: Session, names: Sequence[str]) -> list[DeviceView]:
    """The devices of ``names`` as they are now, in that order (one page of a list whose order
    and filter were worked out elsewhere); a name no longer in the inventory is left out."""
    found = {d.name: d for d in _devices_named(session, names)} if names else {}
    return [found[n] for n in names if n in found]


def _device_columns() -> Any:  # a Select of the columns below
    """Plain columns, not ORM objects: a province lists 5,000 devices and entities cost 10x."""
    return (
        select(Device.name, Device.address, Device.role, Device.platform, Device.enabled,
               Site.name.label("site"), Site.district, ObservedFacts.sys_name,
               DeviceState.state, DeviceState.since, DeviceState.last_poll_at, DeviceState.last_error,
               DeviceState.last_ok_at, DeviceState.consecutive_failures)
        .outerjoin(Site, Device.site_id == Site.id)
        .outerjoin(ObservedFacts, ObservedFacts.device_id == Device.id)
        .outerjoin(DeviceState, DeviceState.device_id == Device.id)
    )


def _device_view(row: Row[Any]) -> DeviceView:
    known = row.state is not None
    return DeviceView(
        name=row.name,
        address=row.address,
        role=row.role,
        site=row.site,
        district=row.district,
        platform=row.platform,
        enabled=row.enabled,
        state=row.state if known else "unknown",
        state_since=row.since,
        sys_name=row.sys_name,
        last_poll_at=row.last_poll_at,
        last_error=row.last_error,
        last_ok_at=row.last_ok_at,
        snmp_failures=row.consecutive_failures or 0,
    )


def get_facts(session: Session, device: str) -> FactsView | None:
    stmt = (select(ObservedFacts).join(Device, Device.id == ObservedFacts.device_id)
            .where(Device.name == device))
    facts = session.scalars(stmt).first()
    if facts is None:
        return None
    return FactsView(
        sys_name=facts.sys_name,
        sys_descr=facts.sys_descr,
        sys_location=facts.sys_location,
        sys_contact=facts.sys_contact,
        vendor=facts.vendor,
        model=facts.model,
        serial=facts.serial,
        os_version=facts.os_version,
        profile=facts.profile,
        uptime_s=facts.uptime_s,
        learned_at=facts.learned_at,
    )


def list_interfaces(session: Session, device: str | None = None,
                    devices: Collection[str] | None = None) -> list[InterfaceView]:
    """Interfaces by device, ports in natural order (``Gi0/0/2`` before ``Gi0/0/10``); ``device``
    or ``devices``: only theirs."""
    stmt = select(*_INTERFACE_COLUMNS, Device.name.label("device")).join(
        Device, Device.id == Interface.device_id)
    if device is not None:
        stmt = stmt.where(Device.name == device)
    if devices is not None:
        stmt = stmt.where(Device.name.in_(list(devices)))
    views = [InterfaceView(**row._mapping) for row in session.execute(stmt)]
    return sorted(views, key=lambda i: (i.device, natural_key(i.name)))


def interface_counts(session: Session) -> list[tuple[str, int]]:
    """(device, its interfaces) for every device with any, by name: a page of the province's
    interfaces is found from these without loading the others."""
    stmt = (select(Device.name, func.count(Interface.id)).join(Interface, Interface.device_id == Device.id)
            .group_by(Device.name))
    return sorted((name, count) for name, count in session.execute(stmt))  # list_interfaces' order


_INTERFACE_COLUMNS = (  # columns, not entities: a province has tens of thousands of ports
    Interface.id, Interface.name, Interface.alias, Interface.description, Interface.admin_status,
    Interface.oper_status, Interface.speed_bps, Interface.in_bps, Interface.out_bps,
    Interface.utilization_pct,
    Interface.in_errors_per_s, Interface.out_errors_per_s, Interface.rx_dbm, Interface.tx_dbm,
    Interface.last_change, Interface.status_polled_at,
)


def list_neighbors(session: Session, device: str) -> list[NeighborView]:
    stmt = (
        select(NeighborRecord)
        .join(Device, Device.id == NeighborRecord.device_id)
        .where(Device.name == device)
        .order_by(NeighborRecord.local_port)
    )
    return [
        NeighborView(
            local_port=n.local_port,
            protocol=n.protocol,
            system_name=n.system_name,
            port_id=n.port_id,
            port_description=n.port_description,
            chassis_id=n.chassis_id,
            management_address=n.management_address,
            last_seen=n.last_seen,
        )
        for n in session.scalars(stmt)
    ]


def list_links(session: Session, *, device: str | None = None,
               ids: Collection[int] | None = None) -> list[LinkView]:
    """Every link with both ends, its monitor state (or one derived from the ports) and load
    (``ids``: only these links, one page of a list).

    Columns, not entities: 1,200 links load in a few milliseconds.
    """
    ia, ib, da, db = _A_IFACE, _B_IFACE, _A_DEVICE, _B_DEVICE
    stmt = (
        select(
            Link.id,
            da.name,
            ia.name,
            db.name,
            ib.name,
            Link.medium,
            Link.source,
            Link.declared,
            Link.last_seen,
            LinkState.state,
            LinkState.since,
            LinkState.reason,
            ia.utilization_pct,
            ib.utilization_pct,
            ia.speed_bps,
            ib.speed_bps,
        )
        .join(ia, Link.a_interface_id == ia.id)
        .join(da, ia.device_id == da.id)
        .join(ib, Link.b_interface_id == ib.id)
        .join(db, ib.device_id == db.id)
        .outerjoin(LinkState, LinkState.link_id == Link.id)
        .order_by(da.name, ia.name)
    )
    if device is not None:
        stmt = stmt.where((da.name == device) | (db.name == device))
    if ids is not None:
        stmt = stmt.where(Link.id.in_(list(ids)))
    with paused_gc():  # thousands of small records: no full collection in the middle
        links = [_link_view(tuple(row)) for row in session.execute(stmt)]
    if device is not None:  # by this device's port: 0/0/2 before 0/0/10
        return sorted(links, key=lambda lk: natural_key(lk.a_port if lk.a_device == device else lk.b_port))
    return links  # by device and port name (the dashboard only counts them)


def _link_view(row: tuple[Any, ...]) -> LinkView:
    (
        link_id,
        a_dev,
        a_port,
        b_dev,
        b_port,
        medium,
        source,
        declared,
        last_seen,
        state,
        since,
        reason,
        a_util,
        b_util,
        a_speed,
        b_speed,
    ) = row
    utils = [u for u in (a_util, b_util) if u is not None]
    speeds = [s for s in (a_speed, b_speed) if s]
    return LinkView(
        id=link_id,
        a_device=a_dev,
        a_port=a_port,
        b_device=b_dev,
        b_port=b_port,
        medium=medium,
        source=source,
        declared=declared,
        state=state or "unknown",  # the monitor's stored state, never derived here
        since=since,
        reason=reason,
        utilization_pct=max(utils) if utils else None,
        speed_bps=min(speeds) if speeds else None,
        last_seen=last_seen,
    )


def inventory_counts(session: Session) -> dict[str, int]:
    """How many devices, sites and links the inventory holds."""
    return {name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (("devices", Device), ("sites", Site), ("links", Link))}


def site_places(session: Session) -> dict[str, tuple[str, str | None]]:
    """Every site's (kind, district) by name: what the outage filters need, no more."""
    return {name: (kind, district) for name, kind, district in
            session.execute(select(Site.name, Site.kind, Site.district))}


def get_site(session: Session, name: str) -> SiteView | None:
    """One site by name (its page: no need to read thousands)."""
    found = list_sites(session, name=name)
    return found[0] if found else None


def list_sites(session: Session, *, name: str | None = None) -> list[SiteView]:
    devices: dict[int, list[str]] = {}
    device_rows = select(Device.site_id, Device.name).order_by(Device.name)
    site_rows = select(Site.id, Site.name, Site.kind, Site.district, Site.address,
                       Site.contact_name, Site.contact_phone).order_by(Site.name)
    if name is not None:
        device_rows = device_rows.join(Site, Device.site_id == Site.id).where(Site.name == name)
        site_rows = site_rows.where(Site.name == name)
    for site_id, device in session.execute(device_rows):
        if site_id is not None:
            devices.setdefault(site_id, []).append(device)
    return [
        SiteView(
            name=s.name,
            kind=s.kind,
            district=s.district,
            address=s.address,
            contact_name=s.contact_name,
            contact_phone=s.contact_phone,
            devices=tuple(devices.get(s.id, ())),
        )
        for s in session.execute(site_rows)
    ]


def device_state_counts(session: Session) -> Counter[str]:
    counts: Counter[str] = Counter({state: 0 for state in DEVICE_STATES})
    stmt = (
        select(DeviceState.state)
        .select_from(Device)
        .outerjoin(DeviceState, DeviceState.device_id == Device.id)
    )
    counts.update(state or "unknown" for state in session.scalars(stmt))
    return counts


def count_states(devices: Iterable[DeviceView]) -> Counter[str]:
    """``device_state_counts`` over the devices given (a scoped login's)."""
    counts: Counter[str] = Counter({state: 0 for state in DEVICE_STATES})
    counts.update(d.state for d in devices)
    return counts


def link_state_counts_of(session: Session) -> Counter[str]:
    """Links by stored state, counted by the database (the dashboard needs no link rows)."""
    counts: Counter[str] = Counter({state: 0 for state in LINK_STATES})
    stmt = select(LinkState.state, func.count()).select_from(Link).outerjoin(
        LinkState, LinkState.link_id == Link.id).group_by(LinkState.state)
    for state, n in session.execute(stmt):
        counts[state or "unknown"] += n
    return counts


def link_state_counts(links: Iterable[LinkView]) -> Counter[str]:
    counts: Counter[str] = Counter({state: 0 for state in LINK_STATES})
    counts.update(link.state for link in links)
    return counts
