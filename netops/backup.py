"""Backups of an installation: one archive with a consistent database snapshot and the keys.

``netops backup`` writes a gzip tar (mode 0600) holding ``netops.db`` (SQLite's online backup
API: consistent while the service writes, WAL included), the keys of the data directory
(``secret.key`` decrypts the stored credentials: without it a restored database cannot reach a
single device; ``web-secret.key`` keeps web sessions valid) and ``ssh/known_hosts``, plus a
``manifest.json`` with each file's SHA-256 and the schema revision. The archive is therefore as
sensitive as the data directory itself. With PostgreSQL the archive holds the keys only and the
database is dumped with ``pg_dump`` (``pg_dump_command`` says how).

``restore`` verifies before it touches anything (only known names, checksums, the SQLite
``integrity_check``, a netops schema revision), refuses to replace an existing database or key
unless forced, moves each file into place atomically and upgrades an older schema to this
version's.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shlex
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from inventory.db import current_revision, make_engine, normalise_url, upgrade_schema
from netops import __version__
from netops.settings import Settings

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "netops.db"
KEY_FILES = ("secret.key", "web-secret.key", "ssh/known_hosts")  # relative to the data directory
KNOWN = frozenset({MANIFEST, DATABASE, *KEY_FILES})


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and nothing was changed."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    files: tuple[str, ...]
    revision: str | None
    database_included: bool


@dataclass(frozen=True, slots=True)
class RestoreResult:
    data_dir: Path
    files: tuple[str, ...]
    revision_in_backup: str | None
    revision_now: str | None


def sqlite_path(settings: Settings) -> Path | None:
    """The SQLite file of the configured database, or None for a server database."""
    url = make_url(normalise_url(settings.effective_database_url))
    if url.get_backend_name() != "sqlite":
        return None
    return Path(url.database) if url.database and url.database != ":memory:" else None


def pg_dump_command(settings: Settings, out: str = "netops.pgdump") -> str:
    """The ``pg_dump`` line for the configured PostgreSQL database (password left to PGPASSWORD
    or ~/.pgpass, never on the command line)."""
    url = make_url(normalise_url(settings.effective_database_url))
    parts = ["pg_dump", "--format=custom", f"--file={out}"]
    if url.host:
        parts.append(f"--host={url.host}")
    if url.port:
        parts.append(f"--port={url.port}")
    if url.username:
        parts.append(f"--username={url.username}")
    parts.append(url.database or "netops")
    return shlex.join(parts)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _snapshot(database: Path, into: Path) -> None:
    """Copy the live database page by page with SQLite's backup API (a consistent snapshot)."""
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(into)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _revision_of(database: Path) -> str | None:
    engine = make_engine(f"sqlite:///{database}")
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def create_backup(settings: Settings, out: Path, *, force: bool = False) -> BackupResult:
    """Write the archive to ``out`` (0600); an existing file is replaced only with ``force``."""
    if out.exists() and not force:
        raise BackupError(f"{out} exists; choose another name or use --force")
    data_dir = Path(settings.data_dir)
    database = sqlite_path(settings)
    members: dict[str, bytes] = {}
    revision = None
    with tempfile.TemporaryDirectory(prefix="netops-backup-") as tmp:
        if database is not None:
            if not database.is_file():
                raise BackupError(f"no netops database at {database}; nothing to back up")
            snap = Path(tmp) / DATABASE
            _snapshot(database, snap)
            revision = _revision_of(snap)
            members[DATABASE] = snap.read_bytes()
        for name in KEY_FILES:
            path = data_dir / name
            if path.is_file():
                members[name] = path.read_bytes()
    manifest = {
        "format": FORMAT,
        "netops_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schema_revision": revision,
        "database": DATABASE if database is not None else None,
        "files": {name: _sha256(data) for name, data in members.items()},
    }
    _write_archive(out, {MANIFEST: json.dumps(manifest, indent=2).encode(), **members})
    return BackupResult(out, tuple(members), revision, database is not None)


def _write_archive(out: Path, members: dict[str, bytes]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
                tar.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)
        os.replace(partial, out)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


@dataclass(frozen=True, slots=True)
class Verified:
    manifest: dict[str, object]
    members: dict[str, bytes]


def verify_archive(archive: Path) -> Verified:
    """Read and check the archive: known names only, checksums, an intact netops database."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members: dict[str, bytes] = {}
            for info in tar.getmembers():
                if info.name not in KNOWN or not info.isfile():
                    raise BackupError(f"{archive}: unexpected entry {info.name[:100]!r}: not a netops backup")
                handle = tar.extractfile(info)
                assert handle is not None
                members[info.name] = handle.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc})") from None
    if MANIFEST not in members:
        raise BackupError(f"{archive}: no {MANIFEST}: not a netops backup")
    try:
        manifest = json.loads(members.pop(MANIFEST))
        files = dict(manifest["files"])
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{archive}: unreadable {MANIFEST}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: backup format {manifest.get('format')!r}, this version reads {FORMAT}")
    if set(files) != set(members):
        raise BackupError(f"{archive}: the files do not match the manifest")
    for name, data in members.items():
        if _sha256(data) != files[name]:
            raise BackupError(f"{archive}: {name} is damaged (checksum mismatch)")
    if DATABASE in members:
        _check_database(archive, members[DATABASE])
    return Verified(manifest, members)


def _check_database(archive: Path, data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="netops-verify-") as tmp:
        path = Path(tmp) / DATABASE
        path.write_bytes(data)
        try:
            connection = sqlite3.connect(path)
            try:
                ok = connection.execute("PRAGMA integrity_check").fetchone()
            finally:
                connection.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{archive}: the database is not SQLite ({exc})") from None
        if not ok or ok[0] != "ok":
            raise BackupError(f"{archive}: the database fails its integrity check")
        if _revision_of(path) is None:
            raise BackupError(f"{archive}: the database has no netops schema")


def restore_backup(settings: Settings, archive: Path, *, force: bool = False) -> RestoreResult:
    """Verify, then put the archive's files in the data directory (replacing only with ``force``)
    and upgrade the restored schema to this version's. Stop the service first."""
    found = verify_archive(archive)
    database = sqlite_path(settings)
    data_dir = Path(settings.data_dir)
    if DATABASE in found.members and database is None:
        raise BackupError("the backup holds a SQLite database but this installation uses PostgreSQL "
                          "(restore that with pg_restore; the keys: restore into a SQLite data directory)")
    targets = {name: (database if name == DATABASE and database is not None else data_dir / name)
               for name in found.members}
    existing = [str(path) for path in targets.values() if path.exists()]
    if existing and not force:
        raise BackupError(f"would replace {', '.join(existing)}; stop the service and use --force")
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, data in found.members.items():
        target = targets[name]
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restoring")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if name == DATABASE:  # the old database's journal must not be replayed onto the new one
            for suffix in ("-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    target.with_name(target.name + suffix).unlink()
        os.replace(partial, target)
    revision_now = None
    if database is not None and DATABASE in found.members:
        upgrade_schema(f"sqlite:///{database}")
        revision_now = _revision_of(database)
    revision = found.manifest.get("schema_revision")
    return RestoreResult(data_dir, tuple(found.members), str(revision) if revision else None, revision_now)
