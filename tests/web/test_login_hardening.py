"""Login: ``next`` stays a local path (CR/LF once gave a 500), and the throttle works per
(user name, address) pair in the database, so one attacker cannot lock a real user out from
elsewhere and every web process counts the same failures."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from inventory.models import LoginFailure
from netops.settings import Settings
from tests.web.conftest import csrf_from
from tests.web.seed import PASSWORDS
from web import create_app


def _post_login(client: FlaskClient, name: str, password: str, address: str) -> int:
    env = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/auth/login", environ_base=env).get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"name": name, "password": password, "csrf_token": token}, environ_base=env
    )
    return response.status_code


@pytest.mark.parametrize(
    "target",
    [
        "/%0d%0aSet-Cookie:%20evil=1",  # CR/LF: was a 500 (header injection refused by werkzeug)
        "/outages%0a",
        "/%09/evil.example",
        "/\\evil.example",  # browsers read /\host as //host
        "//evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_with_control_characters_or_another_host_goes_to_the_dashboard(app: Flask, target: str) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        f"/auth/login?next={target}",
        data={"name": "helpdesk", "password": PASSWORDS["helpdesk"], "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:200]
    assert response.headers["Location"] == "/"
    assert "evil" not in str(response.headers)


def test_next_to_a_local_page_is_kept(app: Flask) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login?next=/outages%3Factive%3D1",
        data={"name": "helpdesk", "password": PASSWORDS["helpdesk"], "csrf_token": token},
    )
    assert response.headers["Location"] == "/outages?active=1"


def test_attacker_cannot_lock_a_user_out_from_another_address(app: Flask) -> None:
    attacker, user = app.test_client(), app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert _post_login(attacker, "admin", "wrong", "203.0.113.66") == 401
    assert _post_login(attacker, "admin", PASSWORDS["admin"], "203.0.113.66") == 429  # pair blocked
    assert _post_login(user, "admin", PASSWORDS["admin"], "198.51.100.10") == 302  # the admin elsewhere
    # the attacker's address may still log in as someone else (a colleague behind the same proxy)
    assert _post_login(app.test_client(), "helpdesk", PASSWORDS["helpdesk"], "203.0.113.66") == 302


def test_one_address_trying_many_names_is_stopped(app: Flask) -> None:
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 8
    client = app.test_client()
    for i in range(8):
        assert _post_login(client, f"guess{i}", "wrong", "203.0.113.7") == 401
    assert _post_login(client, "helpdesk", PASSWORDS["helpdesk"], "203.0.113.7") == 429
    assert _post_login(client, "helpdesk", PASSWORDS["helpdesk"], "203.0.113.8") == 302


def test_success_forgets_the_pairs_failures(app: Flask) -> None:
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _post_login(client, "engineer", "typo", "192.0.2.5")
    assert _post_login(client, "engineer", PASSWORDS["engineer"], "192.0.2.5") == 302
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert _post_login(client, "engineer", "typo", "192.0.2.5") == 401


def test_every_process_applies_the_same_throttle(
    settings: Settings, engine: Engine, session: Session, app: Flask
) -> None:
    """Two web processes (two apps on one database) share the failures."""
    other = create_app(settings, engine=engine, config={"TESTING": True})
    limit = app.config["LOGIN_MAX_FAILURES"]
    for i in range(limit):
        target = app if i % 2 else other
        assert _post_login(target.test_client(), "admin", "wrong", "203.0.113.9") == 401
    assert _post_login(app.test_client(), "admin", PASSWORDS["admin"], "203.0.113.9") == 429
    assert _post_login(other.test_client(), "admin", PASSWORDS["admin"], "203.0.113.9") == 429
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == limit
