"""Typed profile records and the key schema the strict loader validates YAML against.

A profile is data: which OIDs each poll kind reads, how values map to names, which optical
tables a vendor has and how to scale them. The loader (``loader.py``) turns validated YAML
into these frozen records; readers in ``collectors/snmp`` only ever see the records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

OID_RE = re.compile(r"^[0-2](\.\d+)+$")

# Field names readers understand, per section. Anything else in a profile is an error.
SYSTEM_FIELDS = ("sys_descr", "sys_object_id", "sys_uptime", "sys_contact", "sys_name", "sys_location")
ENTITY_FIELDS = ("class", "descr", "name", "software_rev", "serial", "model", "contained_in", "alias_mapping")
STATUS_FIELDS = ("name", "admin_status", "oper_status", "last_change")
DETAIL_FIELDS = ("descr", "alias", "if_type", "mtu", "speed", "high_speed", "mac")
COUNTER_FIELDS = (
    "in_octets_hc", "out_octets_hc", "in_octets", "out_octets", "in_errors", "out_errors",
    "in_discards", "out_discards", "speed", "high_speed",
)
NEIGHBOR_LAYOUTS = ("lldp", "cdp")
NEIGHBOR_FIELDS = {
    "lldp": ("chassis_id_subtype", "chassis_id", "port_id_subtype", "port_id", "port_descr",
             "sys_name", "sys_descr"),
    "cdp": ("address_type", "address", "version", "device_id", "device_port", "platform"),
}
LOCAL_PORT_FIELDS = ("port_id_subtype", "port_id", "port_descr")
OPTIC_LAYOUTS = ("per_port", "entity_sensor")
OPTIC_VALUES = ("rx", "tx", "rx_low_alarm", "rx_high_alarm", "temperature")
TRANSFORMS = ("none", "uw_to_dbm", "mw_to_dbm")
SENSOR_COLUMNS = ("type", "scale", "precision", "value")
THRESHOLD_COLUMNS = ("relation", "value")


@dataclass(frozen=True, slots=True)
class Match:
    """How a device is recognised: sysObjectID prefixes and/or a sysDescr regex."""

    sys_object_id: tuple[str, ...] = ()
    sys_descr: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class InterfaceColumns:
    status: dict[str, str]
    detail: dict[str, str]
    oper_status_map: dict[int, str]
    admin_status_map: dict[int, str]
    if_type_map: dict[int, str]
    row_count: str | None = None


@dataclass(frozen=True, slots=True)
class NeighborTable:
    """One neighbor table (LLDP-MIB lldpRemTable, CISCO-CDP-MIB cdpCacheTable) as data."""

    name: str
    layout: str
    columns: dict[str, str]
    local_ports: dict[str, str] = field(default_factory=dict)
    management_addresses: str | None = None


@dataclass(frozen=True, slots=True)
class SensorValue:
    """One optical value column: raw / divisor, then an optional transform to dBm."""

    oid: str
    divisor: float = 1.0
    transform: str = "none"
    absent_values: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class OpticTable:
    """A vendor optical table (``per_port``: indexed by ifIndex, optional lane) or ENTITY sensors."""

    name: str
    layout: str
    values: dict[str, SensorValue] = field(default_factory=dict)
    sensor_columns: dict[str, str] = field(default_factory=dict)
    threshold_columns: dict[str, str] = field(default_factory=dict)
    index_lane: bool = False
    index_entity: bool = False
    sensor_type_dbm: int = 14
    rx_pattern: re.Pattern[str] | None = None
    tx_pattern: re.Pattern[str] | None = None
    lane_pattern: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    source: str
    vendor: str | None
    platform: str | None
    match: Match
    specificity: int
    system: dict[str, str]
    version_pattern: re.Pattern[str] | None
    model_pattern: re.Pattern[str] | None
    entity: dict[str, str]
    interfaces: InterfaceColumns
    counters: dict[str, str]
    neighbors: tuple[NeighborTable, ...]
    optics: tuple[OpticTable, ...]
    extends: str | None = None


# The key schema: dict = mapping with exactly these keys; "oid"/"str"/"regex"/... = leaf types;
# ("map", leaf) = free keys of one leaf type; ("names", spec) = free names each matching spec.
SENSOR_SPEC: dict[str, Any] = {"oid": "oid", "divisor": "number", "transform": "transform",
                               "absent_values": "int_list"}
SCHEMA: dict[str, Any] = {
    "name": "str",
    "extends": "str?",
    "vendor": "str?",
    "platform": "str?",
    "match": {"sys_object_id": "oid_list", "sys_descr": "regex?"},
    "version_pattern": "regex?",
    "model_pattern": "regex?",
    "system": ("fields", SYSTEM_FIELDS, "oid"),
    "entity": ("fields", ENTITY_FIELDS, "oid"),
    "interfaces": {
        "status": ("fields", STATUS_FIELDS, "oid"),
        "detail": ("fields", DETAIL_FIELDS, "oid"),
        "oper_status_map": ("map", "str"),
        "admin_status_map": ("map", "str"),
        "if_type_map": ("map", "str"),
        "row_count": "oid?",
    },
    "counters": ("fields", COUNTER_FIELDS, "oid"),
    "neighbors": ("names", {
        "layout": "neighbor_layout",
        "columns": ("fields", tuple(sorted({f for fs in NEIGHBOR_FIELDS.values() for f in fs})), "oid"),
        "local_ports": ("fields", LOCAL_PORT_FIELDS, "oid"),
        "management_addresses": "oid?",
    }),
    "optics": ("names", {
        "layout": "optic_layout",
        "values": ("fields", OPTIC_VALUES, SENSOR_SPEC),
        "sensor_columns": ("fields", SENSOR_COLUMNS, "oid"),
        "threshold_columns": ("fields", THRESHOLD_COLUMNS, "oid"),
        "index_lane": "bool",
        "index_entity": "bool",
        "sensor_type_dbm": "int",
        "rx_pattern": "regex?",
        "tx_pattern": "regex?",
        "lane_pattern": "regex?",
    }),
}
