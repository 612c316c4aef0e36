"""Export the declared inventory as the same YAML (or CSV) document that ``import`` reads.

The document is canonical (entities sorted by name, link ends in normalised order, defaults
omitted) so that export → import into an empty database → export gives identical text. Secrets
are written only as references: ``{env: NAME}`` / ``{file: PATH}``; an encrypted literal becomes
a placeholder ``{env: NETOPS_SECRET_<CREDENTIAL>_<FIELD>}`` with a warning, never its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from inventory.geo import RoutePoint, route_from_json, route_length_m
from inventory.models import Credential, Device, Interface, Link, Site
from inventory.spec import POLL_INTERVALS

HEADER = "# netops inventory (exported); secrets are references, never values\n"


@dataclass
class ExportResult:
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != {}}


def placeholder_name(credential: str, field_name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", f"NETOPS_SECRET_{credential}_{field_name}".upper()).strip("_")


def _secret(cred: Credential, field_name: str, warnings: list[str]) -> dict[str, str] | None:
    stored = getattr(cred, field_name)
    if not stored:
        return None
    for kind in ("env", "file"):
        if stored.startswith(kind + ":"):
            return {kind: stored[len(kind) + 1:]}
    name = placeholder_name(cred.name, field_name)
    warnings.append(f"credential {cred.name}: {field_name} is stored encrypted and is not exported; "
                    f"written as {{env: {name}}}, set that variable before importing elsewhere")
    return {"env": name}


def _version(value: str | None) -> str | int | None:
    return int(value) if value in ("1", "3") else value


def _credential(cred: Credential, warnings: list[str]) -> dict[str, Any]:
    if cred.type == "ssh":
        return _compact({"type": "ssh", "username": cred.username,
                         "password": _secret(cred, "password", warnings), "key_file": cred.key_file,
                         "enable_secret": _secret(cred, "enable_secret", warnings)})
    if cred.snmp_version != "3":
        return _compact({"type": "snmp", "version": _version(cred.snmp_version),
                         "community": _secret(cred, "community", warnings)})
    auth = _compact({"protocol": cred.auth_protocol, "key": _secret(cred, "auth_key", warnings)})
    priv = _compact({"protocol": cred.priv_protocol, "key": _secret(cred, "priv_key", warnings)})
    return _compact({"type": "snmp", "version": 3, "user": cred.username, "auth": auth, "priv": priv})


def _site(site: Site) -> dict[str, Any]:
    location = _compact({"lat": site.latitude, "lon": site.longitude})
    contact = _compact({"name": site.contact_name, "phone": site.contact_phone})
    return _compact({"name": site.name, "kind": site.kind, "address": site.address, "district": site.district,
                     "location": location, "contact": contact, "notes": site.notes})


def _device(dev: Device, names: dict[int, str], sites: dict[int, str]) -> dict[str, Any]:
    intervals = _compact({k: getattr(dev, f"{k}_interval_s") for k in POLL_INTERVALS})
    return _compact({
        "name": dev.name, "address": dev.address,
        "snmp_port": dev.snmp_port if dev.snmp_port != 161 else None,
        "ssh_port": dev.ssh_port if dev.ssh_port != 22 else None,
        "site": sites.get(dev.site_id) if dev.site_id is not None else None,
        "role": dev.role, "platform": dev.platform,
        "snmp": names.get(dev.snmp_credential_id) if dev.snmp_credential_id is not None else None,
        "ssh": names.get(dev.ssh_credential_id) if dev.ssh_credential_id is not None else None,
        "enabled": None if dev.enabled else False,
        "poll_intervals": intervals, "poll_group": dev.poll_group, "notes": dev.notes,
    })


def _device_locations(session: Session) -> dict[str, tuple[float, float]]:
    stmt = select(Device.name, Site.latitude, Site.longitude).join(Site, Device.site_id == Site.id)
    rows = session.execute(stmt)
    return {name: (lat, lon) for name, lat, lon in rows if lat is not None and lon is not None}


def _route_length(route: list[RoutePoint], start: tuple[float, float] | None,
                  end: tuple[float, float] | None) -> float | None:
    return route_length_m(start, route, end) if route and start and end else None


def _links(session: Session) -> list[dict[str, Any]]:
    ia, ib = aliased(Interface), aliased(Interface)
    da, db = aliased(Device), aliased(Device)
    stmt = (select(Link, da.name, ia.name, db.name, ib.name)
            .join(ia, Link.a_interface_id == ia.id).join(da, ia.device_id == da.id)
            .join(ib, Link.b_interface_id == ib.id).join(db, ib.device_id == db.id)
            .where(Link.declared.is_(True)))
    located = _device_locations(session)
    out = []
    for link, a_dev, a_port, b_dev, b_port in session.execute(stmt):
        route = list(route_from_json(link.route))
        if (b_dev, b_port) < (a_dev, a_port):
            (a_dev, a_port), (b_dev, b_port) = (b_dev, b_port), (a_dev, a_port)
            route.reverse()
        length = link.length_m
        if length is not None and length == _route_length(route, located.get(a_dev), located.get(b_dev)):
            length = None  # the length the route gives: left for import to compute again
        out.append(_compact({"a": f"{a_dev}:{a_port}", "b": f"{b_dev}:{b_port}", "medium": link.medium,
                             "length_m": _num(length), "notes": link.notes,
                             "route": [p.as_json() for p in route] or None}))
    return sorted(out, key=lambda item: (item["a"], item["b"]))


def export_document(session: Session) -> ExportResult:
    """The declared inventory as a plain dict in the import format (no secret values)."""
    warnings: list[str] = []
    creds = list(session.scalars(select(Credential).order_by(Credential.name)))
    sites = list(session.scalars(select(Site).order_by(Site.name)))
    cred_names = {c.id: c.name for c in creds}
    site_names = {s.id: s.name for s in sites}
    doc: dict[str, Any] = {
        "credentials": {c.name: _credential(c, warnings) for c in creds},
        "sites": [_site(s) for s in sites],
        "devices": [_device(d, cred_names, site_names)
                    for d in session.scalars(select(Device).order_by(Device.name))],
        "links": _links(session),
    }
    return ExportResult(doc, warnings)


_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _flow(value: Any) -> str:
    text: str = yaml.dump(value, Dumper=_DUMPER, default_flow_style=True, sort_keys=False, allow_unicode=True,
                          width=2**31 - 1)
    return text.strip()


def to_yaml(doc: dict[str, Any]) -> str:
    """One entity per line (flow mappings), like the README example; valid YAML for ``import``."""
    lines = [HEADER.rstrip("\n")]
    lines.append("credentials:" + ("" if doc["credentials"] else " {}"))
    lines += [f"  {_flow({name: body})[1:-1]}" for name, body in doc["credentials"].items()]
    for section in ("sites", "devices", "links"):
        lines.append(f"{section}:" + ("" if doc[section] else " []"))
        lines += [f"  - {_flow(item)}" for item in doc[section]]
    return "\n".join(lines) + "\n"
