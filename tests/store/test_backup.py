"""``netops backup`` / ``netops restore`` on real SQLite files, and ``netops init`` upgrading a
database an earlier release created.

The backup is taken while another thread keeps writing (the snapshot must still be consistent
and contain every committed row up to the copy); the restored key must decrypt the restored
credentials; a damaged or foreign archive and an occupied data directory are refused with the
data directory untouched.
"""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import tarfile
import threading
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select, text

from cli import main
from inventory.db import current_revision, make_engine, session_scope, upgrade_schema
from inventory.models import Credential, Site
from netops.encryption import decrypt, encrypt
from netops.settings import load_settings


def _env(data_dir: Path) -> dict[str, str]:
    return {"NETOPS_DATA_DIR": str(data_dir), "NETOPS_CONFIG": ""}


def _init_with_secret(data_dir: Path) -> str:
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=_env(data_dir)).exit_code == 0
    settings = load_settings(environ=_env(data_dir))
    engine = make_engine(settings.effective_database_url)
    try:
        with session_scope(engine) as s:
            s.add(Credential(name="snmp-city", type="snmp", snmp_version="2c",
                             community=encrypt("s3cret-community", settings)))
    finally:
        engine.dispose()
    return "s3cret-community"


def test_backup_while_writing_restores_data_and_the_key_that_decrypts_it(tmp_path: Path) -> None:
    source, target, archive = tmp_path / "a", tmp_path / "b", tmp_path / "out" / "netops.tar.gz"
    clear = _init_with_secret(source)
    settings = load_settings(environ=_env(source))
    engine = make_engine(settings.effective_database_url)
    stop, written = threading.Event(), []

    def writer() -> None:  # the service keeps writing during the backup
        n = 0
        while not stop.is_set() and n < 5000:
            with session_scope(engine) as s:
                s.add(Site(name=f"site-{n}", kind="school"))
            written.append(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:  # some rows exist before the backup starts
            thread.join(0.01)
        result = CliRunner().invoke(main, ["backup", "-o", str(archive)], env=_env(source))
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    assert result.exit_code == 0, result.output
    assert "secret key" in result.output and "0600" in result.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    restored = CliRunner().invoke(main, ["restore", str(archive)], env=_env(target))
    assert restored.exit_code == 0, restored.output
    target_settings = load_settings(environ=_env(target))
    engine = make_engine(target_settings.effective_database_url)
    try:
        with session_scope(engine) as s:
            names = set(s.scalars(select(Site.name)))
            community = s.scalar(select(Credential.community).where(Credential.name == "snmp-city"))
        assert current_revision(engine) is not None
    finally:
        engine.dispose()
    # consistent: the sites are a gap-free prefix of what was written (no torn transaction)
    numbers = sorted(int(n.split("-")[1]) for n in names)
    assert len(numbers) >= 20 and numbers == list(range(len(numbers)))
    assert community is not None and decrypt(community, target_settings) == clear
    assert stat.S_IMODE((target / "secret.key").stat().st_mode) == 0o600


def test_restore_refuses_to_replace_without_force(tmp_path: Path) -> None:
    source, target, archive = tmp_path / "a", tmp_path / "b", tmp_path / "netops.tar.gz"
    _init_with_secret(source)
    runner = CliRunner()
    assert runner.invoke(main, ["backup", "-o", str(archive)], env=_env(source)).exit_code == 0
    assert runner.invoke(main, ["backup", "-o", str(archive)], env=_env(source)).exit_code != 0  # exists
    assert runner.invoke(main, ["init"], env=_env(target)).exit_code == 0
    key_before = (target / "secret.key").read_bytes()
    refused = runner.invoke(main, ["restore", str(archive)], env=_env(target))
    assert refused.exit_code != 0 and "--force" in refused.output
    assert (target / "secret.key").read_bytes() == key_before
    forced = runner.invoke(main, ["restore", "--force", str(archive)], env=_env(target))
    assert forced.exit_code == 0, forced.output
    assert (target / "secret.key").read_bytes() == (source / "secret.key").read_bytes()


def _rewrite(archive: Path, out: Path, change: dict[str, bytes]) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    members.update(change)
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_damaged_or_foreign_archives_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    source, archive = tmp_path / "a", tmp_path / "netops.tar.gz"
    _init_with_secret(source)
    runner = CliRunner()
    assert runner.invoke(main, ["backup", "-o", str(archive)], env=_env(source)).exit_code == 0
    tampered, foreign, junk = tmp_path / "tampered.tar.gz", tmp_path / "foreign.tar.gz", tmp_path / "junk"
    _rewrite(archive, tampered, {"secret.key": b"not the key\n"})
    _rewrite(archive, foreign, {"../etc/passwd": b"x"})
    junk.write_bytes(os.urandom(512))
    for bad, words in ((tampered, "checksum"), (foreign, "unexpected entry"), (junk, "not a readable")):
        target = tmp_path / f"restore-{bad.name}"
        result = runner.invoke(main, ["restore", str(bad)], env=_env(target))
        assert result.exit_code != 0 and words in result.output, result.output
        assert not target.exists() or not any(target.iterdir())


def test_init_upgrades_a_database_created_by_an_earlier_release(tmp_path: Path) -> None:
    """A database made by the migrations up to 0005 (an earlier release) with data in it: ``netops
    init`` of this version brings it to head and every row survives."""
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    database = data_dir / "netops.db"
    upgrade_schema(f"sqlite:///{database}", "0005")
    with sqlite3.connect(database) as old:  # written with plain SQL, as the old release would
        old.execute("INSERT INTO sites (id, name, kind, kind_source, district, contact_name) "
                    "VALUES (1, 'SD Negeri 1', 'school', 'declared', 'Utara', 'Bu Sri')")
        old.execute("INSERT INTO devices (id, name, address, role, site_id, platform, enabled, source, "
                    "snmp_port, ssh_port) VALUES (1, 'acc-sd1', '10.0.0.1', 'access', 1, 'linux', 1, "
                    "'declared', 161, 22)")
    engine = make_engine(f"sqlite:///{database}")
    try:
        assert current_revision(engine) == "0005"
    finally:
        engine.dispose()

    result = CliRunner().invoke(main, ["init"], env=_env(data_dir))
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as c:
            head = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
            site = c.execute(text("SELECT name, kind, district, contact_name FROM sites")).one()
            device = c.execute(text("SELECT name, address, site_id FROM devices")).one()
    finally:
        engine.dispose()
    assert head != "0005" and f"schema revision {head}" in result.output
    assert tuple(site) == ("SD Negeri 1", "school", "Utara", "Bu Sri")
    assert tuple(device) == ("acc-sd1", "10.0.0.1", 1)
