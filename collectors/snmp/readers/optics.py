"""OPTICS: transceiver light levels in dBm, from vendor per-port tables or ENTITY sensors.

Two layouts, both data in the profiles:
- ``per_port``: a vendor table indexed by ifIndex (optionally ``ifIndex.lane``) whose columns
  are raw numbers; value = raw / divisor, then ``transform`` (``uw_to_dbm``: Huawei reports
  microwatts, dBm = 10*log10(uW / 1000)). Raw values listed in ``absent_values`` mean "no
  transceiver" and are dropped.
- ``entity_sensor``: ENTITY-SENSOR-MIB (or CISCO-ENTITY-SENSOR-MIB, same columns) sensors of
  type dBm, value x 10^(3*(scale-9)) / 10^precision; the port is the sensor's ENTITY-MIB
  parent mapped to an ifIndex by entAliasMappingTable, Rx/Tx and lane from the sensor's name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from collectors.observations import OpticalReading
from collectors.profiles.schema import OpticTable, Profile, SensorValue
from collectors.snmp import decode
from collectors.snmp.readers.interfaces import PortMap
from collectors.snmp.session import Endpoint, Oid, SnmpHost
from collectors.snmp.walk import walk_columns

UNITS_SCALE = 9  # EntitySensorDataScale units(9)
DBM_FLOOR = -60.0


def uw_to_dbm(microwatts: float) -> float | None:
    return 10 * math.log10(microwatts / 1000) if microwatts > 0 else None


def mw_to_dbm(milliwatts: float) -> float | None:
    return 10 * math.log10(milliwatts) if milliwatts > 0 else None


TRANSFORMS = {"uw_to_dbm": uw_to_dbm, "mw_to_dbm": mw_to_dbm}


def convert(raw: object, spec: SensorValue) -> float | None:
    number = decode.integer(raw)
    if number is None or number in spec.absent_values:
        return None
    value: float | None = number / spec.divisor
    if spec.transform in TRANSFORMS and value is not None:
        value = TRANSFORMS[spec.transform](value)
    return round(value, 3) if value is not None and value > DBM_FLOOR else None


def _readings(found: Mapping[tuple[int, int | None], dict[str, float | None]],
              ports: PortMap) -> list[OpticalReading]:
    out = []
    for (if_index, lane), values in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        if values.get("rx") is None and values.get("tx") is None:
            continue
        if all(v == 0 for v in values.values() if v is not None) and len(values) > 2:
            continue  # an empty cage: every column of the row reads 0 (Junos jnxDomCurrentTable)
        out.append(OpticalReading(
            port=ports.name(if_index) or f"ifIndex {if_index}", if_index=if_index, lane=lane,
            rx_dbm=values.get("rx"), tx_dbm=values.get("tx"),
            rx_low_alarm_dbm=values.get("rx_low_alarm"), rx_high_alarm_dbm=values.get("rx_high_alarm"),
            temperature_c=values.get("temperature"),
        ))
    return out


async def read_per_port(host: SnmpHost, ep: Endpoint, table: OpticTable, profile: Profile,
                        ports: PortMap, max_rep: int) -> list[OpticalReading]:
    walked = (await walk_columns(host, ep, [v.oid for v in table.values.values()], max_rep)).columns
    if not any(walked.values()):
        return []
    entities = await _entity_names(host, ep, profile, ports, max_rep) if table.index_entity else None
    found: dict[tuple[int, int | None], dict[str, float | None]] = {}
    for key, spec in table.values.items():
        for suffix, raw in walked[spec.oid].items():
            if len(suffix) != (2 if table.index_lane else 1):
                continue
            lane = suffix[1] if table.index_lane else None
            if_index = entities.if_index(suffix[0]) if entities else suffix[0]
            if if_index is None:
                continue
            value = convert(raw, spec) if key != "temperature" else _plain(raw, spec)
            found.setdefault((if_index, lane), {})[key] = value
    return _readings(found, ports)


def _plain(raw: object, spec: SensorValue) -> float | None:
    number = decode.integer(raw)
    return None if number is None or number in spec.absent_values else round(number / spec.divisor, 3)


def sensor_value(value: object, scale: object, precision: object) -> float | None:
    raw = value if isinstance(value, int) else decode.integer(value)
    sc, pr = decode.integer(scale), decode.integer(precision)
    if raw is None:
        return None
    result = raw * 10.0 ** (3 * ((sc or UNITS_SCALE) - UNITS_SCALE)) / 10.0 ** max(0, pr or 0)
    return round(result, 3) if result > DBM_FLOOR else None


async def read_entity_sensors(host: SnmpHost, ep: Endpoint, table: OpticTable, profile: Profile,
                              ports: PortMap, max_rep: int) -> list[OpticalReading]:
    cols = table.sensor_columns
    walked = (await walk_columns(host, ep, [cols["type"], cols["scale"], cols["precision"], cols["value"]],
                                 max_rep)).columns
    dbm = [s for s, t in walked[cols["type"]].items()
           if decode.integer(t) == table.sensor_type_dbm and len(s) == 1]
    if not dbm:
        return []
    entity = await _entity_names(host, ep, profile, ports, max_rep)
    limits = await _thresholds(host, ep, table, max_rep)
    found: dict[tuple[int, int | None], dict[str, float | None]] = {}
    for suffix in dbm:
        sensor = suffix[0]
        name = entity.label(sensor)
        direction = "rx" if table.rx_pattern and table.rx_pattern.search(name) else (
            "tx" if table.tx_pattern and table.tx_pattern.search(name) else None)
        if_index = entity.if_index(sensor)
        if direction is None or if_index is None:
            continue
        lane_match = table.lane_pattern.search(name) if table.lane_pattern else None
        lane = int(lane_match.group(1)) if lane_match else None
        scale, precision = walked[cols["scale"]].get(suffix), walked[cols["precision"]].get(suffix)
        values = found.setdefault((if_index, lane), {})
        values[direction] = sensor_value(walked[cols["value"]].get(suffix), scale, precision)
        if direction == "rx" and sensor in limits:
            below, above = limits[sensor]
            values["rx_low_alarm"] = sensor_value(below, scale, precision) if below is not None else None
            values["rx_high_alarm"] = sensor_value(above, scale, precision) if above is not None else None
    return _readings(found, ports)


BELOW, ABOVE = (1, 2), (3, 4)  # CISCO-ENTITY-SENSOR-MIB SensorThresholdRelation


async def _thresholds(host: SnmpHost, ep: Endpoint, table: OpticTable,
                      max_rep: int) -> dict[int, tuple[int | None, int | None]]:
    """sensor -> (lowest "below" threshold, highest "above" threshold), raw values."""
    cols = table.threshold_columns
    if set(cols) != {"relation", "value"}:
        return {}
    walked = (await walk_columns(host, ep, [cols["relation"], cols["value"]], max_rep)).columns
    below: dict[int, list[int]] = {}
    above: dict[int, list[int]] = {}
    for suffix, relation in walked[cols["relation"]].items():
        raw, kind = decode.integer(walked[cols["value"]].get(suffix)), decode.integer(relation)
        if len(suffix) == 2 and raw is not None and kind in (*BELOW, *ABOVE):
            (below if kind in BELOW else above).setdefault(suffix[0], []).append(raw)
    return {s: (min(below[s]) if s in below else None, max(above[s]) if s in above else None)
            for s in set(below) | set(above)}


@dataclass
class _Entities:
    """ENTITY-MIB rows needed to put a sensor on a port."""

    labels: dict[int, str]
    names: dict[int, str]
    parents: dict[int, int]
    aliases: dict[int, int]
    by_port_name: dict[str, int]

    def label(self, index: int) -> str:
        return self.labels.get(index, "")

    def if_index(self, index: int) -> int | None:
        """The ifIndex of the entity or its nearest ancestor: entAliasMapping, else a port
        whose ifName/ifDescr equals the entity's entPhysicalName (IE3200 has no alias rows)."""
        for _ in range(8):
            if not index:
                return None
            if index in self.aliases:
                return self.aliases[index]
            if self.names.get(index) in self.by_port_name:
                return self.by_port_name[self.names[index]]
            index = self.parents.get(index, 0)
        return None


