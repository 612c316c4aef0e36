"""Frozen records the web layer renders: what pages and the JSON API show, nothing ORM-shaped.

Read functions (``web.readers``, ``web.history``, ``web.composite``) return these, so
templates and JSON serialisation never touch a live session and never trigger lazy loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DeviceView:
    name: str
    address: str
    role: str
    site: str | None
    district: str | None
    platform: str | None
    enabled: bool
    state: str
    state_since: datetime | None
    sys_name: str | None
    last_poll_at: datetime | None = None
    last_error: str | None = None
    last_ok_at: datetime | None = None  # the last time SNMP answered
    snmp_failures: int = 0  # polls in a row without an SNMP answer

    @property
    def silent(self) -> bool:
        """Its last poll got no SNMP answer (down, agent down, or cut off and not read): what
        was read from it before is as last seen, not current. An unreachable device that
        still answers (its management path is elsewhere) is current."""
        return self.snmp_failures > 0 or self.state == "down"


@dataclass(frozen=True, slots=True)
class FactsView:
    sys_name: str | None
    sys_descr: str | None
    sys_location: str | None
    sys_contact: str | None
    vendor: str | None
    model: str | None
    serial: str | None
    os_version: str | None
    profile: str | None
    uptime_s: float | None
    learned_at: datetime | None


@dataclass(frozen=True, slots=True)
class InterfaceView:
    id: int
    device: str
    name: str
    alias: str | None
    description: str | None
    admin_status: str | None
    oper_status: str | None
    speed_bps: int | None
    in_bps: float | None
    out_bps: float | None
    utilization_pct: float | None
    in_errors_per_s: float | None
    out_errors_per_s: float | None
    rx_dbm: float | None
    tx_dbm: float | None
    last_change: datetime | None
    status_polled_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LinkView:
    id: int
    a_device: str
    a_port: str
    b_device: str
    b_port: str
    medium: str
    source: str
    declared: bool
    state: str
    since: datetime | None
    reason: str | None
    utilization_pct: float | None
    speed_bps: int | None
    last_seen: datetime | None

    @property
    def name(self) -> str:
        return f"{self.a_device}:{self.a_port}--{self.b_device}:{self.b_port}"


@dataclass(frozen=True, slots=True)
class NeighborView:
    local_port: str
    protocol: str
    system_name: str | None
    port_id: str
    port_description: str | None
    chassis_id: str
    management_address: str | None
    last_seen: datetime | None


@dataclass(frozen=True, slots=True)
class CredentialView:
    """A credential as admins may see it: what it is and how its secrets are kept, never a value."""

    name: str
    type: str
    snmp_version: str | None
    username: str | None
    auth_protocol: str | None
    priv_protocol: str | None
    secrets: tuple[tuple[str, str], ...]  # (field, "env" | "file" | "encrypted" | "literal")
    used_by: int


@dataclass(frozen=True, slots=True)
class SiteView:
    name: str
    kind: str
    district: str | None
    address: str | None
    contact_name: str | None
    contact_phone: str | None
    devices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PollRunView:
    device: str
    job: str
    transport: str
    started_at: datetime
    duration_s: float
    ok: bool
    completed: str
    error_kind: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class SiteStatus:
    """The help-desk answer for one site: is it connected, since when, why, via what.

    What the monitor stored for the site (``site_states``), never derived here. ``cause`` is in
    plain words in the reader's language with the ports, ``why`` the same as one sentence about this
    site without them, ``verdict`` the state as a caller asks it; ``path`` runs from the site to
    the core; ``causes`` are the root-cause links (``A:p--B:q``) or devices; ``root_cause`` is
    the one the site's open outage (``outage_id``) is about.
    """

    site: SiteView
    state: str  # online | degraded | offline | unknown
    since: datetime | None
    cause: str | None
    path: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    reason: str = ""
    root_cause: dict[str, str] | None = None
    outage_id: int | None = None
    verdict: str = ""  # "Online", "Slow or unstable", "Offline", "Not monitored right now"
    why: str | None = None  # one sentence about this site, places first, no ports
    handling: str | None = None  # "planned works until 14:00: ..." / "being handled by Budi since 10:05: ..."


@dataclass(frozen=True, slots=True)
class TopologyNode:
    name: str
    role: str
    site: str | None
    district: str | None
    state: str
    x: float
    y: float
    sys_name: str | None


@dataclass(frozen=True, slots=True)
class TopologyLink:
    key: str
    a_device: str
    a_port: str
    b_device: str
    b_port: str
    state: str
    reason: str
    medium: str
    declared: bool
    utilization_pct: float | None
    speed_bps: int | None


@dataclass(frozen=True, slots=True)
class Topology:
    nodes: tuple[TopologyNode, ...]
    links: tuple[TopologyLink, ...]
    width: float = 1000.0
    height: float = 1000.0
    districts: tuple[str, ...] = field(default=())
