"""Inventory files uploaded in the browser: staged in a private temp file between dry run and confirm.

An upload is written to ``<data_dir>/uploads/<random>.yaml|.csv`` (directory mode 0700), checked
with a dry run of ``inventory.files.import_inventory_file``, and kept only until the engineer
confirms it (then applied and deleted) or an hour has passed (deleted by the next upload). The
browser only ever holds the random token, never the file (which may contain literal secrets).
Credentials are admin-only: a non-admin's upload imports everything else and ignores them (with
a warning); an admin's may name only the environment variables and files that the settings
``[secrets] env_prefixes`` / ``file_dirs`` allow, never netops's own secrets.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from inventory.files import import_inventory_file
from inventory.policy import ImportPolicy
from inventory.spec import InventoryError
from inventory.upsert import KINDS, ImportReport
from netops.audit_inventory import record_import, snapshot
from netops.encryption import FernetSealer
from netops.secret_policy import ReferencePolicy
from netops.settings import Settings

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024  # the file plus the multipart envelope
STALE_AFTER_S = 3600
SUFFIXES = {".yaml": ".yaml", ".yml": ".yaml", ".csv": ".csv"}
_TOKEN_CHARS = frozenset("0123456789abcdef")


class UploadError(Exception):
    """An upload that cannot be staged or applied (wrong type, gone, expired)."""


@dataclass(frozen=True, slots=True)
class ProblemView:
    line: int
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """Counts per kind (created, updated, unchanged) or the located problems; warnings either way."""

    rows: tuple[tuple[str, int, int, int], ...] = ()
    totals: tuple[int, int, int] = (0, 0, 0)
    warnings: tuple[str, ...] = ()
    problems: tuple[ProblemView, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def upload_dir(settings: Settings) -> Path:
    path = Path(settings.data_dir) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def suffix_for(filename: str) -> str:
    """``.yaml`` or ``.csv`` from the uploaded name; ``UploadError`` for anything else."""
    suffix = SUFFIXES.get(Path(filename).suffix.lower())
    if suffix is None:
        raise UploadError(filename)
    return suffix


def stage(settings: Settings, data: bytes, suffix: str) -> str:
    """Write the upload to a private file; returns its token (the file name without suffix)."""
    directory = upload_dir(settings)
    purge_stale(directory)
    token = secrets.token_hex(16)
    fd = os.open(directory / f"{token}{suffix}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return token


def staged_path(settings: Settings, token: str) -> Path:
    """The staged file of ``token``; ``UploadError`` when the token is malformed or the file gone."""
    if len(token) != 32 or not set(token) <= _TOKEN_CHARS:
        raise UploadError(token)
    for suffix in set(SUFFIXES.values()):
        path = upload_dir(settings) / f"{token}{suffix}"
        if path.is_file():
            return path
    raise UploadError(token)


def discard(settings: Settings, token: str) -> None:
    with contextlib.suppress(UploadError):
        staged_path(settings, token).unlink(missing_ok=True)


def purge_stale(directory: Path, now: float | None = None) -> None:
    limit = (time.time() if now is None else now) - STALE_AFTER_S
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def upload_policy(settings: Settings, *, admin: bool) -> ImportPolicy:
    """Admins write credentials within the allow-lists; everyone else's credentials are ignored."""
    return ImportPolicy(credentials=admin, guard=ReferencePolicy(settings, restricted=True))


def run_import(
    session: Session, settings: Settings, path: Path, *, dry_run: bool, shown_as: str, admin: bool
) -> ImportOutcome:
    """Import (or dry-run) the staged file in ``session``; the caller commits a real import.

    Warnings and problems name the file ``shown_as`` (the uploaded name), never the staging path.
    """
    before = None if dry_run else snapshot(session)
    try:
        report = import_inventory_file(session, path, FernetSealer(settings), dry_run=dry_run,
                                       policy=upload_policy(settings, admin=admin))
    except InventoryError as exc:
        session.rollback()
        return ImportOutcome(problems=tuple(ProblemView(p.line, p.field, _shown(p.message, path, shown_as))
                                            for p in exc.problems))
    if before is not None:
        record_import(session, shown_as, report, before)
    return _outcome(report, str(path), shown_as)


def _shown(text: str, path: Path, shown_as: str) -> str:
    """``text`` with the private staging path (and its directory) replaced by the uploaded name."""
    return text.replace(str(path), shown_as).replace(str(path.parent), "(upload)")


def _outcome(report: ImportReport, path: str, shown_as: str) -> ImportOutcome:
    totals = report.totals
    return ImportOutcome(
        rows=tuple((k, report.created[k], report.updated[k], report.unchanged[k]) for k in KINDS),
        totals=(totals["created"], totals["updated"], totals["unchanged"]),
        warnings=tuple(w.replace(path, shown_as) for w in report.warnings),
    )
