"""A network snapshot: every record the topology needs, read once from the inventory.

``load_snapshot(session)`` reads sites, devices, interfaces, links, neighbors, the monitor's
link states and open outages through ``inventory.queries`` plus two small joins; tests and
generated networks build the same frozen object straight from records, so the graph and the
analysis never touch a database session.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory import queries
from inventory.models import Device, DeviceState, Interface, LinkState, Outage
from inventory.records import DeviceRecord, InterfaceRecord, LinkRecord, NeighborRecordView, SiteRecord


@dataclass(frozen=True, slots=True)
class LinkStateRecord:
    """The monitor's state of a stored link row (``link_states``)."""

    link_id: int
    state: str
    since: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class OutageRecord:
    """An open outage (``outages`` with no end), for the "since" of the sites it affects."""

    root_cause_type: str
    root_cause: str
    started_at: datetime
    affected_sites: tuple[str, ...] = ()
    cause_text: str | None = None


@dataclass(frozen=True, slots=True)
class NetworkSnapshot:
    sites: tuple[SiteRecord, ...] = ()
    devices: tuple[DeviceRecord, ...] = ()
    interfaces: tuple[InterfaceRecord, ...] = ()
    links: tuple[LinkRecord, ...] = ()
    neighbors: tuple[NeighborRecordView, ...] = ()
    link_states: tuple[LinkStateRecord, ...] = ()
    outages: tuple[OutageRecord, ...] = ()
    taken_at: datetime | None = None


def _link_states(session: Session) -> list[LinkStateRecord]:
    stmt = select(LinkState.link_id, LinkState.state, LinkState.since, LinkState.reason)
    return [LinkStateRecord(*row) for row in session.execute(stmt)]


_STATUS_COLUMNS = {
    "name": Interface.name,
    "if_index": Interface.if_index,
    "descr": Interface.description,
    "alias": Interface.alias,
    "mac": Interface.mac,
    "speed_bps": Interface.speed_bps,
    "admin_status": Interface.admin_status,
    "oper_status": Interface.oper_status,
    "last_change": Interface.last_change,
    "in_bps": Interface.in_bps,
    "out_bps": Interface.out_bps,
    "utilization_pct": Interface.utilization_pct,
    "in_errors_per_s": Interface.in_errors_per_s,
    "out_errors_per_s": Interface.out_errors_per_s,
    "rx_dbm": Interface.rx_dbm,
    "tx_dbm": Interface.tx_dbm,
    "rx_low_alarm_dbm": Interface.rx_low_alarm_dbm,
}


def _interfaces_fast(session: Session) -> tuple[InterfaceRecord, ...]:
    """Every interface by plain column rows (no ORM objects): the status refresh path."""
    names = list(_STATUS_COLUMNS)
    stmt = select(Device.name, *_STATUS_COLUMNS.values()).join(Device, Interface.device_id == Device.id)
    stmt = stmt.order_by(Device.name, Interface.if_index.is_(None), Interface.if_index, Interface.name)
    return tuple(
        InterfaceRecord(row[0], **dict(zip(names, row[1:], strict=True))) for row in session.execute(stmt)
    )


def _device_states(session: Session, base: tuple[DeviceRecord, ...]) -> tuple[DeviceRecord, ...]:
    rows = session.execute(
        select(Device.name, DeviceState.state, DeviceState.since).join(
            DeviceState, DeviceState.device_id == Device.id
        )
    )
    states = {name: (state or "unknown", since) for name, state, since in rows}
    return tuple(
        replace(
            d,
            state=states.get(d.name, ("unknown", None))[0],
            state_since=states.get(d.name, ("unknown", None))[1],
        )
        for d in base
    )


def _open_outages(session: Session) -> list[OutageRecord]:
    rows = session.scalars(select(Outage).where(Outage.ended_at.is_(None)).order_by(Outage.started_at))
    return [
        OutageRecord(
            o.root_cause_type,
            o.root_cause,
            o.started_at,
            tuple(str(s) for s in (o.affected_sites or ())),
            o.cause_text,
        )
        for o in rows
    ]


def load_snapshot(session: Session, taken_at: datetime | None = None) -> NetworkSnapshot:
    """Everything the topology needs, as frozen records (a handful of set-based queries)."""
    return NetworkSnapshot(
        sites=tuple(queries.list_sites(session)),
        devices=tuple(queries.list_devices(session)),
        interfaces=tuple(queries.list_interfaces(session)),
        links=tuple(queries.list_links(session)),
        neighbors=tuple(queries.list_neighbors(session)),
        link_states=tuple(_link_states(session)),
        outages=tuple(_open_outages(session)),
        taken_at=taken_at,
    )


def load_status(session: Session, base: NetworkSnapshot, taken_at: datetime | None = None) -> NetworkSnapshot:
    """``base`` with fresh device states, interfaces, link states and outages (same structure)."""
    return replace(
        base,
        devices=_device_states(session, base.devices),
        interfaces=_interfaces_fast(session),
        link_states=tuple(_link_states(session)),
        outages=tuple(_open_outages(session)),
        taken_at=taken_at,
    )
