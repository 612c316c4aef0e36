"""``netops user add`` and ``netops token create|revoke`` against a real database."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli import main
from netops.runtime import open_database
from netops.settings import load_settings
from web import create_app


def test_user_and_token_lifecycle(tmp_path: Path) -> None:
    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    added = runner.invoke(
        main,
        ["user", "add", "budi", "--role", "engineer", "--password-stdin"],
        input="budi-password\n",
        env=env,
    )
    assert added.exit_code == 0, added.output
    duplicate = runner.invoke(
        main,
        ["user", "add", "budi", "--role", "admin", "--password-stdin"],
        input="another-password\n",
        env=env,
    )
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    short = runner.invoke(
        main, ["user", "add", "sri", "--role", "admin", "--password-stdin"], input="short\n", env=env
    )
    assert short.exit_code == 1 and "too short" in short.output
    created = runner.invoke(main, ["token", "create", "budi"], env=env)
    assert created.exit_code == 0
    token = created.output.strip().splitlines()[-1]

    settings = load_settings(environ=env)
    app = create_app(settings, engine=open_database(settings), config={"TESTING": True})
    client = app.test_client()
    assert client.get("/api/v1/links", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoked = runner.invoke(main, ["token", "revoke", token[:12]], env=env)
    assert revoked.exit_code == 0 and "revoked 1" in revoked.output
    assert client.get("/api/v1/links", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    again = runner.invoke(main, ["token", "revoke", token], env=env)
    assert again.exit_code == 1
    assert runner.invoke(main, ["token", "create", "nobody"], env=env).exit_code == 1


def test_status_finds_a_site_as_the_help_desk_search_does(tmp_path: Path) -> None:
    """``netops status`` takes what a caller says ("sekolah dasar negeri 1"), and lists the
    choices instead of answering about one of several sites a vague name may mean."""
    from inventory.db import session_scope
    from tests.web.seed import seed

    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    engine = open_database(load_settings(environ=env))
    with session_scope(engine) as session:
        seed(session)
    engine.dispose()
    spelled = runner.invoke(main, ["status", "sekolah dasar negeri 1", "--json"], env=env)
    assert spelled.exit_code == 0, spelled.output
    [row] = json.loads(spelled.stdout)
    assert (row["site"], row["state"]) == ("SD Negeri 1 Magelang", "disconnected")
    vague = runner.invoke(main, ["status", "negeri 1 magelang"], env=env)
    assert vague.exit_code == 2
    assert "SD Negeri 1 Magelang" in vague.output and "SMP Negeri 1 Magelang" in vague.output
    unknown = runner.invoke(main, ["status", "RSUD Tidar"], env=env)
    assert unknown.exit_code == 2 and "no site" in unknown.output
