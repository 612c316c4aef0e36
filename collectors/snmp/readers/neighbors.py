"""NEIGHBORS: LLDP-MIB lldpRemTable (+ lldpLocPortTable, lldpRemManAddrTable) and CISCO-CDP-MIB.

Records are kept raw as advertised (identity is resolved in ``topology/``), with the ids
formatted by subtype: MAC ids as ``aa:bb:cc:dd:ee:ff``, network addresses as IP text,
everything else as text (hex when not printable). The local port of an LLDP row is found
from lldpLocPortTable (port id matched against ifName/ifDescr, or a MAC against
ifPhysAddress), else lldpRemLocalPortNum taken as the ifIndex (lldpd, HP ProCurve), else the
local port's own description. Quirk ``single_index_rows``: RouterOS 6 indexes lldpRemTable by
one sub-identifier and has no lldpLocPortTable, so the local port is unknown ("").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from collectors.observations import IdKind, Neighbor, NeighborProtocol
from collectors.profiles.schema import NeighborTable
from collectors.snmp import decode
from collectors.snmp.readers.interfaces import PortMap
from collectors.snmp.session import Endpoint, Oid, SnmpHost
from collectors.snmp.walk import walk_columns

CHASSIS_KINDS = {1: IdKind.CHASSIS_COMPONENT, 2: IdKind.INTERFACE_ALIAS, 3: IdKind.PORT_COMPONENT,
                 4: IdKind.MAC, 5: IdKind.NETWORK_ADDRESS, 6: IdKind.INTERFACE_NAME, 7: IdKind.LOCAL}
PORT_KINDS = {1: IdKind.INTERFACE_ALIAS, 2: IdKind.PORT_COMPONENT, 3: IdKind.MAC, 4: IdKind.NETWORK_ADDRESS,
              5: IdKind.INTERFACE_NAME, 6: IdKind.AGENT_CIRCUIT_ID, 7: IdKind.LOCAL}
CDP_IP = 1
MAC_TEXT = re.compile(r"^[0-9A-Fa-f]{2}([:. -]?[0-9A-Fa-f]{2}){5}$")  # CiscoNetworkProtocol ip(1)


def format_id(value: object, kind: IdKind) -> str:
    """An LLDP chassis/port id as text according to its subtype."""
    data = decode.raw_bytes(value)
    if data is None:
        return decode.text(value)
    if kind is IdKind.MAC and len(data) == 6:
        return data.hex(":")
    if kind is IdKind.MAC and MAC_TEXT.match(data.decode("latin-1")):  # sent as text, e.g. RouterOS
        return bytes.fromhex(re.sub(r"[^0-9A-Fa-f]", "", data.decode("latin-1"))).hex(":")
    if kind is IdKind.NETWORK_ADDRESS:
        address = decode.network_address(data)
        if address:
            return address
    return decode.printable_or_hex(data)


def _kind(value: object, kinds: Mapping[int, IdKind]) -> IdKind:
    number = decode.integer(value)
    return kinds.get(number, IdKind.OTHER) if number is not None else IdKind.OTHER


def _columns(walked: Mapping[str, Mapping[Oid, object]],
             oids: Mapping[str, str]) -> dict[str, Mapping[Oid, object]]:
    return {key: walked.get(oid, {}) for key, oid in oids.items()}


def local_port_names(local: Mapping[str, Mapping[Oid, object]],
                     ports: PortMap) -> dict[int, tuple[str, int | None]]:
    """lldpLocPortNum -> (interface name, ifIndex or None)."""
    by_name = {name: idx for idx, name in ports.names.items()}
    by_descr = {descr: idx for idx, descr in ports.descrs.items() if descr}
    by_mac = {m: idx for idx, m in ports.macs.items()}
    out: dict[int, tuple[str, int | None]] = {}
    for suffix, value in local.get("port_id", {}).items():
        if len(suffix) != 1:
            continue
        kind = _kind(local.get("port_id_subtype", {}).get(suffix), PORT_KINDS)
        text = format_id(value, kind)
        idx = by_mac.get(text) if kind is IdKind.MAC else by_name.get(text, by_descr.get(text))
        if idx is None:
            descr = decode.text(local.get("port_descr", {}).get(suffix))
            idx = by_name.get(descr, by_descr.get(descr))
        if idx is not None:
            out[suffix[0]] = (ports.names[idx], idx)
        elif suffix[0] in ports.names:
            out[suffix[0]] = (ports.names[suffix[0]], suffix[0])
        else:
            out[suffix[0]] = (decode.text(local.get("port_descr", {}).get(suffix)) or text, None)
    return out


def _man_addresses(rows: Mapping[Oid, object]) -> dict[tuple[int, ...], str]:
    """(timeMark, localPortNum, index) -> first IPv4 (else IPv6) management address."""
    found: dict[tuple[int, ...], str] = {}
    for suffix in sorted(rows, key=lambda s: (s[:3], s[3] if len(s) > 3 else 0)):
        if len(suffix) < 5 or suffix[3] not in (1, 2) or len(suffix) != 5 + suffix[4]:
            continue
        address = decode.address_from_bytes(bytes(b & 0xFF for b in suffix[5:]))
        if address and suffix[:3] not in found:
            found[suffix[:3]] = address
    return found


async def read_lldp(host: SnmpHost, ep: Endpoint, table: NeighborTable, ports: PortMap,
                    max_rep: int) -> tuple[Neighbor, ...]:
    rem_oids = dict(table.columns)
    walked = await walk_columns(host, ep, list(rem_oids.values()), max_rep)
    rem = _columns(walked.columns, rem_oids)
    if not any(rem.values()):
        return ()
    local: dict[str, Mapping[Oid, object]] = {}
    if table.local_ports:
        local = _columns((await walk_columns(host, ep, list(table.local_ports.values()), max_rep)).columns,
                         table.local_ports)
    addresses: dict[tuple[int, ...], str] = {}
    if table.management_addresses:
        man = await walk_columns(host, ep, [table.management_addresses], max_rep)
        addresses = _man_addresses(man.columns[table.management_addresses])
    return lldp_neighbors(rem, local_port_names(local, ports), ports, addresses)


def lldp_neighbors(rem: Mapping[str, Mapping[Oid, object]], local: Mapping[int, tuple[str, int | None]],
                   ports: PortMap, addresses: Mapping[tuple[int, ...], str]) -> tuple[Neighbor, ...]:
    rows = sorted({s for col in rem.values() for s in col})
    out = []
    for suffix in rows:
        get = {key: col.get(suffix) for key, col in rem.items()}
        chassis_kind = _kind(get.get("chassis_id_subtype"), CHASSIS_KINDS)
        port_kind = _kind(get.get("port_id_subtype"), PORT_KINDS)
        local_name, local_idx = "", None
        if len(suffix) == 3:  # standard index timeMark.localPortNum.index
            local_name, local_idx = local.get(suffix[1]) or (ports.name(suffix[1]) or "", None)
            if local_idx is None and suffix[1] in ports.names:
                local_idx = suffix[1]
        out.append(Neighbor(
            local_port=local_name, protocol=NeighborProtocol.LLDP,
            chassis_id=format_id(get.get("chassis_id"), chassis_kind), chassis_id_kind=chassis_kind,
            port_id=format_id(get.get("port_id"), port_kind), port_id_kind=port_kind,
            port_description=decode.text(get.get("port_descr")),
            system_name=decode.text(get.get("sys_name")),
            system_description=decode.text(get.get("sys_descr"), decode.LONG_TEXT_LIMIT),
            management_address=addresses.get(suffix), local_if_index=local_idx,
        ))
    return tuple(out)


async def read_cdp(host: SnmpHost, ep: Endpoint, table: NeighborTable, ports: PortMap,
                   max_rep: int) -> tuple[Neighbor, ...]:
    walked = await walk_columns(host, ep, list(table.columns.values()), max_rep)
    cdp = _columns(walked.columns, table.columns)
    out = []
    for suffix in sorted({s for col in cdp.values() for s in col}):
        get = {key: col.get(suffix) for key, col in cdp.items()}
        if_index = suffix[0] if len(suffix) == 2 else None
        address = None
        raw = decode.raw_bytes(get.get("address"))
        if decode.integer(get.get("address_type")) == CDP_IP and raw:
            address = decode.address_from_bytes(raw)
        device_id = decode.text(get.get("device_id"))
        out.append(Neighbor(
            local_port=ports.name(if_index) or "", protocol=NeighborProtocol.CDP,
            chassis_id=device_id, chassis_id_kind=IdKind.LOCAL,
            port_id=decode.text(get.get("device_port")), port_id_kind=IdKind.LOCAL,
            system_name=device_id, system_description=decode.text(get.get("version"), decode.LONG_TEXT_LIMIT),
            management_address=address, local_if_index=if_index if if_index in ports.names else None,
            platform=decode.text(get.get("platform")),
        ))
    return tuple(out)


READERS = {"lldp": read_lldp, "cdp": read_cdp}
