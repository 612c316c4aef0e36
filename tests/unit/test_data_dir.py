"""The data directory never depends on the working directory, and a missing database is refused.

The issue: from another folder ``netops outages --active`` said "no outages" (exit 0) and left
an empty ``./var`` behind. Now the data directory is ``NETOPS_DATA_DIR``, else ``data_dir`` of
the configuration file (relative to the file), else a fixed default; and every command but
``init``, ``demo`` and ``start`` stops with exit 4 where there is no database, creating nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from cli import main
from netops.settings import SYSTEM_DATA_DIR, default_data_dir, load_settings

NETOPS = [sys.executable, "-c", "from cli import main; main()"]


def test_default_is_fixed_for_root_and_per_user_otherwise() -> None:
    assert default_data_dir({"HOME": "/home/budi"}, euid=0) == SYSTEM_DATA_DIR == Path("/var/lib/netops")
    assert default_data_dir({"HOME": "/home/budi"}, euid=1000) == Path("/home/budi/.local/share/netops")
    xdg = {"HOME": "/home/budi", "XDG_DATA_HOME": "/srv/data"}
    assert default_data_dir(xdg, euid=1000) == Path("/srv/data/netops")
    relative = {"HOME": "/home/budi", "XDG_DATA_HOME": "data"}  # the XDG spec: ignore a relative one
    assert default_data_dir(relative, euid=1000) == Path("/home/budi/.local/share/netops")


def test_settings_are_the_same_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = set()
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        seen.add(load_settings(environ={"HOME": "/home/budi"}).data_dir)
    assert seen == {default_data_dir({"HOME": "/home/budi"})}


def test_a_relative_data_dir_in_the_file_is_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "etc" / "netops.toml"
    config.parent.mkdir()
    config.write_text('data_dir = "state"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings(config, environ={}).data_dir == tmp_path / "etc" / "state"
    assert load_settings(environ={"NETOPS_CONFIG": str(config)}).data_dir == tmp_path / "etc" / "state"


def test_an_empty_variable_is_unset_never_the_current_folder(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={"NETOPS_DATA_DIR": "", "HOME": "/home/budi"})
    assert settings.data_dir == default_data_dir({"HOME": "/home/budi"})


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "NETOPS_DATA_DIR": str(data_dir), "NETOPS_CONFIG": ""}
    env.pop("NETOPS_DATABASE_URL", None)
    return env


def _cli_env(data_dir: Path) -> dict[str, str]:
    return {"NETOPS_DATA_DIR": str(data_dir), "NETOPS_CONFIG": ""}


def test_outages_from_another_folder_without_a_database_says_so(tmp_path: Path) -> None:
    """The issue as found, as a user runs it: a real process, from another folder."""
    elsewhere, data_dir = tmp_path / "home", tmp_path / "lib" / "netops"
    elsewhere.mkdir()
    run = subprocess.run([*NETOPS, "outages", "--active"], cwd=elsewhere, env=_env(data_dir),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 4, run.stdout + run.stderr
    assert run.stdout == ""
    assert f"no netops database at {data_dir}; run `netops init` or set NETOPS_DATA_DIR" in run.stderr
    assert not data_dir.exists(), "nothing is created"
    assert list(elsewhere.iterdir()) == [], "no ./var left behind"


@pytest.mark.parametrize("args", [
    ["outages"], ["events"], ["status"], ["jobs", "list"], ["inventory", "show"], ["poll"],
    ["user", "list"], ["topology", "audit"], ["config", "history", "sw1"], ["serve"], ["scheduler"],
])
def test_every_command_but_init_refuses_a_missing_database(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, args, env=_cli_env(tmp_path / "var"))
    assert result.exit_code == 4, result.output
    assert "no netops database at" in result.output
    assert not (tmp_path / "var").exists()


def test_init_creates_it_and_then_every_folder_reads_it(tmp_path: Path) -> None:
    config = tmp_path / "netops.toml"
    config.write_text('data_dir = "var"\n')
    env = {**_env(tmp_path / "unused"), "NETOPS_CONFIG": str(config)}
    env.pop("NETOPS_DATA_DIR")
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    init = subprocess.run([*NETOPS, "init"], cwd=first, env=env, capture_output=True, text=True, timeout=60)
    assert init.returncode == 0 and f"data directory: {tmp_path / 'var'}" in init.stdout, init.stderr
    run = subprocess.run([*NETOPS, "outages", "--active"], cwd=second, env=env, capture_output=True,
                         text=True, timeout=60)
    assert (run.returncode, run.stdout) == (0, "no outages\n"), run.stderr


def test_an_empty_database_file_is_refused_too(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    (data_dir / "netops.db").touch()  # what an older netops left when it was run by mistake
    result = CliRunner().invoke(main, ["outages"], env=_cli_env(data_dir))
    assert result.exit_code == 4 and "no netops database" in result.output


def test_a_database_left_in_dot_var_by_an_older_netops_is_pointed_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["init"], env={"NETOPS_DATA_DIR": str(tmp_path / "var")}).exit_code == 0
    result = runner.invoke(main, ["outages"], env={"NETOPS_DATA_DIR": str(tmp_path / "elsewhere")})
    assert result.exit_code == 4
    assert f"a database from an older netops is at {tmp_path / 'var'}" in result.output


def test_an_empty_postgresql_database_is_refused(pg_url: str) -> None:
    env = {"NETOPS_DATABASE_URL": pg_url, "NETOPS_CONFIG": ""}
    result = CliRunner().invoke(main, ["outages"], env=env)
    assert result.exit_code == 4, result.output
    assert "run `netops init` or set NETOPS_DATABASE_URL" in result.output
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            tables = connection.execute(text("select count(*) from information_schema.tables "
                                             "where table_schema = 'public'")).scalar()
    finally:
        engine.dispose()
    assert tables == 0, "nothing was created in the database"
    assert CliRunner().invoke(main, ["init"], env=env).exit_code == 0
    assert CliRunner().invoke(main, ["outages"], env=env).output == "no outages\n"
