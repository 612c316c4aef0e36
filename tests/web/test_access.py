"""Every page and API endpoint for every role: allowed ones answer, forbidden ones refuse."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import ROLES

PAGES = {
    "/": "helpdesk",
    "/schools": "helpdesk",
    "/schools?q=smpn+1": "helpdesk",
    "/sites/SMP%20Negeri%201%20Magelang": "helpdesk",
    "/outages": "helpdesk",
    "/outages/1": "helpdesk",
    "/outages.csv": "helpdesk",
    "/maintenance": "helpdesk",
    "/topology": "engineer",
    "/map": "engineer",
    "/map/fiber/acc-sdn1:sfp1--dist-utara:sfp2": "engineer",
    "/devices/acc-smpn1": "engineer",
    "/jobs": "engineer",
    "/inventory": "engineer",
    "/inventory?show=links&q=sfp&page=2": "engineer",
    "/reports": "engineer",
    "/reports?month=2026-11&district=Magelang+Utara": "engineer",
    "/jobs?job=status&runs=traps": "engineer",
    "/users": "admin",
    "/credentials": "admin",
    "/notifications/routes": "admin",
}
API_GET = {
    "/api/v1/sites": "helpdesk",
    "/api/v1/devices": "helpdesk",
    "/api/v1/outages": "helpdesk",
    "/api/v1/events": "helpdesk",
    "/api/v1/maintenance": "helpdesk",
    "/api/v1/outages/1/timeline": "helpdesk",
    "/api/v1/interfaces": "engineer",
    "/api/v1/links": "engineer",
    "/api/v1/topology": "engineer",
    "/api/v1/topology.geojson": "engineer",
    "/api/v1/jobs": "engineer",
    "/api/v1/reports/availability?month=2026-11&kind=school": "engineer",
}
API_POST = {f"/api/v1/jobs/status/{action}": "engineer" for action in ("run", "pause", "resume")}
# planned works are the engineers'; the help desk takes calls, so it may acknowledge and write notes
HANDLING_POST = {
    "/api/v1/maintenance": ("engineer", {"scope": "link", "target": "dist-utara:sfp1,acc-smpn1:sfp1",
                                         "duration_minutes": 60, "reason": "splice"}),
    "/api/v1/outages/1/ack": ("helpdesk", {"note": "on it"}),
    "/api/v1/outages/1/notes": ("helpdesk", {"text": "crew left"}),
    "/api/v1/outages/1/assign": ("engineer", {"user": "budi"}),
}


def _allowed(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(client_as: Callable[[str | None], FlaskClient], role: str) -> None:
    client = client_as(role)
    for path, needed in PAGES.items():
        response = client.get(path)
        expected = 200 if _allowed(role, needed) else 403
        assert response.status_code == expected, (role, path, response.status_code)
        if expected == 403:
            assert "text/html" in response.content_type


@pytest.mark.parametrize("role", ROLES)
def test_api_per_role(client_as: Callable[[str | None], FlaskClient], role: str) -> None:
    client = client_as(role)
    for path, needed in API_GET.items():
        response = client.get(path)
        expected = 200 if _allowed(role, needed) else 403
        assert response.status_code == expected, (role, path)
        assert response.is_json
        if expected == 403:
            assert response.get_json()["error"] == "Forbidden"


@pytest.mark.parametrize("role", ROLES)
def test_planned_works_and_handling_per_role(app: Flask, client_as: Callable[[str | None], FlaskClient],
                                             role: str) -> None:
    from netops.accounts import create_token
    from web.db import db_session

    with app.app_context():
        token = create_token(db_session(), role)
        db_session().commit()
    client = client_as(None)
    for path, (needed, body) in HANDLING_POST.items():
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        expected = (201 if path.endswith("maintenance") else 200) if _allowed(role, needed) else 403
        assert response.status_code == expected, (role, path, response.get_json())
    ended = client.post("/api/v1/maintenance/1/end", headers={"Authorization": f"Bearer {token}"})
    assert ended.status_code == (200 if _allowed(role, "engineer") else 403)
    for path in HANDLING_POST:
        assert client_as(None).post(path, json={}).status_code == 401


def test_anonymous_pages_redirect_to_login(client_as: Callable[[str | None], FlaskClient]) -> None:
    client = client_as(None)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_anonymous_api_gets_401_json(client_as: Callable[[str | None], FlaskClient]) -> None:
    client = client_as(None)
    for path in API_GET:
        response = client.get(path)
        assert response.status_code == 401 and response.is_json, path
        assert response.get_json()["error"] == "Unauthorized"
    for path in API_POST:
        assert client.post(path).status_code == 401


def test_bearer_token_roles(app: Flask, client_as: Callable[[str | None], FlaskClient]) -> None:
    from netops.accounts import create_token, revoke_token
    from web.db import db_session

    with app.app_context():
        session = db_session()
        helpdesk, engineer = create_token(session, "helpdesk"), create_token(session, "engineer")
        session.commit()
    client = client_as(None)
    assert client.get("/api/v1/sites", headers={"Authorization": f"Bearer {helpdesk}"}).status_code == 200
    assert client.get("/api/v1/topology", headers={"Authorization": f"Bearer {helpdesk}"}).status_code == 403
    assert (
        client.post("/api/v1/jobs/status/run", headers={"Authorization": f"Bearer {helpdesk}"}).status_code
        == 403
    )
    assert (
        client.post("/api/v1/jobs/status/run", headers={"Authorization": f"Bearer {engineer}"}).status_code
        == 202
    )
    assert client.get("/api/v1/sites", headers={"Authorization": "Bearer nto_wrong"}).status_code == 401
    with app.app_context():
        session = db_session()
        revoke_token(session, engineer)
        session.commit()
    assert client.get("/api/v1/topology", headers={"Authorization": f"Bearer {engineer}"}).status_code == 401


def test_job_actions_reach_the_scheduler(app: Flask, scheduler, client_as) -> None:  # type: ignore[no-untyped-def]
    from netops.accounts import create_token
    from web.db import db_session

    with app.app_context():
        token = create_token(db_session(), "engineer")
        db_session().commit()
    client = client_as(None)
    for action in ("run", "pause", "resume"):
        response = client.post(
            f"/api/v1/jobs/counters/{action}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 202
    assert scheduler.calls == [("run", "counters"), ("pause", "counters"), ("resume", "counters")]
    unknown = client.post("/api/v1/jobs/nosuchjob/run", headers={"Authorization": f"Bearer {token}"})
    assert unknown.status_code == 404 and unknown.is_json


def test_job_actions_without_scheduler_answer_503(settings, engine, session) -> None:  # type: ignore[no-untyped-def]
    from tests.web.conftest import login
    from tests.web.seed import seed
    from web import create_app

    seed(session)
    app = create_app(settings, engine=engine, config={"TESTING": True})
    client = app.test_client()
    login(client, "engineer")
    page = client.get("/jobs").get_data(as_text=True)
    assert "Run now" not in page
    from netops.accounts import create_token
    from web.db import db_session

    with app.app_context():
        token = create_token(db_session(), "engineer")
        db_session().commit()
    assert (
        client.post("/api/v1/jobs/status/run", headers={"Authorization": f"Bearer {token}"}).status_code
        == 503
    )
