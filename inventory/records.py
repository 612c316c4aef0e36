"""Read-side records: plain frozen dataclasses that ``inventory.queries`` returns.

``topology/`` and ``web/`` work on these, never on ORM rows, so a graph can be built from a
database, from a test fixture or from a generated network alike, and a session's lifetime
never leaks into analysis code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inventory.geo import RoutePoint


@dataclass(frozen=True, slots=True)
class SiteRecord:
    name: str
    kind: str
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """A device with what identity resolution needs (sysName, chassis MACs, addresses)."""

    name: str
    address: str
    role: str
    site: str | None = None
    platform: str | None = None
    enabled: bool = True
    sys_name: str | None = None
    chassis_macs: tuple[str, ...] = ()
    state: str = "unknown"
    state_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class InterfaceRecord:
    device: str
    name: str
    if_index: int | None = None
    descr: str | None = None
    alias: str | None = None
    mac: str | None = None
    speed_bps: int | None = None
    admin_status: str | None = None
    oper_status: str | None = None
    last_change: datetime | None = None
    in_bps: float | None = None
    out_bps: float | None = None
    utilization_pct: float | None = None
    in_errors_per_s: float | None = None
    out_errors_per_s: float | None = None
    rx_dbm: float | None = None
    tx_dbm: float | None = None
    rx_low_alarm_dbm: float | None = None


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A stored link (declared or discovered) between two device ports."""

    a_device: str
    a_port: str
    b_device: str
    b_port: str
    medium: str = "fiber"
    length_m: float | None = None
    source: str = "declared"
    declared: bool = True
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    id: int | None = None  # the stored link row; None for a link built in memory
    route: tuple[RoutePoint, ...] = ()  # from a_device's site towards b_device's


@dataclass(frozen=True, slots=True)
class NeighborRecordView:
    """An observed LLDP/CDP neighbor as stored, from the local device's point of view."""

    device: str
    local_port: str
    protocol: str
    chassis_id: str
    chassis_id_kind: str
    port_id: str
    port_id_kind: str
    port_description: str | None = None
    system_name: str | None = None
    management_address: str | None = None
    last_seen: datetime | None = None
