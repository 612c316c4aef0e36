"""Read queries that turn stored rows into the frozen records of ``inventory.records``.

Topology, the web UI and the CLI read the inventory only through these functions, so they never
hold ORM rows or sessions. Each function runs a handful of set-based queries (no per-device
round trips) and returns results sorted by name for stable output.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from inventory.geo import route_from_json
from inventory.models import (
    Credential,
    Device,
    DeviceState,
    Interface,
    Link,
    NeighborRecord,
    ObservedFacts,
    Site,
)
from inventory.records import DeviceRecord, InterfaceRecord, LinkRecord, NeighborRecordView, SiteRecord

_HEX = re.compile(r"[^0-9a-f]")


def normalise_mac(value: str | None) -> str | None:
    """``aa:bb:cc:dd:ee:ff`` for any common MAC spelling; None when it is not a 48-bit MAC."""
    if not value:
        return None
    digits = _HEX.sub("", value.lower())
    if len(digits) != 12 or digits == "0" * 12:
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def list_sites(session: Session) -> list[SiteRecord]:
    rows = session.scalars(select(Site).order_by(Site.name))
    return [
        SiteRecord(name=s.name, kind=s.kind, district=s.district, latitude=s.latitude,
                   longitude=s.longitude, address=s.address, contact_name=s.contact_name,
                   contact_phone=s.contact_phone, notes=s.notes)
        for s in rows
    ]


def _chassis_macs(session: Session) -> dict[int, tuple[str, ...]]:
    macs: dict[int, set[str]] = defaultdict(set)
    stmt = select(Interface.device_id, Interface.mac).where(Interface.mac.is_not(None))
    for device_id, mac in session.execute(stmt):
        normal = normalise_mac(mac)
        if normal:
            macs[device_id].add(normal)
    return {device_id: tuple(sorted(values)) for device_id, values in macs.items()}


def list_devices(session: Session) -> list[DeviceRecord]:
    """Every device with its site, sysName, interface MACs and the monitor's current state."""
    stmt = (
        select(Device, Site.name, ObservedFacts.sys_name, DeviceState.state, DeviceState.since)
        .outerjoin(Site, Device.site_id == Site.id)
        .outerjoin(ObservedFacts, ObservedFacts.device_id == Device.id)
        .outerjoin(DeviceState, DeviceState.device_id == Device.id)
        .order_by(Device.name)
    )
    macs = _chassis_macs(session)
    return [
        DeviceRecord(name=d.name, address=d.address, role=d.role, site=site, platform=d.platform,
                     enabled=d.enabled, sys_name=sys_name, chassis_macs=macs.get(d.id, ()),
                     state=state or "unknown", state_since=since)
        for d, site, sys_name, state, since in session.execute(stmt)
    ]


def _interface_record(device: str, i: Interface) -> InterfaceRecord:
    return InterfaceRecord(
        device=device, name=i.name, if_index=i.if_index, descr=i.description, alias=i.alias, mac=i.mac,
        speed_bps=i.speed_bps, admin_status=i.admin_status, oper_status=i.oper_status,
        last_change=i.last_change, in_bps=i.in_bps, out_bps=i.out_bps, utilization_pct=i.utilization_pct,
        in_errors_per_s=i.in_errors_per_s, out_errors_per_s=i.out_errors_per_s, rx_dbm=i.rx_dbm,
        tx_dbm=i.tx_dbm, rx_low_alarm_dbm=i.rx_low_alarm_dbm,
    )


def list_interfaces(session: Session, device: str | None = None) -> list[InterfaceRecord]:
    """Interfaces of every device, or of one device, ordered by device, ifIndex and name."""
    stmt = select(Device.name, Interface).join(Device, Interface.device_id == Device.id)
    if device is not None:
        stmt = stmt.where(Device.name == device)
    stmt = stmt.order_by(Device.name, Interface.if_index.is_(None), Interface.if_index, Interface.name)
    return [_interface_record(name, iface) for name, iface in session.execute(stmt)]


