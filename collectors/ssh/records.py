"""Parsed rows -> the observation records of ``collectors.observations``, by field map.

A platform file maps each observation field to a column (or JSON path) with optional
converters, a value map and a default; this module applies that map and coerces each value to
the field's type (int, float, the enums, optional text). Nothing here knows a vendor. A value
that cannot be coerced becomes the field's "unknown" (None, ``UNKNOWN``, ``OTHER``), and text
from the device is kept verbatim but with control characters removed, so a hostile sysName or
port description never breaks a record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from collectors.observations import (
    AdminStatus,
    DeviceFacts,
    IdKind,
    InterfaceState,
    Neighbor,
    NeighborProtocol,
    OperStatus,
    OpticalReading,
)
from collectors.ssh.convert import CONVERTERS, to_float, to_int
from collectors.ssh.parse import Row, lookup
from collectors.ssh.platform import CommandSpec, FieldSpec

_ENUMS: dict[str, tuple[type[Any], Any]] = {
    "admin_status": (AdminStatus, AdminStatus.UNKNOWN),
    "oper_status": (OperStatus, OperStatus.UNKNOWN),
    "chassis_id_kind": (IdKind, IdKind.OTHER),
    "port_id_kind": (IdKind, IdKind.OTHER),
}
_INTS = frozenset({"if_index", "speed_bps", "mtu", "local_if_index", "lane"})
_FLOATS = frozenset(
    {
        "uptime_s",
        "last_change_s",
        "rx_dbm",
        "tx_dbm",
        "rx_low_alarm_dbm",
        "rx_high_alarm_dbm",
        "temperature_c",
    }
)
_OPTIONAL_TEXT = frozenset(
    {"vendor", "model", "serial", "os_version", "hostname", "if_type", "mac", "management_address"}
)


def clean_text(value: Any) -> str:
    """Device text as one printable string: lists joined, control characters dropped."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return "".join(ch if ch.isprintable() else " " for ch in str(value)).strip()


def field_value(spec: FieldSpec, row: Row) -> Any:
    """One field's raw value: column or constant, converters, map, default."""
    value: Any = spec.value if spec.column is None else lookup(row, spec.column)
    for name in spec.convert:
        value = CONVERTERS[name](value)
    if spec.value_map is not None and value is not None:
        key = clean_text(value).lower()
        value = spec.value_map.get(key, spec.value_map.get("*", spec.default))
    if value is None or value == "" or value == []:
        value = spec.default
    return value


def _coerce(name: str, value: Any) -> Any:
    if name in _ENUMS:
        enum, unknown = _ENUMS[name]
        try:
            return enum(clean_text(value))
        except ValueError:
            return unknown
    if name in _INTS:
        return value if isinstance(value, int) and not isinstance(value, bool) else to_int(value)
    if name in _FLOATS:
        return (
            float(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else to_float(value)
        )
    text = clean_text(value)
    if name in _OPTIONAL_TEXT:
        return text or None
    return text


def row_fields(fields: Mapping[str, FieldSpec], row: Row) -> dict[str, Any]:
    """All mapped fields of one row, coerced to their observation types."""
    return {name: _coerce(name, field_value(spec, row)) for name, spec in fields.items()}


def explode(spec: CommandSpec, rows: Iterable[Row]) -> list[Row]:
    """One row per item of the ``explode`` list column (a QSFP's lanes), other lists indexed alike."""
    if spec.explode is None:
        return list(rows)
    out: list[Row] = []
    for row in rows:
        items = row.get(spec.explode)
        if not isinstance(items, list) or not items:
            out.append(row)
            continue
        n = len(items)
        for i in range(n):
            out.append({k: (v[i] if isinstance(v, list) and len(v) == n else v) for k, v in row.items()})
    return out


def facts(spec: CommandSpec, rows: Iterable[Row]) -> DeviceFacts | None:
    for row in rows:
        values = row_fields(spec.fields, row)
        values.setdefault("sys_name", "")
        return DeviceFacts(**values)
    return None


def interfaces(spec: CommandSpec, rows: Iterable[Row]) -> list[InterfaceState]:
    states = (InterfaceState(**row_fields(spec.fields, row)) for row in rows)
    return [s for s in states if s.name]


def neighbors(spec: CommandSpec, rows: Iterable[Row]) -> list[Neighbor]:
    protocol = NeighborProtocol(spec.protocol or "lldp")
    found = (Neighbor(protocol=protocol, **row_fields(spec.fields, row)) for row in rows)
    return [n for n in found if n.local_port and (n.chassis_id or n.system_name)]


def optics(spec: CommandSpec, rows: Iterable[Row]) -> list[OpticalReading]:
    readings = (OpticalReading(**row_fields(spec.fields, row)) for row in explode(spec, rows))
    return [r for r in readings if r.port]


def merge_facts(parts: Iterable[DeviceFacts | None]) -> DeviceFacts | None:
    """Facts from several commands, the first non-empty value of each field winning."""
    merged: dict[str, Any] = {}
    for part in parts:
        if part is None:
            continue
        for name in part.__slots__:
            value = getattr(part, name)
            if value not in (None, "") and name not in merged:
                merged[name] = value
    if not merged:
        return None
    merged.setdefault("sys_name", merged.get("hostname") or "")
    return DeviceFacts(**merged)
