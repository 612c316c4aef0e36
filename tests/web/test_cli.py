"""``netops user add`` and ``netops token create|revoke`` against a real database."""

from __future__ import annotations

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
