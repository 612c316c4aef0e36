"""CSRF, escaping of device strings, secrets never shown, login throttling, session expiry."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from inventory.models import Credential
from tests.web.conftest import csrf_from, login
from tests.web.seed import PASSWORDS, XSS
from web.db import db_session


def _csrf_app_client(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_login_without_csrf_token_is_rejected(app: Flask) -> None:
    client = _csrf_app_client(app)
    response = client.post("/auth/login", data={"name": "admin", "password": PASSWORDS["admin"]})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # still anonymous


def test_job_form_without_csrf_token_is_rejected(app: Flask, scheduler) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, "engineer")
    assert client.post("/jobs/status/run").status_code == 400
    assert client.post("/jobs/status/run", data={"csrf_token": "forged"}).status_code == 400
    assert scheduler.calls == []
    token = csrf_from(client.get("/jobs").get_data(as_text=True))
    assert client.post("/jobs/status/run", data={"csrf_token": token}).status_code == 302
    assert scheduler.calls == [("run", "status")]


def test_api_post_with_session_cookie_needs_csrf_header(app: Flask, scheduler) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, "engineer")
    assert client.post("/api/v1/jobs/status/pause").status_code == 400
    token = csrf_from(client.get("/jobs").get_data(as_text=True))
    assert client.post("/api/v1/jobs/status/pause", headers={"X-CSRFToken": token}).status_code == 202
    assert scheduler.calls == [("pause", "status")]


def test_user_form_without_csrf_is_rejected(app: Flask) -> None:
    client = app.test_client()
    login(client, "admin")
    response = client.post("/users", data={"name": "mallory", "password": "long-enough-1", "role": "admin"})
    assert response.status_code == 400
    assert "mallory" not in client.get("/users").get_data(as_text=True)


def test_device_strings_are_escaped(client_as: Callable[[str | None], FlaskClient]) -> None:
    client = client_as("admin")
    for path in ("/devices/acc-dinkes", "/", "/topology"):
        html = client.get(path).get_data(as_text=True)
        assert XSS not in html, path
    device = client.get("/devices/acc-dinkes").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in device
    assert client.get("/api/v1/interfaces?device=acc-dinkes").get_json()[0]["alias"] == XSS  # JSON keeps data


def test_credentials_are_never_rendered(app: Flask, client_as: Callable[[str | None], FlaskClient]) -> None:
    with app.app_context():
        db_session().add(
            Credential(
                name="ro",
                type="snmp",
                snmp_version="2c",
                community="very-secret-community",  # a literal: stored as given, still never shown
                auth_key="very-secret-auth",
                password="very-secret-password",
            )
        )
        db_session().commit()
    client = client_as("admin")
    paths = [
        "/",
        "/inventory",
        "/devices/acc-smpn1",
        "/metrics",
        "/api/v1/devices",
        "/api/v1/interfaces",
        "/api/v1/topology",
        "/api/v1/openapi.json",
        "/users",
        "/credentials",
    ]
    listing = client.get("/credentials").get_data(as_text=True)
    assert "ro" in listing and "community" in listing and "literal" in listing
    for path in paths:
        body = client.get(path).get_data(as_text=True)
        assert "very-secret" not in body, path
        assert "password_hash" not in body and "scrypt:" not in body and "pbkdf2:" not in body, path


def test_failed_logins_are_rate_limited(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = csrf_from(page)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        wrong = client.post("/auth/login", data={"name": "admin", "password": "wrong", "csrf_token": token})
        assert wrong.status_code == 401
    right = client.post(
        "/auth/login", data={"name": "admin", "password": PASSWORDS["admin"], "csrf_token": token}
    )
    assert right.status_code == 429
    assert client.get("/").status_code == 302


def test_session_expires(app: Flask) -> None:
    client = app.test_client()
    login(client, "helpdesk")
    assert client.get("/").status_code == 200
    with client.session_transaction() as sess:
        sess["login_at"] = time.time() - app.permanent_session_lifetime.total_seconds() - 1
    assert client.get("/").status_code == 302


def test_login_redirect_stays_on_site(app: Flask) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"name": "helpdesk", "password": PASSWORDS["helpdesk"], "csrf_token": token},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_logout_needs_post_and_ends_session(client_as: Callable[[str | None], FlaskClient]) -> None:
    client = client_as("helpdesk")
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_pages_carry_a_strict_csp_and_no_inline_handlers(
    client_as: Callable[[str | None], FlaskClient],
) -> None:
    import re

    client = client_as("admin")
    for path in ("/", "/schools?q=sd", "/topology", "/devices/acc-dinkes", "/jobs", "/users", "/auth/login"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        html = response.get_data(as_text=True)
        assert not re.search(r"<script>(?!</script>)", html), path  # scripts only by src
        assert not re.search(r"\son[a-z]+=", html), path
    assert client.get("/api/v1/sites").headers["X-Content-Type-Options"] == "nosniff"
