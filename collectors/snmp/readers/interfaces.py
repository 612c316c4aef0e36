"""INTERFACES and COUNTERS: IF-MIB columns to ``InterfaceState`` / ``CounterSample``.

The interface name (ifName, else ifDescr, else ``ifIndex N``) is the join key, so a
``PortMap`` (ifIndex -> unique name) is built here and reused by the neighbor and optics
readers. Speed follows the IF-MIB rule LibreNMS also uses: ifHighSpeed x 10^6 when the agent
has ifHighSpeed, else ifSpeed; 0 means unknown. Counters prefer the 64-bit ifHC columns and
fall back per interface to the 32-bit ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from collectors.errors import SnmpError
from collectors.observations import AdminStatus, CounterSample, ErrorKind, InterfaceState, OperStatus
from collectors.profiles.schema import Profile
from collectors.snmp import decode
from collectors.snmp.session import Endpoint, Oid, SnmpHost
from collectors.snmp.walk import WalkResult, walk_columns

NAME_LIMIT = 100


@dataclass
class PortMap:
    """ifIndex -> interface name (unique per device), plus what LLDP port matching needs."""

    names: dict[int, str] = field(default_factory=dict)
    descrs: dict[int, str] = field(default_factory=dict)
    macs: dict[int, str] = field(default_factory=dict)

    def name(self, if_index: int | None) -> str | None:
        return self.names.get(if_index) if if_index is not None else None


def _index(suffix: Oid) -> int | None:
    return suffix[0] if len(suffix) == 1 else None


def column(walked: Mapping[str, Mapping[Oid, object]], oids: Mapping[str, str],
           key: str) -> dict[int, object]:
    """One walked column by field name, keyed by ifIndex (rows with odd indexes dropped)."""
    oid = oids.get(key)
    rows = walked.get(oid, {}) if oid else {}
    out: dict[int, object] = {}
    for suffix, value in rows.items():
        idx = _index(suffix)
        if idx is not None:
            out[idx] = value
    return out


def build_port_map(names: Mapping[int, object], descrs: Mapping[int, object],
                   macs: Mapping[int, object] | None = None) -> PortMap:
    """Unique names: ifName, else ifDescr, else 'ifIndex N'; a repeated name gets '#ifIndex'."""
    ports = PortMap()
    seen: set[str] = set()
    for idx in sorted(set(names) | set(descrs)):
        descr = decode.text(descrs.get(idx), NAME_LIMIT)
        name = decode.text(names.get(idx), NAME_LIMIT) or descr or f"ifIndex {idx}"
        if name in seen:
            name = f"{name[: NAME_LIMIT - 12]}#{idx}"
        seen.add(name)
        ports.names[idx] = name
        ports.descrs[idx] = descr
        found_mac = decode.mac((macs or {}).get(idx))
        if found_mac:
            ports.macs[idx] = found_mac
    return ports


def speed_bps(high_speed: object, speed: object, has_high_speed: bool) -> int | None:
    """ifHighSpeed (Mbit/s) when the agent has the column, else ifSpeed; 0 -> None."""
    if has_high_speed:
        mbps = decode.non_negative(high_speed)
        if mbps is not None:
            return mbps * 1_000_000 or None
    bps = decode.non_negative(speed)
    return bps or None


def _status(value: object, mapping: Mapping[int, str], enum: type[OperStatus] | type[AdminStatus]) -> str:
    number = decode.integer(value)
    name = mapping.get(number) if number is not None else None
    try:
        return enum(name) if name else enum("unknown")
    except ValueError:
        return enum("unknown")


async def walk_interfaces(host: SnmpHost, ep: Endpoint, profile: Profile, max_rep: int, *,
                          detail: bool, scalars: tuple[str, ...] = (), names: bool = True) -> WalkResult:
    oids = dict(profile.interfaces.status)
    if not names:
        del oids["name"]
    if detail:
        oids.update(profile.interfaces.detail)
    return await walk_columns(host, ep, list(oids.values()), max_rep, scalars, profile.interfaces.row_count)


def require_rows(walked: WalkResult, anchor: str) -> None:
    """A device that announces interfaces (ifNumber.0 > 0) but whose walk found no row
    (noSuchObject, an immediate endOfMibView) sent a broken answer, not an empty table."""
    if walked.row_hint and anchor and not walked.columns.get(anchor):
        raise SnmpError(ErrorKind.MALFORMED, f"interface table empty although ifNumber.0 = {walked.row_hint}")


async def ensure_names(host: SnmpHost, ep: Endpoint, profile: Profile, walked: WalkResult,
                       max_rep: int, anchor: str) -> None:
    """Devices without ifXTable (no ifName rows): walk ifDescr so every row gets a name."""
    name_oid = profile.interfaces.status["name"]
    descr_oid = profile.interfaces.detail.get("descr")
    if walked.columns.get(name_oid) or not walked.columns.get(anchor) or not descr_oid:
        return
    if not walked.columns.get(descr_oid):
        walked.columns[descr_oid] = (await walk_columns(host, ep, [descr_oid], max_rep)).columns[descr_oid]


def parse_interfaces(walked: WalkResult, profile: Profile) -> tuple[tuple[InterfaceState, ...], PortMap]:
    cols = profile.interfaces
    oids = {**cols.status, **cols.detail}
    w = walked.columns
    get = {key: column(w, oids, key) for key in oids}
    ports = build_port_map(get["name"], get.get("descr", {}), get.get("mac"))
    has_high = bool(get.get("high_speed"))
    states = []
    for idx, name in ports.names.items():
        if_type = decode.integer(get.get("if_type", {}).get(idx))
        states.append(InterfaceState(
            name=name, if_index=idx, descr=ports.descrs.get(idx, ""),
            alias=decode.text(get.get("alias", {}).get(idx)),
            if_type=cols.if_type_map.get(if_type, str(if_type)) if if_type is not None else None,
            speed_bps=speed_bps(get.get("high_speed", {}).get(idx), get.get("speed", {}).get(idx), has_high),
            mtu=decode.non_negative(get.get("mtu", {}).get(idx)),
            mac=ports.macs.get(idx),
            admin_status=AdminStatus(_status(get.get("admin_status", {}).get(idx), cols.admin_status_map,
                                             AdminStatus)),
            oper_status=OperStatus(_status(get.get("oper_status", {}).get(idx), cols.oper_status_map,
                                           OperStatus)),
            last_change_s=decode.timeticks_s(get.get("last_change", {}).get(idx)),
        ))
    return tuple(states), ports


COUNTER_MAIN = ("in_octets_hc", "out_octets_hc", "in_errors", "out_errors", "in_discards", "out_discards",
                "high_speed", "speed")


async def read_counters(host: SnmpHost, ep: Endpoint, profile: Profile, max_rep: int,
                        uptime_oid: str) -> tuple[tuple[CounterSample, ...], PortMap, float | None]:
    """Counters of every interface, 64-bit where the agent has them, with sysUpTime."""
    oids = {k: profile.counters[k] for k in COUNTER_MAIN if k in profile.counters}
    name_oid = profile.interfaces.status["name"]
    walked = await walk_columns(host, ep, [name_oid, *oids.values()], max_rep, (uptime_oid,),
                                profile.interfaces.row_count)
    uptime = decode.timeticks_s(walked.scalars[0][1]) if walked.scalars else None
    anchor = oids.get("in_errors") or oids.get("speed") or ""
    require_rows(walked, anchor)
    await ensure_names(host, ep, profile, walked, max_rep, anchor)
    w = walked.columns
    get = {key: column(w, oids, key) for key in oids}
    ports = build_port_map(column(w, {"n": name_oid}, "n"),
                           column(w, {"d": profile.interfaces.detail.get("descr", "")}, "d"))
    missing_hc = [i for i in ports.names if decode.non_negative(get.get("in_octets_hc", {}).get(i)) is None]
    low: dict[str, dict[int, object]] = {}
    if missing_hc and "in_octets" in profile.counters:
        low_oids: dict[str, str] = {k: profile.counters[k] for k in ("in_octets", "out_octets")
                                    if k in profile.counters}
        low_walk = await walk_columns(host, ep, list(low_oids.values()), max_rep,
                                      row_hint=profile.interfaces.row_count)
        low = {k: column(low_walk.columns, low_oids, k) for k in low_oids}
    has_high = bool(get.get("high_speed"))
    samples = []
    for idx, name in ports.names.items():
        hc = idx not in missing_hc
        src = get if hc else low
        key_in, key_out = ("in_octets_hc", "out_octets_hc") if hc else ("in_octets", "out_octets")
        samples.append(CounterSample(
            name=name, if_index=idx,
            in_octets=decode.non_negative(src.get(key_in, {}).get(idx)),
            out_octets=decode.non_negative(src.get(key_out, {}).get(idx)),
            in_errors=decode.non_negative(get.get("in_errors", {}).get(idx)),
            out_errors=decode.non_negative(get.get("out_errors", {}).get(idx)),
            in_discards=decode.non_negative(get.get("in_discards", {}).get(idx)),
            out_discards=decode.non_negative(get.get("out_discards", {}).get(idx)),
            counter_bits=64 if hc else 32,
            speed_bps=speed_bps(get.get("high_speed", {}).get(idx), get.get("speed", {}).get(idx), has_high),
            uptime_s=uptime,
        ))
    return tuple(samples), ports, uptime


def age_last_change(state: InterfaceState, uptime_s: float | None) -> InterfaceState:
    """ifLastChange is sysUpTime-relative; report it as seconds before the poll instead."""
    if state.last_change_s is None or uptime_s is None:
        return replace(state, last_change_s=None)
    return replace(state, last_change_s=max(0.0, uptime_s - state.last_change_s))
