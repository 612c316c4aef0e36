"""The data directory is 0700 and every file in it 0600: no other local user reads the database.

The probe found ``netops.db`` and its -wal/-shm files 0644 in a 0755 directory, so any local user
could read password and token hashes. Checked on real files: ``netops init`` and a write through
the CLI, an engine opened by library code, an old installation tightened in place, an SSH poll
that records a host key and a session log, the demo's logins and control files.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from cli import main
from cli.demo_setup import demo_logins
from inventory.db import make_engine, upgrade_schema
from inventory.models import Credential, Device
from netops.runtime import open_database, private_umask, secure_data_dir
from netops.settings import load_settings
from simulator import control
from tests.support.hostile_ssh import PASSWORD, USERNAME, HostileServer


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Run each test under the common 022 umask, as a shell would, and check it is left as found."""
    previous = os.umask(0o022)
    try:
        yield
        assert os.umask(0o022) == 0o022, "a command left its umask behind"
    finally:
        os.umask(previous)


def _cli(data_dir: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    base = {"NETOPS_DATA_DIR": str(data_dir), "NETOPS_CONFIG": ""}
    return CliRunner().invoke(main, list(args), env={**base, **(env or {})}, input=stdin,
                              catch_exceptions=False)


def test_init_and_cli_writes_leave_only_private_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    assert _cli(data_dir, "init").exit_code == 0
    run = _cli(data_dir, "user", "add", "budi", "--role", "engineer", "--password-stdin",
               stdin="a-long-enough-password\n")
    assert run.exit_code == 0, run.output  # a write: the password hash is in the database
    assert mode(data_dir) == 0o700
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"netops.db", "secret.key"}
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_library_engine_creates_private_database_wal_and_shm(tmp_path: Path) -> None:
    database = tmp_path / "lib" / "netops.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        upgrade_schema(engine)
        with engine.connect() as connection:  # WAL and SHM exist while a connection is open
            connection.execute(text("CREATE TABLE probe (x INTEGER)"))
            connection.execute(text("INSERT INTO probe VALUES (1)"))
            connection.commit()
            companions = {p.name: mode(p) for p in database.parent.iterdir()}
    finally:
        engine.dispose()
    assert mode(database.parent) == 0o700
    assert companions == {"netops.db": 0o600, "netops.db-wal": 0o600, "netops.db-shm": 0o600}


def test_an_old_installation_is_tightened_in_place(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    legacy = sqlite3.connect(data_dir / "netops.db")  # created 0644 by SQLite, as before the fix
    legacy.execute("PRAGMA journal_mode=WAL")
    legacy.execute("CREATE TABLE t (x)")
    legacy.commit()
    assert mode(data_dir / "netops.db") == 0o644 and mode(data_dir / "netops.db-wal") == 0o644
    settings = load_settings(environ={"NETOPS_DATA_DIR": str(data_dir)})
    engine = open_database(settings)
    try:
        assert mode(data_dir) == 0o700
        assert {p.name: mode(p) for p in data_dir.iterdir()} == {
            "netops.db": 0o600, "netops.db-wal": 0o600, "netops.db-shm": 0o600}
    finally:
        engine.dispose()
        legacy.close()


def test_a_shared_sticky_directory_is_never_chmodded(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    secure_data_dir(shared)
    assert mode(shared) == 0o1777


def test_ssh_poll_records_host_key_and_session_log_privately(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    sessions = data_dir / "sessions"
    assert _cli(data_dir, "init").exit_code == 0
    with HostileServer("device") as server:
        engine = make_engine(f"sqlite:///{data_dir / 'netops.db'}")
        try:
            with Session(engine) as s:
                cred = Credential(name="lab-ssh", type="ssh", username=USERNAME, password=PASSWORD)
                s.add(Device(name="hostile", address="127.0.0.1", ssh_port=server.port, platform="cisco_ios",
                             ssh_credential=cred))
                s.commit()
        finally:
            engine.dispose()
        run = _cli(data_dir, "poll", "--kind", "ssh", "--device", "hostile",
                   env={"NETOPS_SSH__SESSION_LOG_DIR": str(sessions), "NETOPS_SSH__DEADLINE_S": "20"})
    assert run.exit_code in (0, 1), run.output  # 1: the hostile server's configuration is refused
    known_hosts = data_dir / "ssh" / "known_hosts"
    logs = list(sessions.iterdir())
    assert known_hosts.exists() and logs, run.output
    assert (mode(data_dir / "ssh"), mode(known_hosts), mode(sessions)) == (0o700, 0o600, 0o700)
    assert {mode(p) for p in logs} == {0o600}


def test_demo_logins_and_control_files_are_private(tmp_path: Path, engine: Engine) -> None:
    directory = tmp_path / "demo"
    directory.mkdir()
    logins = demo_logins(engine, directory)
    assert mode(directory / "logins.json") == 0o600 and json.loads((directory / "logins.json").read_text())
    assert set(logins) == {"helpdesk", "engineer", "admin"}
    (directory / "logins.json").chmod(0o644)  # left by an older version
    demo_logins(engine, directory)
    assert mode(directory / "logins.json") == 0o600
    with private_umask():  # what the command line runs every command under
        control.write_status(directory / "state", {"pid": 1})
    assert mode(directory / "state") == 0o700
    assert {mode(p) for p in (directory / "state").iterdir()} == {0o600}
