"""One simulated switch's MIB: a sorted OID index over value getters, built from the state.

Served objects: SNMPv2-MIB system group, IF-MIB ifTable + ifXTable (HC counters), LLDP-MIB
local system, lldpLocPortTable, lldpLocManAddrTable, lldpRemTable and lldpRemManAddrTable,
ENTITY-MIB entPhysicalTable/entAliasMappingTable, and optical levels in the vendor's own
table (Cisco CISCO-ENTITY-SENSOR-MIB in dBm, Huawei HUAWEI-ENTITY-EXTENT-MIB in µW, MikroTik
mtxrOpticalTable in 1/1000 dBm), as in the recorded walks of ``shared/fixtures/librenms``.
Static values are encoded once; counters, uptime and statuses are read when asked.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator import ber
from simulator.network import DemoDevice, DemoPort
from simulator.state import SimState

OID = tuple[int, ...]
Getter = Callable[[], bytes]  # the value, BER-encoded

SYSTEM = (1, 3, 6, 1, 2, 1, 1)
IF_NUMBER = (1, 3, 6, 1, 2, 1, 2, 1, 0)
IF_ENTRY = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IFX_ENTRY = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
LLDP_LOC = (1, 0, 8802, 1, 1, 2, 1, 3)
LLDP_REM = (1, 0, 8802, 1, 1, 2, 1, 4, 1, 1)
LLDP_REM_MAN = (1, 0, 8802, 1, 1, 2, 1, 4, 2, 1)
ENT_PHYS = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1)
ENT_ALIAS = (1, 3, 6, 1, 2, 1, 47, 1, 3, 2, 1, 2)
CISCO_SENSOR = (1, 3, 6, 1, 4, 1, 9, 9, 91, 1, 1, 1, 1)
HUAWEI_OPTICAL = (1, 3, 6, 1, 4, 1, 2011, 5, 25, 31, 1, 1, 3, 1)
MIKROTIK_OPTICAL = (1, 3, 6, 1, 4, 1, 14988, 1, 1, 19, 1, 1)
CAP_BRIDGE, CAP_ROUTER = 0x20, 0x08


def _const(encoded: bytes) -> Getter:
    return lambda: encoded


def _text(value: str) -> Getter:
    return _const(ber.octets(value.encode("utf-8")))


def _raw(value: bytes) -> Getter:
    return _const(ber.octets(value))


def _int(value: int) -> Getter:
    return _const(ber.integer(value))


def _oid(value: OID) -> Getter:
    return _const(ber.oid(value))


def _c32(value: int) -> bytes:
    return ber.unsigned(value % 2**32, ber.COUNTER32)


def _c64(value: int) -> bytes:
    return ber.unsigned(value % 2**64, ber.COUNTER64)


def _mac(mac: str) -> bytes:
    return bytes(int(x, 16) for x in mac.split(":"))


def _ticks(seconds: float) -> bytes:
    return ber.unsigned(int(max(0.0, seconds) * 100) % 2**32, ber.TIMETICKS)


@dataclass
class MibView:
    """Sorted OIDs of one device with their getters: GET is a dict hit, GETNEXT a bisect."""

    oids: list[OID]
    values: dict[OID, Getter]
    names: dict[OID, bytes] = field(default_factory=dict)

    def name(self, oid: OID) -> bytes:
        """The encoded OID (cached: the same columns are asked every cycle)."""
        encoded = self.names.get(oid)
        if encoded is None:
            encoded = self.names[oid] = ber.oid(oid)
        return encoded

    def get(self, oid: OID) -> Getter | None:
        return self.values.get(oid)

    def next(self, oid: OID) -> tuple[OID, Getter] | None:
        i = bisect.bisect_right(self.oids, oid)
        if i >= len(self.oids):
            return None
        found = self.oids[i]
        return found, self.values[found]


class _Builder:
    def __init__(self, state: SimState, device: DemoDevice) -> None:
        self.state, self.dev = state, device
        self.values: dict[OID, Getter] = {}

    def put(self, oid: OID, getter: Getter) -> None:
        self.values[oid] = getter

    def system(self) -> None:
        dev, state = self.dev, self.state
        self.put((*SYSTEM, 1, 0), _text(dev.vendor.sys_descr))
        self.put((*SYSTEM, 2, 0), _oid(tuple(int(x) for x in dev.vendor.sys_object_id.split("."))))
        self.put((*SYSTEM, 3, 0), lambda: _ticks(state.uptime_s(dev.name)))
        self.put((*SYSTEM, 4, 0), _text(dev.contact))
        self.put((*SYSTEM, 5, 0), _text(dev.name))
        self.put((*SYSTEM, 6, 0), _text(dev.location))
        self.put((*SYSTEM, 7, 0), _int(6 if dev.role != "access" else 2))

    def interfaces(self) -> None:
        self.put(IF_NUMBER, _int(len(self.dev.ports)))
        for port in self.dev.ports:
            self._if_row(port)

    def _if_row(self, port: DemoPort) -> None:
        dev, state, i = self.dev, self.state, port.if_index
        key = (dev.name, i)
        counters = state.counters[key]
        speed = port.speed_mbps * 1_000_000

        def up() -> bytes:
            return ber.integer(1 if state.oper_up(dev.name, port) else 2)

        def last() -> bytes:
            return _ticks(state.changed[key] - state.boot[dev.name])

        def rx() -> int:
            return counters.rx.octets(state.now())

        def tx() -> int:
            return counters.tx.octets(state.now())

        if_type = 53 if port.virtual else 6
        if port.name == "NULL0":
            if_type = 1
        columns: dict[int, Getter] = {
            1: _int(i), 2: _text(port.descr), 3: _int(if_type), 4: _int(9216 if port.fiber else 1500),
            5: _const(ber.unsigned(min(speed, 4294967295), ber.GAUGE32)),
            6: _raw(_mac(dev.port_mac(port))), 7: _int(1 if port.admin_up else 2), 8: up, 9: last,
            10: lambda: _c32(rx()), 11: lambda: _c32(rx() // 760), 13: _const(_c32(0)),
            14: lambda: _c32(counters.errors(state.now())),
            16: lambda: _c32(tx()), 17: lambda: _c32(tx() // 760), 19: _const(_c32(0)), 20: _const(_c32(0)),
        }
        for col, getter in columns.items():
            self.put((*IF_ENTRY, col, i), getter)
        xcolumns: dict[int, Getter] = {
            1: _text(port.name),
            6: lambda: _c64(rx()), 7: lambda: _c64(rx() // 760),
            10: lambda: _c64(tx()), 11: lambda: _c64(tx() // 760),
            14: _int(1), 15: _const(ber.unsigned(port.speed_mbps, ber.GAUGE32)), 16: _int(2),
            17: _int(2 if port.virtual else 1), 18: _text(port.alias),
        }
        for col, getter in xcolumns.items():
            self.put((*IFX_ENTRY, col, i), getter)

    def lldp_local(self) -> None:
        dev = self.dev
        caps = _raw(bytes([CAP_BRIDGE | (CAP_ROUTER if dev.role != "access" else 0)]))
        self.put((*LLDP_LOC, 1, 0), _int(4))
        self.put((*LLDP_LOC, 2, 0), _raw(_mac(dev.mac)))
        self.put((*LLDP_LOC, 3, 0), _text(dev.name))
        self.put((*LLDP_LOC, 4, 0), _text(dev.vendor.sys_descr))
        self.put((*LLDP_LOC, 5, 0), caps)
        self.put((*LLDP_LOC, 6, 0), caps)
        for port in dev.ports:
            if port.virtual:
                continue
            kind, ident = _port_id(dev, port)
            self.put((*LLDP_LOC, 7, 1, 2, port.if_index), _int(kind))
            self.put((*LLDP_LOC, 7, 1, 3, port.if_index), _raw(ident))
            self.put((*LLDP_LOC, 7, 1, 4, port.if_index), _text(port.alias or port.descr))
        addr = tuple(int(x) for x in dev.address.split("."))
        mgmt_if = next((p.if_index for p in dev.ports if p.virtual), 0)
        for col, getter in ((3, _int(5)), (4, _int(2)), (5, _int(mgmt_if)), (6, _oid((0, 0)))):
            self.put((*LLDP_LOC, 8, 1, col, 1, 4, *addr), getter)

    def lldp_remote(self) -> None:
        net, state, dev = self.state.network, self.state, self.dev
        for index, link in enumerate(net.links):
            if dev.name not in (link.a, link.b) or not state.link_up(index):
                continue
            mine, peer_name, theirs = ((link.a_port, link.b, link.b_port) if link.a == dev.name
                                       else (link.b_port, link.a, link.a_port))
            local, peer = dev.port(mine), net.device(peer_name)
            remote = peer.port(theirs)
            kind, ident = _port_id(peer, remote)
            row = (0, local.if_index, index + 1)
            caps = bytes([CAP_BRIDGE | (CAP_ROUTER if peer.role != "access" else 0)])
            cols: dict[int, Getter] = {
                4: _int(4), 5: _raw(_mac(peer.mac)), 6: _int(kind), 7: _raw(ident),
                8: _text(remote.alias or remote.descr), 9: _text(peer.name), 10: _text(peer.vendor.sys_descr),
                11: _raw(caps), 12: _raw(caps),
            }
            for col, getter in cols.items():
                self.put((*LLDP_REM, col, *row), getter)
            addr = tuple(int(x) for x in peer.address.split("."))
            mgmt_if = next((p.if_index for p in peer.ports if p.virtual), 0)
            for col, getter in ((3, _int(2)), (4, _int(mgmt_if)), (5, _oid((0, 0)))):
                self.put((*LLDP_REM_MAN, col, *row, 1, 4, *addr), getter)

    def optics(self) -> None:
        vendor = self.dev.vendor.vendor
        self.put((*ENT_PHYS, 2, 1), _text(self.dev.vendor.model))
        self.put((*ENT_PHYS, 5, 1), _int(3))
        self.put((*ENT_PHYS, 7, 1), _text(self.dev.vendor.model))
        serial = hashlib.sha256(self.dev.name.encode()).hexdigest()[:8].upper()
        prefix = {"Cisco": "FOC", "Huawei": "2102351", "MikroTik": "HD0"}.get(vendor, "SN")
        self.put((*ENT_PHYS, 11, 1), _text(f"{prefix}{serial}"))
        self.put((*ENT_PHYS, 13, 1), _text(self.dev.vendor.model))
        for port in self.dev.ports:
            if not port.fiber:
                continue
            ent = 1000 + port.if_index
            self.put((*ENT_PHYS, 2, ent), _text(f"{port.speed_mbps // 1000}G SFP {port.descr}"))
            self.put((*ENT_PHYS, 4, ent), _int(1))
            self.put((*ENT_PHYS, 5, ent), _int(10))
            self.put((*ENT_PHYS, 7, ent), _text(port.name if vendor != "Huawei" else port.descr))
            self.put((*ENT_ALIAS, ent, 0), _oid((*IF_ENTRY, 1, port.if_index)))
            getattr(self, f"_optics_{vendor.lower()}")(port, ent)

    def _levels(self, port: DemoPort) -> tuple[Callable[[], float], float]:
        """Receive level (reads -40 dBm when dark) and transmit level of one fiber port."""
        digest = hashlib.sha256(f"{self.dev.name}/{port.name}".encode()).digest()
        tx = -2.0 - digest[0] / 255 * 3.0
        rx = tx - 1.5 - digest[1] / 255 * 12.0  # a few ports near the receiver's limit
        state, name = self.state, self.dev.name
        return (lambda: rx if state.oper_up(name, port) else -40.0), tx

    def _optics_cisco(self, port: DemoPort, ent: int) -> None:
        rx, tx = self._levels(port)
        for offset, label, read in ((1, "Receive", rx), (2, "Transmit", lambda: tx)):
            sensor = ent * 10 + offset
            self.put((*ENT_PHYS, 2, sensor), _text(f"{port.name} {label} Power Sensor"))
            self.put((*ENT_PHYS, 4, sensor), _int(ent))
            self.put((*ENT_PHYS, 5, sensor), _int(8))
            self.put((*ENT_PHYS, 7, sensor), _text(f"{port.name} {label} Power Sensor"))
            for col, getter in ((1, _int(14)), (2, _int(9)), (3, _int(1)),
                                (4, lambda r=read: ber.integer(round(r() * 10))), (5, _int(1))):
                self.put((*CISCO_SENSOR, col, sensor), getter)

    def _optics_huawei(self, port: DemoPort, ent: int) -> None:
        rx, tx = self._levels(port)

        def uw(dbm: float) -> bytes:
            return ber.integer(round(1000 * math.pow(10, dbm / 10)))

        self.put((*HUAWEI_OPTICAL, 1, ent), _int(5))
        self.put((*HUAWEI_OPTICAL, 8, ent), lambda: uw(rx()))
        self.put((*HUAWEI_OPTICAL, 9, ent), lambda: uw(tx))

    def _optics_mikrotik(self, port: DemoPort, ent: int) -> None:
        rx, tx = self._levels(port)
        i = port.if_index
        self.put((*MIKROTIK_OPTICAL, 1, i), _int(i))
        self.put((*MIKROTIK_OPTICAL, 2, i), _text(port.name))
        self.put((*MIKROTIK_OPTICAL, 9, i), _int(round(tx * 1000)))
        self.put((*MIKROTIK_OPTICAL, 10, i), lambda: ber.integer(round(rx() * 1000)))


def _port_id(device: DemoDevice, port: DemoPort) -> tuple[int, bytes]:
    """LLDP port ID subtype and value: interfaceName(5) as most do, or macAddress(3)."""
    if device.lldp_port_id == "mac":
        return 3, _mac(device.port_mac(port))
    return 5, port.name.encode("utf-8")


def build_view(state: SimState, device: DemoDevice) -> MibView:
    builder = _Builder(state, device)
    for part in (builder.system, builder.interfaces, builder.lldp_local, builder.lldp_remote, builder.optics):
        part()
    return MibView(sorted(builder.values), builder.values)
