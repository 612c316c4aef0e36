"""Apply a validated ``InventoryDoc`` to the database: idempotent upserts with counts.

Entities are matched by name (links by their two ends); a field missing from the file resets
to its default, so the file is the whole truth about what it declares, while entities the file
does not mention are left alone. What a file declares is marked so (``role_source``,
``kind_source``): discovery infers roles and site kinds only where nobody declared them.
Literal secrets are sealed by the caller's ``SecretSealer`` (``inventory`` never encrypts or
decrypts anything itself). Observed data is never touched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.geo import route_to_json
from inventory.models import Credential, Device, Interface, Link, Site
from inventory.spec import (
    CREDENTIAL_PLAIN_FIELDS,
    DEVICE_FIELDS,
    SECRET_FIELDS,
    SITE_FIELDS,
    CredentialSpec,
    DeviceSpec,
    InventoryDoc,
    LinkSpec,
    SecretInput,
    SiteSpec,
)

log = logging.getLogger(__name__)
KINDS = ("credentials", "sites", "devices", "links")


class SecretSealer(Protocol):
    """Turns a literal secret into what may be stored (e.g. ``enc:<token>``), and compares."""

    def seal(self, value: str) -> str: ...

    def matches(self, stored: str, value: str) -> bool: ...


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(self, name).values()) for name in ("created", "updated", "unchanged")}

    def summary(self) -> str:
        t = self.totals
        parts = [f"{t['created']} created, {t['updated']} updated, {t['unchanged']} unchanged"]
        for kind in KINDS:
            parts.append(f"{kind}: {self.created[kind]}/{self.updated[kind]}/{self.unchanged[kind]}")
        prefix = "dry run (nothing written): " if self.dry_run else ""
        return prefix + parts[0] + " (" + "; ".join(parts[1:]) + " created/updated/unchanged)"


def _assign(row: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _by_name(session: Session, model: Any) -> dict[str, Any]:
    return {row.name: row for row in session.scalars(select(model))}


class _Applier:
    """Upserts with one query per table up front (a city inventory fits in memory easily)."""

    def __init__(self, session: Session, sealer: SecretSealer | None, report: ImportReport) -> None:
        self.session = session
        self.sealer = sealer
        self.report = report
        self.rows: dict[Any, dict[str, Any]] = {m: _by_name(session, m) for m in (Credential, Site, Device)}

    def upsert(self, model: Any, kind: str, name: str, values: dict[str, Any]) -> Any:
        row = self.rows[model].get(name)
        if row is None:
            row = model(name=name, **values)
            self.session.add(row)
            self.rows[model][name] = row
            self.report.count(kind, "created")
        elif _assign(row, values):
            self.report.count(kind, "updated")
        else:
            self.report.count(kind, "unchanged")
        return row

    def secret_value(self, stored: str | None, given: SecretInput | None) -> str | None:
        if given is None:
            return None
        if given.ref is not None:
            return given.ref
        literal = given.literal or ""
        if self.sealer is None:
            raise ValueError("a literal secret needs a sealer (netops encrypts it with the data-dir key)")
        if stored is not None and self.sealer.matches(stored, literal):
            return stored
        return self.sealer.seal(literal)

    def credential(self, spec: CredentialSpec) -> None:
        existing = self.rows[Credential].get(spec.name)
        values: dict[str, Any] = {name: getattr(spec, name) for name in CREDENTIAL_PLAIN_FIELDS}
        for name in SECRET_FIELDS:
            stored = getattr(existing, name) if existing is not None else None
            values[name] = self.secret_value(stored, getattr(spec, name))
        self.upsert(Credential, "credentials", spec.name, values)

    def site(self, spec: SiteSpec) -> None:
        values = {name: getattr(spec, name) for name in SITE_FIELDS}
        values["kind_source"] = "declared"  # discovery never replaces a kind the file gives
        self.upsert(Site, "sites", spec.name, values)

    def _id_of(self, model: Any, name: str | None) -> int | None:
        if name is None:
            return None
        row_id: int = self.rows[model][name].id
        return row_id

    def device(self, spec: DeviceSpec) -> None:
        values = {name: getattr(spec, name) for name in DEVICE_FIELDS}
        values["site_id"] = self._id_of(Site, spec.site)
        values["snmp_credential_id"] = self._id_of(Credential, spec.snmp)
        values["ssh_credential_id"] = self._id_of(Credential, spec.ssh)
        values["role_source"] = "declared"  # discovery never overwrites a role the file gives
        self.upsert(Device, "devices", spec.name, values)

    def links(self, specs: tuple[LinkSpec, ...]) -> None:
        """Create missing link-end interfaces by name, then upsert each link by its port pair."""
        ends = {(s.a_device, s.a_port) for s in specs} | {(s.b_device, s.b_port) for s in specs}
        device_ids = {self.rows[Device][device].id for device, _ in ends}
        ifaces = {(i.device_id, i.name): i
                  for i in self.session.scalars(select(Interface).where(Interface.device_id.in_(device_ids)))}
        for device, port in sorted(ends):
            key = (self.rows[Device][device].id, port)
            if key not in ifaces:
                ifaces[key] = Interface(device_id=key[0], name=port)
                self.session.add(ifaces[key])
        self.session.flush()
        existing = {(lk.a_interface_id, lk.b_interface_id): lk for lk in self.session.scalars(select(Link))}
        for spec in specs:
            a = ifaces[(self.rows[Device][spec.a_device].id, spec.a_port)]
            b = ifaces[(self.rows[Device][spec.b_device].id, spec.b_port)]
            low, high = sorted((a.id, b.id))
            route = list(spec.route) if (a.id, b.id) == (low, high) else list(spec.route[::-1])
            values = {"medium": spec.medium, "length_m": spec.length_m, "notes": spec.notes, "declared": True,
                      "route": route_to_json(route)}
            row = existing.get((low, high))
            if row is None:
                self.session.add(Link(a_interface_id=low, b_interface_id=high, source="declared", **values))
                self.report.count("links", "created")
            elif _assign(row, values):
                self.report.count("links", "updated")
            else:
                self.report.count("links", "unchanged")


def apply_inventory(session: Session, doc: InventoryDoc, sealer: SecretSealer | None = None) -> ImportReport:
    """Upsert everything ``doc`` declares (in the caller's transaction) and count the outcome."""
    report = ImportReport(warnings=list(doc.warnings))
    with session.no_autoflush:
        applier = _Applier(session, sealer, report)
        for credential in doc.credentials:
            applier.credential(credential)
        for site in doc.sites:
            applier.site(site)
        session.flush()
        for device in doc.devices:
            applier.device(device)
        session.flush()
        if doc.links:
            applier.links(doc.links)
        session.flush()
    log.info("inventory applied: %s", report.summary())
    return report
