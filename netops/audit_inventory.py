"""What an inventory import changed, object by object, for the audit log.

``snapshot`` reads the declared inventory (credentials, sites, devices, links) as plain values
keyed by name, before and after the import in the same transaction; ``record_import`` writes one
entry with, per kind, the objects created (their values) and, for each object updated, only the
fields that changed (before and after). Credential secrets go through ``netops.audit.redact`` like
every value, so they appear only as ``(set)``/``(changed)``/``(unchanged)``/``(removed)``;
a stored secret is a reference or ciphertext anyway, never the clear value.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from inventory.models import AuditEntry, Credential, Device, Interface, Link, Site
from inventory.upsert import ImportReport
from netops.audit import record_change

Snapshot = dict[str, dict[str, dict[str, Any]]]
MAX_OBJECTS = 500  # per kind and outcome; past it only the names are listed (a first import of a city)
_SITE = ("kind", "address", "district", "latitude", "longitude", "contact_name", "contact_phone", "notes")
_DEVICE = ("address", "snmp_port", "ssh_port", "role", "platform", "enabled", "status_interval_s",
           "counters_interval_s", "discovery_interval_s", "ssh_interval_s", "poll_group", "notes")
_CREDENTIAL = ("type", "snmp_version", "community", "username", "auth_protocol", "auth_key", "priv_protocol",
               "priv_key", "password", "key_file", "enable_secret")
_LINK = ("medium", "length_m", "declared", "notes")


def _values(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def snapshot(session: Session) -> Snapshot:
    """The declared inventory as {kind: {name: {field: value}}} (what an import may change)."""
    names = {key: name for key, name in session.execute(select(Credential.id, Credential.name))}
    sites = {key: name for key, name in session.execute(select(Site.id, Site.name))}
    out: Snapshot = {
        "credentials": {c.name: _values(c, _CREDENTIAL) for c in session.scalars(select(Credential))},
        "sites": {s.name: _values(s, _SITE) for s in session.scalars(select(Site))},
        "devices": {
            d.name: {**_values(d, _DEVICE), "site": sites.get(d.site_id) if d.site_id else None,
                     "snmp_credential": names.get(d.snmp_credential_id) if d.snmp_credential_id else None,
                     "ssh_credential": names.get(d.ssh_credential_id) if d.ssh_credential_id else None}
            for d in session.scalars(select(Device))
        },
        "links": {},
    }
    a_if, b_if, a_dev, b_dev = aliased(Interface), aliased(Interface), aliased(Device), aliased(Device)
    query = (select(Link, a_dev.name, a_if.name, b_dev.name, b_if.name)
             .join(a_if, Link.a_interface_id == a_if.id).join(a_dev, a_if.device_id == a_dev.id)
             .join(b_if, Link.b_interface_id == b_if.id).join(b_dev, b_if.device_id == b_dev.id))
    for link, a_device, a_port, b_device, b_port in session.execute(query).tuples():
        out["links"][f"{a_device}:{a_port}--{b_device}:{b_port}"] = _values(link, _LINK)
    return out


def _capped(objects: dict[str, Any]) -> dict[str, Any] | list[str]:
    return objects if len(objects) <= MAX_OBJECTS else sorted(objects)


def changes(before: Snapshot, after: Snapshot) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of what differs: created objects only after, updated ones field by field."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for kind, objects in after.items():
        was = before.get(kind, {})
        created = {name: values for name, values in objects.items() if name not in was}
        updated_old: dict[str, Any] = {}
        updated_new: dict[str, Any] = {}
        for name, values in objects.items():
            if name in was and values != was[name]:
                fields = [f for f in values if values[f] != was[name].get(f)]
                updated_old[name] = {f: was[name].get(f) for f in fields}
                updated_new[name] = {f: values[f] for f in fields}
        if created:
            new.setdefault(kind, {})["created"] = _capped(created)
        if updated_new:
            old.setdefault(kind, {})["updated"] = _capped(updated_old)
            new.setdefault(kind, {})["updated"] = _capped(updated_new)
    return old, new


def record_import(session: Session, file: str, report: ImportReport, before: Snapshot) -> AuditEntry | None:
    """One entry for an import that wrote something (a dry run or an unchanged file: none)."""
    totals = report.totals
    if report.dry_run or not (totals["created"] or totals["updated"]):
        return None
    old, new = changes(before, snapshot(session))
    new["totals"] = {"created": totals["created"], "updated": totals["updated"],
                     "unchanged": totals["unchanged"]}
    return record_change(session, "inventory.import", file, old or None, new)
