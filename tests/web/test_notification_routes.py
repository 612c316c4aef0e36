"""The admin page of notification routes: list (config routes read-only), add, change, delete;
admins only, CSRF-checked, hostile strings shown as text, errors name the field, EN/ID text."""

from __future__ import annotations

import dataclasses
import re

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from inventory.db import session_scope
from netops.monitor.route_store import all_routes
from netops.monitor.routing import parse_routes
from netops.settings import Settings
from tests.web.conftest import csrf_from, login
from tests.web.seed import seed
from web import create_app

HOSTILE = '<script>alert("d")</script> & Utara'


@pytest.fixture
def routed_app(settings: Settings, engine: Engine, session: Session) -> Flask:
    seed(session)
    configured = dataclasses.replace(settings, notifications=dataclasses.replace(
        settings.notifications, urls=("json://127.0.0.1:9/all",),
        routes=parse_routes({"core": {"urls": ["tgram://123456:SECRETTOKEN/987"],
                                      "device_roles": ["core"]}})))
    return create_app(configured, engine=engine, config={"TESTING": True})


def _routes(engine: Engine, settings: Settings) -> dict[str, object]:
    with session_scope(engine) as session:
        return {r.name: r for r in all_routes(session, settings) if r.source == "ui"}


def test_admin_adds_changes_and_deletes_a_route(routed_app: Flask, engine: Engine,
                                                settings: Settings) -> None:
    admin = routed_app.test_client()
    login(admin, "admin")
    html = admin.get("/notifications/routes").get_data(as_text=True)
    assert 'data-route="default"' in html and 'data-route="core"' in html and "read-only" in html
    assert "SECRETTOKEN" not in html  # URLs are shown masked
    token = csrf_from(html)
    form = {"csrf_token": token, "name": "utara", "urls": "json://127.0.0.1:9/utara\n", "districts": HOSTILE,
            "site_kinds": ["school"], "when": "mon-fri 07:00-17:00", "language": "id", "remind_minutes": "15",
            "escalate_after_minutes": "45", "escalate_to": "core", "min_sites": "0"}
    assert admin.post("/notifications/routes", data={**form, "csrf_token": ""}).status_code == 400  # CSRF
    assert _routes(engine, settings) == {}
    assert admin.post("/notifications/routes", data=form).status_code == 302
    route = _routes(engine, settings)["utara"]
    assert route.districts == frozenset({HOSTILE}) and route.escalate_to == "core"  # type: ignore[attr-defined]
    html = admin.get("/notifications/routes").get_data(as_text=True)
    assert HOSTILE not in html and "&lt;script&gt;alert(&#34;d&#34;)&lt;/script&gt; &amp; Utara" in html
    # a bad window: the error names the route and the field, the form keeps what was typed
    bad = admin.post("/notifications/routes", data={**form, "name": "pagi", "when": "mon-fry 07:00-09:00"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "route &#39;pagi&#39;, when: unknown day" in text and "mon-fry" in text
    assert admin.post("/notifications/routes", data={**form, "name": "core"}).status_code == 400  # config's
    # change: empty URLs keep the old ones
    edit = admin.get("/notifications/routes?edit=utara").get_data(as_text=True)
    assert "Change route utara" in edit and "json://127.0.0.1:9/utara</textarea>" not in edit
    changed = {**form, "urls": "", "editing": "yes", "remind_minutes": "5", "district": ""}
    assert admin.post("/notifications/routes", data=changed).status_code == 302
    route = _routes(engine, settings)["utara"]
    assert route.remind_minutes == 5 and route.urls == ("json://127.0.0.1:9/utara",)  # type: ignore[attr-defined]
    assert admin.get("/notifications/routes?edit=core").status_code == 404  # config routes: read-only
    admin.post("/notifications/routes/utara/delete", data={"csrf_token": token})  # without the tick: kept
    assert "utara" in _routes(engine, settings)
    admin.post("/notifications/routes/utara/delete", data={"csrf_token": token, "confirm": "yes"})
    assert _routes(engine, settings) == {}


def test_only_admins_and_the_page_speaks_bahasa(routed_app: Flask) -> None:
    engineer = routed_app.test_client()
    login(engineer, "engineer")
    assert engineer.get("/notifications/routes").status_code == 403
    assert engineer.post("/notifications/routes/x/delete", data={}).status_code in (400, 403)
    admin = routed_app.test_client()
    login(admin, "admin")
    html = admin.get("/notifications/routes").get_data(as_text=True)
    admin.post("/auth/language", data={"lang": "id", "csrf_token": csrf_from(html), "next": "/"})
    html = admin.get("/notifications/routes").get_data(as_text=True)
    assert "Rute notifikasi" in html and "Tambah rute" in html
    assert re.search(r"setiap gangguan|hanya-baca", html)
