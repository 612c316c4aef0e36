"""Users can be deleted, disabled, re-passworded and re-roled: in the UI (admins), the API
(admins, documented in OpenAPI) and the CLI; nobody can lock out the last enabled admin."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from cli import main
from netops import accounts
from netops.runtime import open_database
from netops.settings import load_settings
from tests.web.conftest import csrf_from, login
from tests.web.seed import PASSWORDS
from web import create_app
from web.db import db_session


def _ids(html: str) -> dict[str, int]:
    found = re.findall(r'/users/(\d+)/role"[^>]*>.*?Role of ([\w-]+)', html, re.S)
    return {name: int(uid) for uid, name in found}


def _users(app: Flask) -> dict[str, accounts.CurrentUser]:
    with app.app_context():
        return {u.name: u for u in accounts.list_users(db_session())}


def _admin_page(client: FlaskClient) -> tuple[str, dict[str, int], str]:
    html = client.get("/users").get_data(as_text=True)
    return html, _ids(html), csrf_from(html)


def test_admin_changes_role_disables_resets_and_deletes_in_the_ui(app: Flask) -> None:
    admin = app.test_client()
    login(admin, "admin")
    _, ids, token = _admin_page(admin)
    assert set(ids) == {"admin", "engineer", "helpdesk"}
    uid = ids["engineer"]
    assert admin.post(f"/users/{uid}/role", data={"role": "helpdesk", "csrf_token": token}).status_code == 302
    assert _users(app)["engineer"].role == "helpdesk"
    admin.post(f"/users/{uid}/enabled", data={"enabled": "0", "csrf_token": token})
    assert not _users(app)["engineer"].enabled
    assert "disabled" in admin.get("/users").get_data(as_text=True)
    admin.post(f"/users/{uid}/enabled", data={"enabled": "1", "csrf_token": token})
    admin.post(f"/users/{uid}/password", data={"password": "brand-new-pass", "csrf_token": token})
    engineer = app.test_client()
    page = engineer.get("/auth/login").get_data(as_text=True)
    assert engineer.post(
        "/auth/login", data={"name": "engineer", "password": "brand-new-pass", "csrf_token": csrf_from(page)}
    ).status_code == 302
    kept = admin.post(f"/users/{uid}/delete", data={"csrf_token": token})  # without the tick: kept
    assert kept.status_code == 302 and "engineer" in _users(app)
    admin.post(f"/users/{uid}/delete", data={"confirm": "yes", "csrf_token": token})
    assert "engineer" not in _users(app)
    assert engineer.get("/").status_code == 302  # the deleted user's session is gone


def test_ui_refuses_to_lock_out_the_last_enabled_admin_and_says_so(app: Flask) -> None:
    admin = app.test_client()
    login(admin, "admin")
    _, ids, token = _admin_page(admin)
    uid = ids["admin"]
    for path, data in (
        (f"/users/{uid}/role", {"role": "engineer"}),
        (f"/users/{uid}/enabled", {"enabled": "0"}),
        (f"/users/{uid}/delete", {"confirm": "yes"}),
    ):
        response = admin.post(path, data=data | {"csrf_token": token}, follow_redirects=True)
        assert "last enabled admin" in response.get_data(as_text=True), path
        assert _users(app)["admin"].role == "admin" and _users(app)["admin"].enabled
    # with a second admin, the first may step down
    admin.post(f"/users/{ids['engineer']}/role", data={"role": "admin", "csrf_token": token})
    admin.post(f"/users/{uid}/role", data={"role": "engineer", "csrf_token": token})
    assert _users(app)["admin"].role == "engineer"


def test_admin_resetting_own_password_stays_logged_in(app: Flask) -> None:
    admin, elsewhere = app.test_client(), app.test_client()
    login(admin, "admin")
    login(elsewhere, "admin")
    _, ids, token = _admin_page(admin)
    admin.post(f"/users/{ids['admin']}/password", data={"password": "new-admin-pass", "csrf_token": token})
    assert admin.get("/users").status_code == 200
    assert elsewhere.get("/").status_code == 302


def test_user_actions_need_admin_and_csrf(app: Flask) -> None:
    engineer = app.test_client()
    login(engineer, "engineer")
    token = csrf_from(engineer.get("/").get_data(as_text=True))
    uid = _users(app)["helpdesk"].id
    for action in ("role", "enabled", "password", "delete"):
        assert engineer.post(f"/users/{uid}/{action}", data={"csrf_token": token}).status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    changes = (("role", {"role": "admin"}), ("enabled", {"enabled": "0"}), ("delete", {"confirm": "yes"}))
    for action, data in changes:
        assert admin.post(f"/users/{uid}/{action}", data=data).status_code == 400
    assert _users(app)["helpdesk"].role == "helpdesk" and _users(app)["helpdesk"].enabled


def _bearer(app: Flask, user: str) -> dict[str, str]:
    with app.app_context():
        token = accounts.create_token(db_session(), user)
        db_session().commit()
    return {"Authorization": f"Bearer {token}"}


def test_users_api_for_admins(app: Flask) -> None:
    client, admin = app.test_client(), _bearer(app, "admin")
    assert client.get("/api/v1/users", headers=_bearer(app, "engineer")).status_code == 403
    assert client.get("/api/v1/users").status_code == 401
    listed = {u["name"]: u for u in client.get("/api/v1/users", headers=admin).get_json()}
    assert listed["engineer"]["enabled"] is True and "password_hash" not in listed["engineer"]
    created = client.post(
        "/api/v1/users", json={"name": "sri", "password": "sri-password", "role": "helpdesk"}, headers=admin
    )
    assert created.status_code == 201 and created.get_json()["role"] == "helpdesk"
    assert client.post("/api/v1/users", json={"name": "sri", "password": "x" * 9, "role": "helpdesk"},
                       headers=admin).status_code == 409
    assert client.post("/api/v1/users", json={"name": "ani", "password": "short", "role": "helpdesk"},
                       headers=admin).status_code == 400
    sri = _bearer(app, "sri")
    assert client.get("/api/v1/sites", headers=sri).status_code == 200
    changed = client.patch("/api/v1/users/sri", json={"role": "engineer", "enabled": False}, headers=admin)
    assert changed.status_code == 200 and changed.get_json() | {"created_at": None} == {
        "name": "sri", "role": "engineer", "language": None, "enabled": False, "created_at": None,
        "scope": None,
    }
    assert client.get("/api/v1/sites", headers=sri).status_code == 401  # disabled: token refused
    assert client.patch("/api/v1/users/sri", json={"colour": "red"}, headers=admin).status_code == 400
    assert client.patch("/api/v1/users/nobody", json={"enabled": True}, headers=admin).status_code == 404
    assert client.patch("/api/v1/users/admin", json={"role": "helpdesk"}, headers=admin).status_code == 409
    assert client.delete("/api/v1/users/admin", headers=admin).status_code == 409
    assert client.delete("/api/v1/users/sri", headers=admin).status_code == 204
    assert client.delete("/api/v1/users/sri", headers=admin).status_code == 404


def test_users_api_with_a_session_cookie_needs_the_csrf_header(app: Flask) -> None:
    client = app.test_client()
    login(client, "admin")
    assert client.delete("/api/v1/users/helpdesk").status_code == 400
    token = csrf_from(client.get("/users").get_data(as_text=True))
    assert client.delete("/api/v1/users/helpdesk", headers={"X-CSRFToken": token}).status_code == 204


def test_users_api_is_in_the_openapi_document(app: Flask) -> None:
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    users = doc["paths"]["/users"]
    assert users["get"]["description"].startswith("Role: admin or higher.")
    assert users["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "name", "password", "role"
    ]
    assert set(users["post"]["responses"]) >= {"201", "400", "401", "403", "409"}
    one = doc["paths"]["/users/{name}"]
    assert set(one) == {"patch", "delete"}
    assert set(one["patch"]["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {
        "role", "enabled", "password", "scope"
    }
    assert set(one["delete"]["responses"]) >= {"204", "404", "409"}
    assert set(doc["components"]["schemas"]["UserView"]["properties"]) == {
        "name", "role", "language", "enabled", "created_at", "scope"
    }


def test_cli_user_lifecycle(tmp_path: Path) -> None:
    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
        result = runner.invoke(main, list(args), input=stdin, env=env)
        return result.exit_code, result.output

    assert run("init")[0] == 0
    assert run("user", "add", "root", "--role", "admin", "--password-stdin", stdin="root-password\n")[0] == 0
    added = run("user", "add", "budi", "--role", "engineer", "--password-stdin", stdin="budi-password\n")
    assert added[0] == 0
    code, out = run("user", "role", "root", "helpdesk")
    assert code == 1 and "last enabled admin" in out
    assert run("user", "disable", "root")[0] == 1
    assert run("user", "delete", "root", "--yes")[0] == 1
    assert run("user", "role", "budi", "admin") == (0, "user budi is now admin\n")
    assert run("user", "disable", "budi") == (0, "user budi disabled\n")
    assert "budi\tadmin\t\tdisabled" in run("user", "list")[1]
    assert run("user", "disable", "root")[0] == 1  # budi is disabled: root is still the last one
    assert run("user", "enable", "budi") == (0, "user budi enabled\n")
    assert run("user", "passwd", "budi", "--password-stdin", stdin="short\n")[0] == 1
    assert run("user", "passwd", "budi", "--password-stdin", stdin="budi-new-password\n")[0] == 0
    code, out = run("user", "passwd", "budi", stdin="prompted-pass\nprompted-pass\n")
    assert code == 0 and "password of budi changed" in out
    assert run("user", "passwd", "nobody", "--password-stdin", stdin="whatever-long\n") == (
        1, "Error: no user 'nobody'\n"
    )
    assert run("user", "delete", "budi", stdin="n\n")[0] == 1  # confirmation refused
    assert run("user", "delete", "budi", "--yes") == (0, "user budi deleted\n")
    assert run("user", "delete", "root", "--yes")[0] == 1  # the last enabled admin again

    settings = load_settings(environ=env)
    client = create_app(settings, engine=open_database(settings), config={"TESTING": True}).test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    assert client.post(
        "/auth/login", data={"name": "budi", "password": "prompted-pass", "csrf_token": csrf_from(page)}
    ).status_code == 401
    assert PASSWORDS  # the seeded web users are not part of this database
