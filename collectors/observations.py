"""The record contract between collectors and the rest of netops.

Every collector (SNMP or SSH) returns exactly these frozen, slotted dataclasses, so the store,
the topology and the tests never care which transport produced a fact. Nothing here is
ORM-shaped and nothing here resolves identities: a ``Neighbor`` is recorded as the device
advertised it, and ``topology/`` decides which inventory device it is. ``PollResult.completed``
names the poll kinds that were read to the end; only those may replace stored state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class PollKind(StrEnum):
    """What a poll reads. Jobs are sets of kinds (``status`` = interfaces' states, ...)."""

    FACTS = "facts"
    INTERFACES = "interfaces"
    COUNTERS = "counters"
    NEIGHBORS = "neighbors"
    OPTICS = "optics"
    CONFIG = "config"


class OperStatus(StrEnum):
    """IF-MIB ifOperStatus by name (RFC 2863)."""

    UP = "up"
    DOWN = "down"
    TESTING = "testing"
    UNKNOWN = "unknown"
    DORMANT = "dormant"
    NOT_PRESENT = "notPresent"
    LOWER_LAYER_DOWN = "lowerLayerDown"


class AdminStatus(StrEnum):
    """IF-MIB ifAdminStatus by name."""

    UP = "up"
    DOWN = "down"
    TESTING = "testing"
    UNKNOWN = "unknown"


class IdKind(StrEnum):
    """LLDP chassis-id / port-id subtypes by name (IEEE 802.1AB); CDP ids are ``local``."""

    CHASSIS_COMPONENT = "chassis_component"
    INTERFACE_ALIAS = "interface_alias"
    PORT_COMPONENT = "port_component"
    MAC = "mac"
    NETWORK_ADDRESS = "network_address"
    INTERFACE_NAME = "interface_name"
    AGENT_CIRCUIT_ID = "agent_circuit_id"
    LOCAL = "local"
    OTHER = "other"


class NeighborProtocol(StrEnum):
    LLDP = "lldp"
    CDP = "cdp"


class ErrorKind(StrEnum):
    """Why a poll kind failed; one vocabulary for SNMP and SSH."""

    TIMEOUT = "timeout"
    AUTH = "auth"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    DISCONNECTED = "disconnected"
    MALFORMED = "malformed"
    NO_SUCH_OBJECT = "no_such_object"
    UNSUPPORTED = "unsupported"
    PARSE = "parse"
    HOST_KEY = "host_key"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """The system group plus what ENTITY-MIB / ``show version`` add."""

    sys_name: str
    sys_descr: str = ""
    sys_object_id: str = ""
    sys_location: str = ""
    sys_contact: str = ""
    uptime_s: float | None = None
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None
    os_version: str | None = None
    hostname: str | None = None


@dataclass(frozen=True, slots=True)
class InterfaceState:
    """One interface as the device reports it; ``name`` (ifName or CLI name) is the join key."""

    name: str
    if_index: int | None = None
    descr: str = ""
    alias: str = ""
    if_type: str | None = None
    speed_bps: int | None = None
    mtu: int | None = None
    mac: str | None = None
    admin_status: AdminStatus = AdminStatus.UNKNOWN
    oper_status: OperStatus = OperStatus.UNKNOWN
    last_change_s: float | None = None


@dataclass(frozen=True, slots=True)
class CounterSample:
    """Raw interface counters at one instant; rates are computed from two samples by the store."""

    name: str
    if_index: int | None
    in_octets: int | None
    out_octets: int | None
    in_errors: int | None = None
    out_errors: int | None = None
    in_discards: int | None = None
    out_discards: int | None = None
    counter_bits: int = 64
    speed_bps: int | None = None
    uptime_s: float | None = None


@dataclass(frozen=True, slots=True)
class Neighbor:
    """An LLDP or CDP record, raw as advertised; identity is resolved in ``topology/``."""

    local_port: str
    protocol: NeighborProtocol
    chassis_id: str
    chassis_id_kind: IdKind
    port_id: str
    port_id_kind: IdKind
    port_description: str = ""
    system_name: str = ""
    system_description: str = ""
    management_address: str | None = None
    local_if_index: int | None = None
    platform: str = ""


@dataclass(frozen=True, slots=True)
class OpticalReading:
    """A transceiver's light levels in dBm, with the device's own thresholds when given."""

    port: str
    if_index: int | None = None
    lane: int | None = None
    rx_dbm: float | None = None
    tx_dbm: float | None = None
    rx_low_alarm_dbm: float | None = None
    rx_high_alarm_dbm: float | None = None
    temperature_c: float | None = None


@dataclass(frozen=True, slots=True)
class ConfigSnapshot:
    """A device's running configuration as text, secrets already masked by the collector."""

    text: str
    source_command: str = ""


@dataclass(frozen=True, slots=True)
class PollError:
    """One failure with a kind and one plain sentence an operator can act on."""

    kind: ErrorKind
    message: str
    poll_kind: PollKind | None = None


@dataclass(frozen=True, slots=True)
class PollResult:
    """Everything one poll of one device learned, always returned, even on failure."""

    device_key: str
    profile: str
    transport: str
    started_at: datetime
    finished_at: datetime
    completed: frozenset[PollKind] = field(default_factory=frozenset)
    facts: DeviceFacts | None = None
    interfaces: tuple[InterfaceState, ...] = ()
    counters: tuple[CounterSample, ...] = ()
    neighbors: tuple[Neighbor, ...] = ()
    optics: tuple[OpticalReading, ...] = ()
    config: ConfigSnapshot | None = None
    errors: tuple[PollError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no kind failed."""
        return not self.errors

    @property
    def reachable(self) -> bool:
        """True when the device answered at all (some kind completed)."""
        return bool(self.completed)

    @property
    def answered(self) -> bool:
        """True when the device sent anything back: some kind completed, or its answers were
        malformed (garbage, a walk that never ends). A misbehaving agent is not a silent one:
        it must not be taken for a device that is down."""
        return bool(self.completed) or any(e.kind is ErrorKind.MALFORMED for e in self.errors)

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()
