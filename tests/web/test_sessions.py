"""Sessions end on the server: a copied cookie is worthless after logout, a password or role
change, disabling or deleting the user; CSRF tokens expire and die with their session.

Each test replays the session cookie as an attacker who copied it would (a second client),
which is how the finding was reproduced: before, the cookie stayed valid for 8 hours.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from netops import accounts
from tests.web.conftest import csrf_from, login
from tests.web.seed import PASSWORDS
from web.db import db_session


def _stolen(app: Flask, victim: FlaskClient) -> FlaskClient:
    """A second browser carrying a copy of the victim's session cookie."""
    cookie = victim.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _logged_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def test_logout_voids_a_copied_session_cookie(app: Flask) -> None:
    victim = app.test_client()
    login(victim, "helpdesk")
    thief = _stolen(app, victim)
    assert _logged_in(thief)
    token = csrf_from(victim.get("/").get_data(as_text=True))
    assert victim.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert not _logged_in(victim)
    assert not _logged_in(thief)  # the copy ended with the logout
    login(victim, "helpdesk")  # logging in again works
    assert _logged_in(victim)


def test_logout_ends_the_users_sessions_in_other_browsers(app: Flask) -> None:
    office, phone = app.test_client(), app.test_client()
    login(office, "engineer")
    login(phone, "engineer")
    token = csrf_from(office.get("/").get_data(as_text=True))
    office.post("/auth/logout", data={"csrf_token": token})
    assert not _logged_in(phone)


def _change(app: Flask, change: Callable[..., object], *args: object) -> None:
    with app.app_context():
        change(db_session(), *args)
        db_session().commit()


@pytest.mark.parametrize(
    ("change", "args"),
    [
        (accounts.set_password, ("engineer", "a-new-password")),
        (accounts.set_role, ("engineer", "helpdesk")),
        (accounts.set_enabled, ("engineer", False)),
        (accounts.delete_user, ("engineer",)),
    ],
    ids=["password", "role", "disable", "delete"],
)
def test_account_changes_end_the_users_sessions(
    app: Flask, change: Callable[..., object], args: tuple[object, ...]
) -> None:
    victim = app.test_client()
    login(victim, "engineer")
    thief = _stolen(app, victim)
    bystander = app.test_client()
    login(bystander, "helpdesk")
    _change(app, change, *args)
    assert not _logged_in(victim) and not _logged_in(thief)
    assert _logged_in(bystander)  # other users keep their sessions


def test_disabled_user_cannot_log_in_and_tokens_stop(app: Flask) -> None:
    with app.app_context():
        token = accounts.create_token(db_session(), "engineer")
        db_session().commit()
    bearer = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    assert client.get("/api/v1/links", headers=bearer).status_code == 200
    _change(app, accounts.set_enabled, "engineer", False)
    assert client.get("/api/v1/links", headers=bearer).status_code == 401
    page = client.get("/auth/login").get_data(as_text=True)
    refused = client.post(
        "/auth/login",
        data={"name": "engineer", "password": PASSWORDS["engineer"], "csrf_token": csrf_from(page)},
    )
    assert refused.status_code == 401 and not _logged_in(client)
    _change(app, accounts.set_enabled, "engineer", True)
    assert client.get("/api/v1/links", headers=bearer).status_code == 200
    login(client, "engineer")


def test_csrf_token_expires_with_the_session_lifetime(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    assert app.config["WTF_CSRF_TIME_LIMIT"] == app.permanent_session_lifetime.total_seconds()
    client = app.test_client()
    login(client, "helpdesk")
    issued = time.time() - app.config["WTF_CSRF_TIME_LIMIT"] - 60
    real = TimestampSigner.get_timestamp

    def clock(signer: TimestampSigner) -> int:  # CSRF tokens signed as if the page was loaded 8 h ago
        return int(issued) if signer.salt == b"wtf-csrf-token" else real(signer)

    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", clock)
        old = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/auth/logout", data={"csrf_token": old})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    fresh = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": fresh}).status_code == 302


def test_csrf_token_dies_with_its_session_generation(app: Flask) -> None:
    """A token lifted from a page before a logout elsewhere is refused afterwards."""
    victim = app.test_client()
    login(victim, "admin")
    thief = _stolen(app, victim)
    token = csrf_from(victim.get("/users").get_data(as_text=True))
    _change(app, accounts.end_sessions, 3)  # admin's id in the seed: logout from another browser
    response = thief.post(
        "/users", data={"name": "mallory", "password": "long-enough-1", "role": "admin", "csrf_token": token}
    )
    assert response.status_code == 400  # the token's secret left with the voided session
    with app.app_context():
        assert all(u.name != "mallory" for u in accounts.list_users(db_session()))
    # and the login form of the voided session does not accept the old token either
    refused = thief.post(
        "/auth/login", data={"name": "admin", "password": PASSWORDS["admin"], "csrf_token": token}
    )
    assert refused.status_code == 400


def test_sessions_from_before_the_upgrade_end(app: Flask) -> None:
    """A cookie without a session generation (issued by the old code) is not honoured."""
    client = app.test_client()
    login(client, "helpdesk")
    with client.session_transaction() as sess:
        del sess["gen"]
    assert not _logged_in(client)