def list_links(session: Session) -> list[LinkRecord]:
    """Every stored link (declared and discovered) as device/port pairs."""
    ia, ib = aliased(Interface), aliased(Interface)
    da, db = aliased(Device), aliased(Device)
    stmt = (
        select(Link, da.name, ia.name, db.name, ib.name)
        .join(ia, Link.a_interface_id == ia.id).join(da, ia.device_id == da.id)
        .join(ib, Link.b_interface_id == ib.id).join(db, ib.device_id == db.id)
        .order_by(da.name, ia.name, db.name, ib.name)
    )
    return [
        LinkRecord(a_device=a_dev, a_port=a_port, b_device=b_dev, b_port=b_port, medium=link.medium,
                   length_m=link.length_m, source=link.source, declared=link.declared,
                   first_seen=link.first_seen, last_seen=link.last_seen, id=link.id,
                   route=route_from_json(link.route))
        for link, a_dev, a_port, b_dev, b_port in session.execute(stmt)
    ]


def list_neighbors(session: Session) -> list[NeighborRecordView]:
    """Every stored LLDP/CDP neighbor, from the local device's point of view."""
    stmt = (
        select(Device.name, NeighborRecord)
        .join(Device, NeighborRecord.device_id == Device.id)
        .order_by(Device.name, NeighborRecord.local_port, NeighborRecord.protocol, NeighborRecord.chassis_id)
    )
    return [
        NeighborRecordView(device=name, local_port=n.local_port, protocol=n.protocol, chassis_id=n.chassis_id,
                           chassis_id_kind=n.chassis_id_kind, port_id=n.port_id, port_id_kind=n.port_id_kind,
                           port_description=n.port_description, system_name=n.system_name,
                           management_address=n.management_address, last_seen=n.last_seen)
        for name, n in session.execute(stmt)
    ]


@dataclass(frozen=True, slots=True)
class DeviceDetail:
    """Everything declared and learned about a device, for ``inventory show`` (no secrets)."""

    name: str
    address: str
    snmp_port: int
    ssh_port: int
    role: str
    platform: str | None
    site: str | None
    snmp_credential: str | None
    ssh_credential: str | None
    enabled: bool
    poll_intervals: dict[str, int]
    sys_name: str | None = None
    sys_descr: str | None = None
    sys_object_id: str | None = None
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None
    os_version: str | None = None
    uptime_s: float | None = None
    facts_learned_at: datetime | None = None
    state: str = "unknown"


def list_device_details(session: Session) -> list[DeviceDetail]:
    """Every device with its declaration, learned facts and state, sorted by name."""
    snmp_cred, ssh_cred = aliased(Credential), aliased(Credential)
    stmt = (
        select(Device, Site.name, snmp_cred.name, ssh_cred.name, ObservedFacts, DeviceState.state)
        .outerjoin(Site, Device.site_id == Site.id)
        .outerjoin(snmp_cred, Device.snmp_credential_id == snmp_cred.id)
        .outerjoin(ssh_cred, Device.ssh_credential_id == ssh_cred.id)
        .outerjoin(ObservedFacts, ObservedFacts.device_id == Device.id)
        .outerjoin(DeviceState, DeviceState.device_id == Device.id)
        .order_by(Device.name)
    )
    out = []
    for d, site, snmp, ssh, facts, state in session.execute(stmt):
        intervals = {k: getattr(d, f"{k}_interval_s") for k in ("status", "counters", "discovery", "ssh")}
        detail = DeviceDetail(
            name=d.name, address=d.address, snmp_port=d.snmp_port, ssh_port=d.ssh_port, role=d.role,
            platform=d.platform, site=site, snmp_credential=snmp, ssh_credential=ssh, enabled=d.enabled,
            poll_intervals={k: v for k, v in intervals.items() if v is not None},
            state=state or "unknown",
        )
        out.append(detail if facts is None else _with_facts(detail, facts))
    return out


def _with_facts(detail: DeviceDetail, facts: ObservedFacts) -> DeviceDetail:
    return replace(
        detail, sys_name=facts.sys_name, sys_descr=facts.sys_descr, sys_object_id=facts.sys_object_id,
        vendor=facts.vendor, model=facts.model, serial=facts.serial, os_version=facts.os_version,
        uptime_s=facts.uptime_s, facts_learned_at=facts.learned_at,
    )