IF_INDEX_OID = "1.3.6.1.2.1.2.2.1.1"  # IF-MIB::ifIndex, the target of entAliasMappingIdentifier


async def _entity_names(host: SnmpHost, ep: Endpoint, profile: Profile, ports: PortMap,
                        max_rep: int) -> _Entities:
    e = profile.entity
    oids = [e[k] for k in ("name", "descr", "contained_in", "alias_mapping") if k in e]
    walked = (await walk_columns(host, ep, oids, max_rep)).columns

    def col(key: str) -> Mapping[Oid, object]:
        return walked.get(e.get(key, ""), {})

    names = {s[0]: decode.text(v) for s, v in col("name").items() if s}
    labels = {s[0]: f"{names.get(s[0], '')} {decode.text(v)}" for s, v in col("descr").items() if s}
    parents = {s[0]: decode.integer(v) or 0 for s, v in col("contained_in").items() if s}
    aliases: dict[int, int] = {}
    for s, v in col("alias_mapping").items():
        target = decode.oid_text(v).rsplit(".", 1)
        if s and len(target) == 2 and target[0] == IF_INDEX_OID and target[1].isdigit():
            aliases.setdefault(s[0], int(target[1]))
    by_port = {d: i for i, d in ports.descrs.items() if d} | {n: i for i, n in ports.names.items()}
    return _Entities(labels, names, parents, aliases, by_port)


async def read_optics(host: SnmpHost, ep: Endpoint, profile: Profile, ports: PortMap,
                      max_rep: int) -> tuple[OpticalReading, ...]:
    readings: list[OpticalReading] = []
    for table in profile.optics:
        if table.layout == "per_port":
            readings += await read_per_port(host, ep, table, profile, ports, max_rep)
        else:
            readings += await read_entity_sensors(host, ep, table, profile, ports, max_rep)
    return tuple(readings)
