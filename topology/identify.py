"""Identity resolution: which inventory device and port an LLDP/CDP neighbor record names.

Collectors store neighbors raw, as advertised. Here a neighbor is matched to a device by its
chassis MAC, its system name (with or without a domain), a management address, or a chassis
id that is itself an address or a name; the remote port by ifName, ifDescr or an abbreviation
of them, by the port's MAC when the port-id subtype is a MAC, and by ifAlias or ifIndex when
the subtype is ``local``. A MAC, address or name that two inventory devices share (cloned
configs, a default sysName, anonymised data) identifies neither. Anything a device sent may be
hostile or empty: nothing raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from inventory.records import DeviceRecord, InterfaceRecord, NeighborRecordView
from topology.names import PortNameRules, default_rules, port_keys

_HEX = re.compile(r"[^0-9a-f]")
_NAME_KINDS = {
    "interface_name",
    "interface_alias",
    "local",
    "other",
    "port_component",
    "agent_circuit_id",
    "",
}


def normalize_mac(value: str | None) -> str | None:
    """``00 22 B0 B5 5C E9`` / ``0022.b0b5.5ce9`` / ``00:22:b0:b5:5c:e9`` -> ``0022b0b55ce9``."""
    if not value:
        return None
    text = str(value).strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    digits = _HEX.sub("", text)
    if len(digits) != 12 or len(re.sub(r"[0-9a-f:.\- ]", "", text)) > 0:
        return None
    return digits if digits != "000000000000" else None


def host_part(name: str | None) -> str:
    """``sw1.example.com`` -> ``sw1`` (lower-cased); IP-looking names are kept whole."""
    text = (name or "").strip().lower()
    if not text or re.fullmatch(r"[0-9.]+", text):
        return text
    return text.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a neighbor record points: device (None = unknown) and port (None = not matched)."""

    device: str | None
    port: str | None
    via: str
    raw_port: str


@dataclass(slots=True)
class _PortIndex:
    by_key: dict[str, str] = field(default_factory=dict)
    by_mac: dict[str, str] = field(default_factory=dict)
    by_alias: dict[str, str] = field(default_factory=dict)
    by_index: dict[str, str] = field(default_factory=dict)


class DeviceIndex:
    """Lookup tables over the inventory's devices and interfaces, built once per snapshot."""

    def __init__(
        self,
        devices: Iterable[DeviceRecord],
        interfaces: Iterable[InterfaceRecord],
        rules: PortNameRules | None = None,
    ) -> None:
        self.rules = rules or default_rules()
        self.by_name: dict[str, str] = {}
        self.by_host: dict[str, str] = {}
        self.by_address: dict[str, str] = {}
        self.by_mac: dict[str, str] = {}
        self.ports: dict[str, _PortIndex] = {}
        self._ambiguous: set[tuple[str, str]] = set()
        for dev in devices:
            self._add_device(dev)
        for iface in interfaces:
            self._add_interface(iface)
        tables = {"address": self.by_address, "mac": self.by_mac, "name": self.by_name, "host": self.by_host}
        for table, key in self._ambiguous:
            tables[table].pop(key, None)

    def _claim(self, table: str, mapping: dict[str, str], key: str, device: str) -> None:
        """Record key -> device; a key two devices claim identifies neither."""
        if mapping.setdefault(key, device) != device:
            self._ambiguous.add((table, key))

    def _add_device(self, dev: DeviceRecord) -> None:
        self.ports.setdefault(dev.name, _PortIndex())
        for name in (dev.name, dev.sys_name):
            if name:
                self._claim("name", self.by_name, name.strip().lower(), dev.name)
                self._claim("host", self.by_host, host_part(name), dev.name)
        if dev.address:
            self._claim("address", self.by_address, dev.address.strip().lower(), dev.name)
        for mac in dev.chassis_macs:
            norm = normalize_mac(mac)
            if norm:
                self._claim("mac", self.by_mac, norm, dev.name)

    def _add_interface(self, iface: InterfaceRecord) -> None:
        index = self.ports.setdefault(iface.device, _PortIndex())
        for text in (iface.name, iface.descr):
            if text:
                for key in port_keys(text, self.rules):
                    index.by_key.setdefault(key, iface.name)
        mac = normalize_mac(iface.mac)
        if mac:
            index.by_mac.setdefault(mac, iface.name)
            self._claim("mac", self.by_mac, mac, iface.device)
        if iface.alias:
            index.by_alias.setdefault(iface.alias.strip(), iface.name)
        if iface.if_index is not None:
            index.by_index.setdefault(str(iface.if_index), iface.name)

    def device_for(self, nb: NeighborRecordView) -> tuple[str | None, str]:
        """The inventory device a neighbor names, and which identifier matched."""
        chassis = (nb.chassis_id or "").strip()
        mac = normalize_mac(chassis)
        if mac and mac in self.by_mac:
            return self.by_mac[mac], "chassis_mac"
        name = (nb.system_name or "").strip().lower()
        if name and name in self.by_name:
            return self.by_name[name], "sys_name"
        if name and host_part(name) in self.by_host:
            return self.by_host[host_part(name)], "sys_name_host"
        address = (nb.management_address or "").strip().lower()
        if address and address in self.by_address:
            return self.by_address[address], "mgmt_address"
        if chassis and not mac:
            low = chassis.lower()
            for table, via in ((self.by_address, "chassis_address"), (self.by_name, "chassis_name")):
                if low in table:
                    return table[low], via
        return None, "none"

    def port_for(self, device: str, nb: NeighborRecordView) -> str | None:
        """The remote device's port a neighbor record names, or None."""
        index = self.ports.get(device)
        if index is None:
            return None
        port_id = (nb.port_id or "").strip()
        kind = (nb.port_id_kind or "").lower()
        mac = normalize_mac(port_id)
        if mac and kind not in ("interface_name", "interface_alias") and mac in index.by_mac:
            return index.by_mac[mac]
        if kind in _NAME_KINDS or not mac:
            found = self._by_text(index, port_id, kind)
            if found:
                return found
        return self._by_text(index, (nb.port_description or "").strip(), "description")

    def _by_text(self, index: _PortIndex, text: str, kind: str) -> str | None:
        if not text:
            return None
        for key in port_keys(text, self.rules):
            if key in index.by_key:
                return index.by_key[key]
        if kind in ("local", "interface_alias", "description") and text in index.by_alias:
            return index.by_alias[text]
        if kind == "local" and text in index.by_index:
            return index.by_index[text]
        return None

    def resolve(self, nb: NeighborRecordView) -> Resolution:
        device, via = self.device_for(nb)
        port = self.port_for(device, nb) if device else None
        return Resolution(device, port, via, nb.port_id or "")

    def local_port(self, device: str, name: str) -> str:
        """A local port name as stored in the interface table (abbreviation tolerant)."""
        index = self.ports.get(device)
        if index:
            for key in port_keys(name, self.rules):
                if key in index.by_key:
                    return index.by_key[key]
        return name


def unknown_node_id(nb: NeighborRecordView) -> str:
    """A stable id for a neighbor that matches no device: its sysName, else its chassis id."""
    label = (nb.system_name or "").strip() or (nb.chassis_id or "").strip() or "?"
    return f"unknown:{label[:100]}"
