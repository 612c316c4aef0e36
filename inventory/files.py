"""Inventory files in and out: read + validate a YAML/CSV file completely, then import or export.

``read_inventory`` parses and validates the whole file and raises ``InventoryError`` with every
problem (file:line, field) before anything is written; ``import_inventory_file`` applies a valid
file in the caller's transaction (rolled back for a dry run); ``export_inventory`` renders the
database as YAML or CSV that imports back to the same database content.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.csvio import read_csv, to_csv
from inventory.export import export_document, to_yaml
from inventory.fields import Reader
from inventory.models import Credential, Device, Site
from inventory.policy import TRUSTED, ImportPolicy
from inventory.spec import InventoryDoc, InventoryError, KnownNames, Problem
from inventory.upsert import ImportReport, SecretSealer, apply_inventory
from inventory.validation import validate_document
from inventory.yamlsrc import YamlSyntaxError, load_located

FORMATS = ("yaml", "csv")


def known_names(session: Session) -> KnownNames:
    """Names already in the database, which an inventory file may refer to."""
    return KnownNames(
        sites=frozenset(session.scalars(select(Site.name))),
        devices=frozenset(session.scalars(select(Device.name))),
        credentials={name: kind for name, kind in session.execute(select(Credential.name, Credential.type))},
        site_locations={name: (lat, lon) for name, lat, lon in session.execute(
            select(Site.name, Site.latitude, Site.longitude)) if lat is not None and lon is not None},
        device_sites={name: site for name, site in session.execute(
            select(Device.name, Site.name).join(Site, Device.site_id == Site.id))},
    )


def parse_inventory(text: str, file: str, known: KnownNames | None = None, base_dir: Path | None = None,
                    fmt: str = "yaml", policy: ImportPolicy = TRUSTED) -> InventoryDoc:
    """Validate inventory text under ``policy``; ``InventoryError`` lists every problem."""
    raw: Any
    if fmt == "csv":
        reader = Reader(file)
        raw = read_csv(text, reader)
        if reader.problems:
            doc, problems = validate_document(raw, file, known, base_dir, policy)
            raise InventoryError(sorted(reader.problems + problems, key=lambda p: p.line))
    else:
        try:
            raw = load_located(text)
        except YamlSyntaxError as exc:
            raise InventoryError([Problem(file, exc.line, "", exc.message)]) from None
    doc, problems = validate_document(raw, file, known, base_dir, policy)
    if problems:
        raise InventoryError(sorted(problems, key=lambda p: p.line))
    return doc


def read_inventory(path: str | Path, known: KnownNames | None = None,
                   policy: ImportPolicy = TRUSTED) -> InventoryDoc:
    """Read and validate an inventory file (``.csv`` = CSV, anything else = YAML)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # no newline translation: a quoted CR stays a CR
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 text ({exc.reason})"
        raise InventoryError([Problem(str(path), 0, "", f"cannot read: {reason}")]) from None
    fmt = "csv" if path.suffix.lower() == ".csv" else "yaml"
    return parse_inventory(text, str(path), known, path.resolve().parent, fmt, policy)


def import_inventory_file(session: Session, path: str | Path, sealer: SecretSealer | None = None,
                          dry_run: bool = False, policy: ImportPolicy = TRUSTED) -> ImportReport:
    """Validate the whole file under ``policy``, then upsert it; a dry run reports and rolls back."""
    doc = read_inventory(path, known_names(session), policy)
    if doc.credentials and not policy.credentials:  # the validator never lets this happen
        raise InventoryError([Problem(str(path), 0, "credentials", "credentials are admin-only")])
    report = apply_inventory(session, doc, sealer)
    if dry_run:
        session.rollback()
        report.dry_run = True
    return report


@dataclass(frozen=True)
class ExportedText:
    text: str
    warnings: tuple[str, ...]


def export_inventory(session: Session, fmt: str = "yaml") -> ExportedText:
    """The declared inventory as YAML or CSV text (secrets only as references)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of: {', '.join(FORMATS)})")
    result = export_document(session)
    text = to_yaml(result.document) if fmt == "yaml" else to_csv(result.document)
    return ExportedText(text, tuple(result.warnings))
