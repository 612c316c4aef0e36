"""Scoped logins, route by route: every GET route of the UI and of /api/v1 (from ``app.url_map`` and
the OpenAPI document, so a new route cannot slip past), asked by a user limited to the schools of
Magelang Utara, shows nothing of the sites outside: no name, address, contact or sysName of them.

The network is ``tests.web.seed`` (the real monitor assessed it): SMP Negeri 1 and SD Negeri 1 are
the scope; the city hall, the kecamatan office (in the district but not a school) and the Dinas
Kesehatan are outside, with their devices. The cut fiber to SD Negeri 1 runs from an outside
switch, so its outage is in scope with its far end hidden. A route missing from ``URLS`` fails.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from inventory.models import Device, MaintenanceWindow, Outage, Site, User
from netops import accounts
from netops.monitor import timeline
from netops.scope import Scope
from netops.settings import Settings
from tests.web.conftest import FakeScheduler, csrf_from, login
from tests.web.seed import seed
from web import create_app

IN_SITES = ("SMP Negeri 1 Magelang", "SD Negeri 1 Magelang")
IN_DEVICES = ("acc-smpn1", "acc-sdn1")
OUTSIDE = (
    "Balai Kota Magelang", "Kantor Kecamatan Magelang Utara", "Dinas Kesehatan",  # sites
    "core-balaikota", "dist-utara", "acc-dinkes",  # devices (and so every link id of theirs)
    "198.51.100.2\"", "198.51.100.3\"", "198.51.100.6\"", "198.51.100.2<", "198.51.100.3<", "198.51.100.6<",
    "0293-111",  # the city hall's phone
    "alert(1)",  # acc-dinkes's sysName and port alias (escaped or not)
)
SCOPE = ["district=Magelang Utara", "kind=school"]
PASSWORD = "scoped-pass-123"

# Every GET rule: the URLs to ask and the status a scoped ENGINEER gets. "{in}"/"{out}" are outage
# ids in and outside the scope. 403: closed to scoped logins (not scope-aware, or admin only).
URLS: dict[str, list[tuple[str, int]]] = {
    "/": [("/", 200)],
    "/schools": [("/schools", 200), ("/schools?kind=all", 200), ("/schools?q=balai+kota", 200),
                 ("/schools?q=smp+1", 200), ("/schools?kind=all&sort=district", 200)],
    "/sites/<path:name>": [("/sites/SMP Negeri 1 Magelang", 200), ("/sites/SD Negeri 1 Magelang", 200),
                           ("/sites/Balai Kota Magelang", 404), ("/sites/Dinas Kesehatan", 404)],
    "/outages": [("/outages", 200), ("/outages?district=Magelang Tengah", 200)],
    "/outages.csv": [("/outages.csv", 200)],
    "/outages/<int:outage_id>": [("/outages/{in}", 200), ("/outages/{cut}", 200), ("/outages/{out}", 404)],
    "/maintenance": [("/maintenance", 200)],
    "/devices/<path:name>": [("/devices/acc-sdn1", 200), ("/devices/acc-smpn1", 200),
                             ("/devices/dist-utara", 404), ("/devices/acc-dinkes", 404)],
    "/inventory": [("/inventory", 200), ("/inventory?show=sites", 200), ("/inventory?show=links", 200),
                   ("/inventory?show=devices&q=dinkes", 200)],
    "/reports": [("/reports", 200), ("/reports?month={month}", 200), ("/reports?month={month}&page=2", 200),
                 ("/reports?month={month}&site=Dinas Kesehatan", 400)],
    "/reports/download": [("/reports/download?month={month}&format=csv", 200),
                          ("/reports/download?month={month}&format=json", 200)],
    "/topology": [("/topology", 200), ("/topology?spof=1", 200), ("/topology?level=district", 200),
                  ("/topology?level=device&district=Magelang Utara", 200),
                  ("/topology?level=device&district=Magelang Tengah", 200)],
    "/topology/spof": [("/topology/spof", 200), ("/topology/spof?element=acc-dinkes", 200),
                       ("/topology/spof?element=acc-sdn1", 200),
                       ("/topology/spof?element=dist-utara:sfp2", 200),
                       ("/topology/spof?element=acc-sdn1:sfp1,dist-utara:sfp2", 200)],
    "/map": [("/map", 200)],
    "/map/fiber/<path:link_id>": [("/map/fiber/core-balaikota:sfp2--acc-dinkes:sfp2", 404),
                                  ("/map/fiber/dist-utara:sfp2--acc-sdn1:sfp1", 404)],
    "/map/tiles/<int:z>/<int:x>/<int:y>.png": [("/map/tiles/1/1/1.png", 404)],  # no tile directory
    "/jobs": [("/jobs", 403)],
    "/credentials": [("/credentials", 403)],
    "/users": [("/users", 403)],
    "/audit": [("/audit", 403)],
    "/notifications/routes": [("/notifications/routes", 403)],
    "/metrics": [("/metrics", 403)],
    "/healthz": [("/healthz", 200)],
    "/auth/login": [("/auth/login", 200)],
    "/static/<path:filename>": [("/static/app.css", 200)],
    "/api/v1/sites": [("/api/v1/sites", 200)],
    "/api/v1/devices": [("/api/v1/devices", 200), ("/api/v1/devices?limit=1&offset=1&q=acc", 200),
                        ("/api/v1/devices?role=access&state=up&district=Magelang+Tengah", 200),
                        ("/api/v1/devices?limit=0", 400)],
    "/api/v1/devices/<name>/latency": [("/api/v1/devices/acc-sdn1/latency", 200),
                                       ("/api/v1/devices/acc-dinkes/latency", 404)],
    "/api/v1/interfaces": [("/api/v1/interfaces", 200), ("/api/v1/interfaces?device=acc-dinkes", 200)],
    "/api/v1/links": [("/api/v1/links", 200)],
    "/api/v1/outages": [("/api/v1/outages", 200), ("/api/v1/outages?active=false", 200)],
    "/api/v1/outages/<int:outage_id>/timeline": [("/api/v1/outages/{cut}/timeline", 200),
                                                 ("/api/v1/outages/{out}/timeline", 404)],
    "/api/v1/events": [("/api/v1/events", 200), ("/api/v1/events?limit=3", 200)],
    "/api/v1/maintenance": [("/api/v1/maintenance?all=true", 200)],
    "/api/v1/reports/availability": [("/api/v1/reports/availability?month={month}", 200),
                                     ("/api/v1/reports/availability?month={month}&format=csv", 200),
                                     ("/api/v1/reports/availability?month={month}&district=Magelang Tengah",
                                      400)],
    "/api/v1/topology": [("/api/v1/topology", 200)],
    "/api/v1/topology.geojson": [("/api/v1/topology.geojson", 200)],
    "/api/v1/topology/impact": [("/api/v1/topology/impact?device=acc-dinkes", 404),
                                ("/api/v1/topology/impact?device=acc-dinke", 404),
                                ("/api/v1/topology/impact?device=acc-sdn1", 200),
                                ("/api/v1/topology/impact?link=dist-utara:sfp2,acc-sdn1:sfp1", 404)],
    "/api/v1/topology/overlay": [("/api/v1/topology/overlay", 200)],
    "/api/v1/topology/spof": [("/api/v1/topology/spof", 200)],
    "/api/v1/jobs": [("/api/v1/jobs", 403)],
    "/api/v1/users": [("/api/v1/users", 403)],
    "/api/v1/audit": [("/api/v1/audit", 403)],
    "/api/v1/openapi.json": [("/api/v1/openapi.json", 200)],  # public: holds no data
}


def _leaks(body: str) -> list[str]:
    return [name for name in OUTSIDE if name in body]


@pytest.fixture
def app(settings: Settings, engine: Engine, session: Session, scheduler: FakeScheduler) -> Flask:
    """The seeded network with every site placed on the map (so the city map has features)."""
    seed(session)
    for i, site in enumerate(session.scalars(select(Site).order_by(Site.name))):
        site.latitude, site.longitude = -7.47 + i * 0.01, 110.21 + i * 0.01
    session.commit()
    return create_app(settings, engine=engine, scheduler_control=scheduler, config={"TESTING": True})


@pytest.fixture
def ids(app: Flask, session: Session) -> dict[str, str]:
    """Outage ids: the old one of SMP Negeri 1, the open fiber cut to SD Negeri 1, one outside."""
    now = datetime.now(UTC)
    outside = Outage(root_cause_type="device", root_cause="acc-dinkes", started_at=now - timedelta(days=1),
                     ended_at=now - timedelta(hours=20), affected_sites=["Dinas Kesehatan"],
                     affected_devices=["acc-dinkes"], cause_text="acc-dinkes did not answer")
    session.add(outside)
    session.flush()
    rows = list(session.scalars(select(Outage)))
    cut = next(o for o in rows if o.root_cause_type == "link" and "acc-sdn1" in o.root_cause)
    old = next(o for o in rows if o.root_cause == "acc-smpn1")
    timeline.acknowledge(session, cut.id, "engineer", now, "the crew of dist-utara is at Balai Kota Magelang")
    for target, site, reason in (("acc-dinkes", "Dinas Kesehatan", "acc-dinkes firmware"),
                                 ("dist-utara", "SD Negeri 1 Magelang", "dist-utara swap")):
        session.add(MaintenanceWindow(scope="device", target=target, starts_at=now - timedelta(hours=1),
                                      ends_at=now + timedelta(hours=1), reason=reason, created_by="engineer",
                                      created_at=now, scope_devices=[target],
                                      blast_radius=[{"site": site, "effect": "disconnected"}]))
    for role in ("helpdesk", "engineer"):
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        session.add(User(name=f"scoped-{role}", password_hash=hashed, role=role, created_at=now,
                         scope=Scope.parse(SCOPE).to_json()))
    session.commit()
    return {"in": str(old.id), "cut": str(cut.id), "out": str(outside.id), "month": f"{now:%Y-%m}"}


def _scoped_client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    answer = client.post("/auth/login", data={"name": f"scoped-{role}", "password": PASSWORD,
                                              "csrf_token": csrf_from(page)})
    assert answer.status_code == 302
    return client


def _get_rules(app: Flask) -> set[str]:
    return {r.rule for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}


def test_every_get_route_and_openapi_path_is_in_the_table(app: Flask) -> None:
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    api_paths = {"/api/v1" + p for p, ops in document["paths"].items() if "get" in ops}
    table = {re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule) for rule in URLS}
    assert api_paths - table == set(), "API routes with no row in URLS"
    assert _get_rules(app) - set(URLS) == set(), "GET routes with no row in URLS"
    assert set(URLS) - _get_rules(app) == set(), "rows in URLS for routes that are gone"


@pytest.mark.parametrize("role", ["engineer", "helpdesk"])
def test_a_scoped_user_sees_nothing_outside_on_any_route(app: Flask, ids: dict[str, str], role: str) -> None:
    client = _scoped_client(app, role)
    failures = []
    for rule, urls in URLS.items():
        for template, engineer_status in urls:
            url = template.format(**ids)
            answer = client.get(url, headers={"Accept-Language": "en"})
            body = answer.get_data(as_text=True) if not url.endswith(".png") else ""
            expected = engineer_status
            if role == "helpdesk" and engineer_status in (200, 400, 404):
                required = app.view_functions[_endpoint(app, rule)]
                if getattr(required, "required_role", "helpdesk") == "engineer":
                    expected = 403
            if answer.status_code != expected:
                failures.append(f"{url}: {answer.status_code}, expected {expected}")
            if leaks := [n for n in _leaks(body) if n not in url]:  # the 404 may echo what was asked
                failures.append(f"{url}: shows {leaks}")
    assert failures == [], "\n".join(failures)


def _endpoint(app: Flask, rule: str) -> str:
    return next(r.endpoint for r in app.url_map.iter_rules() if r.rule == rule)


def test_the_scope_is_not_empty_and_covers_its_own_sites(app: Flask, ids: dict[str, str]) -> None:
    client = _scoped_client(app, "engineer")
    schools = client.get("/schools?kind=all").get_data(as_text=True)
    assert all(name in schools for name in IN_SITES)
    sites = {s["site"]["name"] for s in client.get("/api/v1/sites").get_json()}
    assert sites == set(IN_SITES)
    assert {d["name"] for d in client.get("/api/v1/devices").get_json()} == set(IN_DEVICES)
    outages = {o["id"] for o in client.get("/api/v1/outages").get_json()}
    assert {int(ids["in"]), int(ids["cut"])} <= outages and int(ids["out"]) not in outages
    cut = client.get(f"/outages/{ids['cut']}").get_data(as_text=True)
    assert "SD Negeri 1 Magelang" in cut and "the crew of … is at …" in cut  # the note, outside names hidden
    works = client.get("/api/v1/maintenance").get_json()
    assert [(w["target"], w["reason"]) for w in works] == [("…", "… swap")]
    links = client.get("/api/v1/links").get_json()  # the school uplinks, far end hidden
    assert {(lk["a_device"], lk["b_device"]) for lk in links} == {("…", "acc-smpn1"), ("…", "acc-sdn1")}
    report = client.get(f"/api/v1/reports/availability?month={ids['month']}").get_json()
    assert {row["site"] for row in report["sites"]} == set(IN_SITES)
    assert client.get("/api/v1/reports/availability?month=" + ids["month"] + "&site=SD Negeri 1 Magelang"
                      ).status_code == 200
    shapes = client.get("/api/v1/topology.geojson").get_json()["features"]
    assert {f["properties"]["name"] for f in shapes if f["properties"]["feature"] == "site"} == set(IN_SITES)
    assert {n["id"] for n in client.get("/api/v1/topology").get_json()["nodes"]} == set(IN_DEVICES)
    impact = client.get("/api/v1/topology/impact?device=acc-smpn1").get_json()
    assert impact["lost_sites"] == ["SMP Negeri 1 Magelang"]
    assert 'data-name="acc-smpn1"' in client.get("/topology").get_data(as_text=True)
    listed = client.get("/inventory?show=links").get_data(as_text=True)
    assert "…:" in listed and "acc-sdn1" in listed and "/devices/%E2%80%A6" not in listed
    mine = client.get("/api/v1/events?limit=1000").get_json()
    assert mine and all(any(n in e["element"] for n in (*IN_SITES, *IN_DEVICES)) for e in mine)
    assert client.get("/api/v1/events?limit=2").get_json() == mine[:2]  # the newest of its own
    everyone = app.test_client()
    login(everyone, "engineer")

    def in_scope(element: str) -> bool:
        return element in IN_SITES or any(end.split(":")[0] in IN_DEVICES for end in element.split("--"))

    every = everyone.get("/api/v1/events?limit=1000").get_json()
    assert len(every) > len(mine)
    assert [e["id"] for e in mine] == [e["id"] for e in every if in_scope(e["element"])]


def test_an_unscoped_user_still_sees_everything(app: Flask, ids: dict[str, str], client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("engineer")
    assert len(client.get("/api/v1/sites").get_json()) == 5
    shapes = client.get("/api/v1/topology.geojson").get_json()["features"]
    assert len([f for f in shapes if f["properties"]["feature"] == "site"]) == 5
    assert "Dinas Kesehatan" in client.get("/schools?kind=all").get_data(as_text=True)
    assert client.get(f"/outages/{ids['out']}").status_code == 200


def test_the_scope_holds_for_api_tokens(app: Flask, ids: dict[str, str], session: Session) -> None:
    token = accounts.create_token(session, "scoped-helpdesk")
    session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.get("/api/v1/sites", headers=headers)
    assert {s["site"]["name"] for s in answer.get_json()} == set(IN_SITES)
    assert client.get(f"/api/v1/outages/{ids['out']}/timeline", headers=headers).status_code == 404


def test_changes_to_objects_outside_the_scope_answer_404(app: Flask, ids: dict[str, str],
                                                         session: Session) -> None:
    client = _scoped_client(app, "engineer")
    csrf = csrf_from(client.get("/outages").get_data(as_text=True))
    for path in ("ack", "note", "assign"):
        answer = client.post(f"/outages/{ids['out']}/{path}",
                             data={"csrf_token": csrf, "text": "x", "user": "engineer"})
        assert answer.status_code == 404, path
    headers = {"X-CSRFToken": csrf}
    for path, body in (("ack", {}), ("notes", {"text": "x"}), ("assign", {"user": "engineer"})):
        answer = client.post(f"/api/v1/outages/{ids['out']}/{path}", json=body, headers=headers)
        assert answer.status_code == 404, path
    answer = client.post("/contacts/Dinas Kesehatan",
                         data={"csrf_token": csrf, "contact_name": "X", "contact_phone": "1"})
    assert answer.status_code == 404
    answer = client.post("/devices/acc-dinkes/enabled", data={"csrf_token": csrf, "enabled": "0"})
    assert answer.status_code == 404
    assert client.post("/map/sites/Dinas Kesehatan/location",
                       data={"csrf_token": csrf, "lat": "-7.5", "lon": "110.2"}).status_code == 404
    answer = client.post("/devices/acc-sdn1/enabled", data={"csrf_token": csrf, "enabled": "0"})
    assert answer.status_code == 302  # its own device
    session.expire_all()
    outside = session.get(Outage, int(ids["out"]))
    assert outside is not None and outside.acknowledged_by is None
    dinkes = session.scalar(select(Device).where(Device.name == "acc-dinkes"))
    assert dinkes is not None and dinkes.enabled
    # the same change inside the scope works
    answer = client.post(f"/api/v1/outages/{ids['cut']}/ack", json={}, headers=headers)
    assert answer.status_code == 200
    # and whole-network changes are closed to a scoped login (the same answer, inside or out)
    assert client.post("/api/v1/jobs/status/run", headers=headers).status_code == 403
    assert client.post("/maintenance", data={"csrf_token": csrf}).status_code == 403


def test_admins_set_scopes_with_clear_errors(app: Flask, ids: dict[str, str], session: Session) -> None:
    with pytest.raises(accounts.AccountError, match="did you mean 'Magelang Utara'"):
        accounts.set_scope(session, "helpdesk", Scope.parse(["district=Magelang Utra"]))
    with pytest.raises(accounts.AccountError, match="no site kind 'sekolah'"):
        accounts.set_scope(session, "helpdesk", Scope.parse(["kind=sekolah"]))
    with pytest.raises(accounts.AccountError, match="admin"):
        accounts.set_scope(session, "admin", Scope.parse(["kind=school"]))
    client = app.test_client()
    login(client, "admin")
    csrf = csrf_from(client.get("/users").get_data(as_text=True))
    headers = {"X-CSRFToken": csrf}
    answer = client.patch("/api/v1/users/helpdesk", json={"scope": ["site=Dinas Kesehatn"]}, headers=headers)
    assert answer.status_code == 400 and "Dinas Kesehatan" in answer.get_json()["message"]
    answer = client.patch("/api/v1/users/helpdesk", json={"scope": ["site=Dinas Kesehatan"]}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["scope"] == ["site=Dinas Kesehatan"]
    answer = client.patch("/api/v1/users/helpdesk", json={"scope": None}, headers=headers)
    assert answer.get_json()["scope"] is None


def test_an_object_outside_the_scope_answers_like_one_that_does_not_exist(app: Flask,
                                                                         ids: dict[str, str]) -> None:
    client = _scoped_client(app, "engineer")
    pairs = [("/sites/{}", "Dinas Kesehatan", "Dinas Kesehatan Kota"),
             ("/devices/{}", "acc-dinkes", "acc-dinkez"),
             ("/api/v1/devices/{}/latency", "acc-dinkes", "acc-dinkez"),
             ("/api/v1/topology/impact?device={}", "acc-dinkes", "acc-dinkez"),
             ("/outages/{}", ids["out"], "999999"),
             ("/api/v1/outages/{}/timeline", ids["out"], "999999")]
    for template, outside, missing in pairs:
        one, other = client.get(template.format(outside)), client.get(template.format(missing))
        assert one.status_code == other.status_code == 404, template
        mark = "/" if outside.isdigit() else ""  # an id only where a path would echo it
        seen, expected = (re.sub(r'name="csrf_token" value="[^"]*"', "", answer.get_data(as_text=True))
                          .replace(mark + name, "X") for answer, name in ((one, outside), (other, missing)))
        assert seen == expected, template


def test_answers_kept_per_view_are_never_shared_between_scoped_and_whole(app: Flask,
                                                                          ids: dict[str, str]) -> None:
    """Pages and API routes keep what they build once per network view (the memo); a scoped login
    asking after the whole network, and the whole network asking after it, each get their own."""
    everyone = app.test_client()
    login(everyone, "engineer")
    urls = [t.format(**ids) for rule_urls in URLS.values() for t, _ in rule_urls]
    for url in urls:  # the whole network's answers built and kept first
        everyone.get(url, headers={"Accept-Language": "en"})
    scoped = _scoped_client(app, "engineer")
    leaks = {}
    for url in urls:
        body = scoped.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True) \
            if not url.endswith(".png") else ""
        if found := [n for n in _leaks(body) if n not in url]:
            leaks[url] = found
    assert leaks == {}
    for url in ("/topology", "/api/v1/topology", "/topology/spof", "/api/v1/topology/spof"):
        assert "core-balaikota" in everyone.get(url).get_data(as_text=True), url  # and back again
