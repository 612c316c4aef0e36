"""Turn one validated, merged profile mapping into the frozen ``schema.Profile`` record."""

from __future__ import annotations

import re
from typing import Any

from collectors.errors import ProfileError
from collectors.profiles import schema as s


def _oids(section: Any) -> dict[str, str]:
    return {k: v.lstrip(".") for k, v in (section or {}).items() if v is not None}


def _regex(value: str | None) -> re.Pattern[str] | None:
    return re.compile(value) if value else None


def _neighbor(name: str, data: dict[str, Any], source: str) -> s.NeighborTable:
    layout = data.get("layout")
    if layout not in s.NEIGHBOR_LAYOUTS:
        raise ProfileError(source, f"neighbors.{name}.layout", "missing")
    columns = _oids(data.get("columns"))
    unknown = set(columns) - set(s.NEIGHBOR_FIELDS[layout])
    if unknown:
        raise ProfileError(source, f"neighbors.{name}.columns.{sorted(unknown)[0]}",
                           f"not a column of the {layout} layout")
    man = data.get("management_addresses")
    return s.NeighborTable(name=name, layout=layout, columns=columns,
                           local_ports=_oids(data.get("local_ports")),
                           management_addresses=man.lstrip(".") if man else None)


def _optic(name: str, data: dict[str, Any], source: str) -> s.OpticTable:
    layout = data.get("layout")
    if layout not in s.OPTIC_LAYOUTS:
        raise ProfileError(source, f"optics.{name}.layout", "missing")
    values = {
        key: s.SensorValue(oid=v["oid"].lstrip("."), divisor=float(v.get("divisor") or 1),
                           transform=v.get("transform") or "none",
                           absent_values=tuple(v.get("absent_values") or ()))
        for key, v in (data.get("values") or {}).items() if v
    }
    for key, v in (data.get("values") or {}).items():
        if v and "oid" not in v:
            raise ProfileError(source, f"optics.{name}.values.{key}.oid", "missing")
    sensor_columns = _oids(data.get("sensor_columns"))
    if layout == "entity_sensor" and set(sensor_columns) != set(s.SENSOR_COLUMNS):
        raise ProfileError(source, f"optics.{name}.sensor_columns", f"needs {', '.join(s.SENSOR_COLUMNS)}")
    if layout == "per_port" and not values:
        raise ProfileError(source, f"optics.{name}.values", "needs at least one value column")
    return s.OpticTable(
        name=name, layout=layout, values=values, sensor_columns=sensor_columns,
        threshold_columns=_oids(data.get("threshold_columns")),
        index_lane=bool(data.get("index_lane", False)),
        index_entity=bool(data.get("index_entity", False)),
        sensor_type_dbm=int(data.get("sensor_type_dbm", 14)),
        rx_pattern=_regex(data.get("rx_pattern")), tx_pattern=_regex(data.get("tx_pattern")),
        lane_pattern=_regex(data.get("lane_pattern")),
    )


def _interfaces(data: dict[str, Any], source: str) -> s.InterfaceColumns:
    status = _oids(data.get("status"))
    for required in ("name", "oper_status"):
        if required not in status:
            raise ProfileError(source, f"interfaces.status.{required}", "missing")
    return s.InterfaceColumns(
        status=status, detail=_oids(data.get("detail")),
        oper_status_map={int(k): str(v) for k, v in (data.get("oper_status_map") or {}).items()},
        admin_status_map={int(k): str(v) for k, v in (data.get("admin_status_map") or {}).items()},
        if_type_map={int(k): str(v) for k, v in (data.get("if_type_map") or {}).items()},
        row_count=str(data["row_count"]).lstrip(".") if data.get("row_count") else None,
    )


def build_profile(data: dict[str, Any], source: str, depth: int) -> s.Profile:
    """Build the record; ``depth`` (extends chain length) breaks ties between equal matches."""
    system = _oids(data.get("system"))
    for required in ("sys_name", "sys_descr", "sys_object_id", "sys_uptime"):
        if required not in system:
            raise ProfileError(source, f"system.{required}", "missing")
    match = data.get("match") or {}
    return s.Profile(
        name=data["name"], source=source, vendor=data.get("vendor"), platform=data.get("platform"),
        match=s.Match(sys_object_id=tuple(o.lstrip(".") for o in match.get("sys_object_id") or ()),
                      sys_descr=_regex(match.get("sys_descr"))),
        specificity=depth, system=system,
        version_pattern=_regex(data.get("version_pattern")), model_pattern=_regex(data.get("model_pattern")),
        entity=_oids(data.get("entity")), interfaces=_interfaces(data.get("interfaces") or {}, source),
        counters=_oids(data.get("counters")),
        neighbors=tuple(_neighbor(k, v, source) for k, v in (data.get("neighbors") or {}).items() if v),
        optics=tuple(_optic(k, v, source) for k, v in (data.get("optics") or {}).items() if v),
        extends=data.get("extends"),
    )
