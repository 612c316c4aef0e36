"""Apply a validated ``InventoryDoc`` to the database: idempotent upserts with counts.

Entities are matched by name (links by their two ends); a field missing from the file resets
to its default, so the file is the whole truth about what it declares, while entities the file
does not mention are left alone. Literal secrets are sealed by the caller's ``SecretSealer``
(``inventory`` never encrypts or decrypts anything itself). Observed data is never touched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

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


class _Applier:
    def __init__(self, session: Session, sealer: SecretSealer | None, report: ImportReport) -> None:
        self.session = session
        self.sealer = sealer
        self.report = report

    def upsert(self, model: Any, kind: str, name: str, values: dict[str, Any]) -> Any:
        row = self.session.scalar(select(model).where(model.name == name))
        if row is None:
            row = model(name=name, **values)
            self.session.add(row)
            self.report.count(kind, "created")
        elif _assign(row, values):
            self.report.count(kind, "updated")
        else:
            self.report.count(kind, "unchanged")
        self.session.flush()
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
        existing = self.session.scalar(select(Credential).where(Credential.name == spec.name))
        values: dict[str, Any] = {name: getattr(spec, name) for name in CREDENTIAL_PLAIN_FIELDS}
        for name in SECRET_FIELDS:
            stored = getattr(existing, name) if existing is not None else None
            values[name] = self.secret_value(stored, getattr(spec, name))
        self.upsert(Credential, "credentials", spec.name, values)

    def site(self, spec: SiteSpec) -> None:
        self.upsert(Site, "sites", spec.name, {name: getattr(spec, name) for name in SITE_FIELDS})

    def _id_of(self, model: Any, name: str | None) -> int | None:
        if name is None:
            return None
        row_id: int | None = self.session.scalar(select(model.id).where(model.name == name))
        return row_id

    def device(self, spec: DeviceSpec) -> None:
        values = {name: getattr(spec, name) for name in DEVICE_FIELDS}
        values["site_id"] = self._id_of(Site, spec.site)
        values["snmp_credential_id"] = self._id_of(Credential, spec.snmp)
        values["ssh_credential_id"] = self._id_of(Credential, spec.ssh)
        self.upsert(Device, "devices", spec.name, values)

    def interface(self, device: str, port: str) -> Interface:
        device_id = self._id_of(Device, device)
        iface = self.session.scalar(
            select(Interface).where(Interface.device_id == device_id, Interface.name == port))
        if iface is None:
            iface = Interface(device_id=device_id, name=port)
            self.session.add(iface)
            self.session.flush()
        return iface

    def link(self, spec: LinkSpec) -> None:
        a = self.interface(spec.a_device, spec.a_port)
        b = self.interface(spec.b_device, spec.b_port)
        low, high = sorted((a.id, b.id))
        row = self.session.scalar(select(Link).where(Link.a_interface_id == low, Link.b_interface_id == high))
        values = {"medium": spec.medium, "length_m": spec.length_m, "notes": spec.notes, "declared": True}
        if row is None:
            self.session.add(Link(a_interface_id=low, b_interface_id=high, source="declared", **values))
            self.report.count("links", "created")
        elif _assign(row, values):
            self.report.count("links", "updated")
        else:
            self.report.count("links", "unchanged")
        self.session.flush()


def apply_inventory(session: Session, doc: InventoryDoc, sealer: SecretSealer | None = None) -> ImportReport:
    """Upsert everything ``doc`` declares (in the caller's transaction) and count the outcome."""
    report = ImportReport(warnings=list(doc.warnings))
    applier = _Applier(session, sealer, report)
    for credential in doc.credentials:
        applier.credential(credential)
    for site in doc.sites:
        applier.site(site)
    for device in doc.devices:
        applier.device(device)
    for link in doc.links:
        applier.link(link)
    log.info("inventory applied: %s", report.summary())
    return report
