"""FACTS: the system group (one GET) plus ENTITY-MIB model/serial and vendor patterns.

The system group also picks the profile when the inventory does not name one: the most
specific profile for the answered sysObjectID / sysDescr wins (``ProfileSet.match``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from collectors.errors import SnmpError
from collectors.observations import DeviceFacts, ErrorKind
from collectors.profiles.schema import Profile
from collectors.snmp import decode
from collectors.snmp.session import Endpoint, SnmpHost, status_error
from collectors.snmp.walk import oid_tuple, walk_columns

CHASSIS_CLASS = 3  # ENTITY-MIB PhysicalClass chassis(3)


@dataclass(frozen=True, slots=True)
class SystemGroup:
    sys_name: str
    sys_descr: str
    sys_object_id: str
    sys_location: str
    sys_contact: str
    uptime_s: float | None


async def read_system(host: SnmpHost, ep: Endpoint, oids: Mapping[str, str]) -> SystemGroup:
    """GET the system group; NO_SUCH_OBJECT when the agent has none of it."""
    fields = list(oids)
    status, index, var_binds = await host.get(ep, [oids[f] for f in fields])
    if status:
        raise status_error(status, index)
    by_oid = {oid: value for oid, value in var_binds}
    values = {f: by_oid.get(oid_tuple(oids[f])) for f in fields}
    if all(decode.is_missing(v) for v in values.values()):
        raise SnmpError(ErrorKind.NO_SUCH_OBJECT, "agent has no system group (SNMPv2-MIB)")
    return SystemGroup(
        sys_name=decode.text(values.get("sys_name")),
        sys_descr=decode.text(values.get("sys_descr"), decode.LONG_TEXT_LIMIT),
        sys_object_id=decode.oid_text(values.get("sys_object_id")),
        sys_location=decode.text(values.get("sys_location")),
        sys_contact=decode.text(values.get("sys_contact")),
        uptime_s=decode.timeticks_s(values.get("sys_uptime")),
    )


@dataclass(frozen=True, slots=True)
class EntityInfo:
    model: str | None = None
    serial: str | None = None
    software: str | None = None


async def read_entity(host: SnmpHost, ep: Endpoint, profile: Profile, max_rep: int) -> EntityInfo:
    """Model, serial and software of the first chassis in ENTITY-MIB (empty when absent)."""
    wanted = [profile.entity[k] for k in ("class", "model", "serial", "software_rev") if k in profile.entity]
    if len(wanted) < 2 or "class" not in profile.entity:
        return EntityInfo()
    walked = (await walk_columns(host, ep, wanted, max_rep)).columns
    classes = walked[profile.entity["class"]]
    column = {k: walked.get(profile.entity.get(k, ""), {}) for k in ("model", "serial", "software_rev")}
    for index in sorted(classes):
        if decode.integer(classes[index]) != CHASSIS_CLASS:
            continue
        model = decode.text(column["model"].get(index)) or None
        serial = decode.text(column["serial"].get(index)) or None
        if model or serial:
            return EntityInfo(model, serial, decode.text(column["software_rev"].get(index)) or None)
    return EntityInfo()


def build_facts(system: SystemGroup, profile: Profile, entity: EntityInfo) -> DeviceFacts:
    """Combine the system group, ENTITY-MIB and the profile's sysDescr patterns."""
    model = entity.model or _pattern(profile.model_pattern, system.sys_descr)
    version = _pattern(profile.version_pattern, system.sys_descr) or entity.software
    return DeviceFacts(
        sys_name=system.sys_name, sys_descr=system.sys_descr, sys_object_id=system.sys_object_id,
        sys_location=system.sys_location, sys_contact=system.sys_contact, uptime_s=system.uptime_s,
        vendor=profile.vendor, model=model, serial=entity.serial, os_version=version,
        hostname=system.sys_name or None,
    )


def _pattern(pattern: object, text: str) -> str | None:
    import re

    if not isinstance(pattern, re.Pattern):
        return None
    found = pattern.search(text)
    if not found:
        return None
    value = found.groupdict().get("value") or (found.group(1) if found.groups() else found.group(0))
    return decode.clean_text(value, 100) or None
