"""Planned works and outage handling on the web: the API, the maintenance page's preview step,
the acknowledge/note/assign forms, the timeline and the help-desk answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inventory.models import Outage
from netops.accounts import create_token
from netops.monitor.monitor import Monitor
from netops.settings import load_settings
from tests.web.conftest import csrf_from
from web.db import db_session

Client = Callable[[str | None], FlaskClient]
CUT = "acc-sdn1:sfp1--dist-utara:sfp2"  # the seed's cut fiber: SD Negeri 1 Magelang offline


def _tokens(app: Flask) -> dict[str, dict[str, str]]:
    with app.app_context():
        session = db_session()
        out = {role: {"Authorization": f"Bearer {create_token(session, role)}"}
               for role in ("helpdesk", "engineer")}
        session.commit()
    return out


def _open_outage(app: Flask) -> int:
    with app.app_context():
        query = select(Outage.id).where(Outage.root_cause == CUT, Outage.ended_at.is_(None))
        outage_id = db_session().scalar(query)
    assert outage_id is not None
    return outage_id


def test_api_plans_previews_lists_and_ends_works(app: Flask, client_as: Client) -> None:
    auth = _tokens(app)
    client = client_as(None)
    body = {"scope": "link", "target": "dist-utara:sfp1,acc-smpn1:sfp1", "start": "2030-01-06T10:00",
            "duration_minutes": 120, "reason": "splice <b>SMPN1</b>"}
    preview = client.post("/api/v1/maintenance", json={**body, "preview": True}, headers=auth["engineer"])
    assert preview.status_code == 200
    assert preview.get_json()["blast_radius"] == [{"site": "SMP Negeri 1 Magelang", "effect": "disconnected"}]
    assert client.get("/api/v1/maintenance", headers=auth["helpdesk"]).get_json() == []  # nothing saved
    made = client.post("/api/v1/maintenance", json=body, headers=auth["engineer"])
    assert made.status_code == 201, made.get_json()
    window = made.get_json()
    assert window["created_by"] == "engineer" and window["target"] == "acc-smpn1:sfp1--dist-utara:sfp1"
    assert window["starts_at"] == "2030-01-06T03:00:00Z"  # 10:00 WIB
    assert window["blast_radius"] == [{"site": "SMP Negeri 1 Magelang", "effect": "disconnected"}]
    listed = client.get("/api/v1/maintenance", headers=auth["helpdesk"]).get_json()
    assert [w["id"] for w in listed] == [window["id"]]
    assert client.post("/api/v1/maintenance", json=body, headers=auth["helpdesk"]).status_code == 403
    bad = client.post("/api/v1/maintenance", json={**body, "scope": "site", "target": "SMP Negeri 1"},
                      headers=auth["engineer"])
    assert bad.status_code == 400 and "did you mean SMP Negeri 1 Magelang" in bad.get_json()["message"]
    assert client.post("/api/v1/maintenance", json={**body, "duration_minutes": None},
                       headers=auth["engineer"]).status_code == 400
    ended = client.post(f"/api/v1/maintenance/{window['id']}/end", headers=auth["engineer"])
    assert ended.status_code == 200 and ended.get_json()["ended_at"]
    assert client.post(f"/api/v1/maintenance/{window['id']}/end", headers=auth["engineer"]).status_code == 404


def test_api_ack_notes_assign_and_the_help_desk_answer(app: Flask, client_as: Client) -> None:
    auth = _tokens(app)
    client = client_as(None)
    outage = _open_outage(app)
    assert client.post(f"/api/v1/outages/{outage}/ack", json={"note": "crew on the way"},
                       headers=auth["helpdesk"]).status_code == 200
    assert client.post(f"/api/v1/outages/{outage}/notes", json={"text": "splice at pole 12"},
                       headers=auth["helpdesk"]).status_code == 200
    assert client.post(f"/api/v1/outages/{outage}/notes", json={"text": " "},
                       headers=auth["helpdesk"]).status_code == 400
    assert client.post(f"/api/v1/outages/{outage}/assign", json={"user": "budi"},
                       headers=auth["helpdesk"]).status_code == 403
    assert client.post(f"/api/v1/outages/{outage}/assign", json={"user": "budi"},
                       headers=auth["engineer"]).status_code == 200
    assert client.post("/api/v1/outages/999/ack", headers=auth["helpdesk"]).status_code == 404
    rows = client.get("/api/v1/outages", headers=auth["helpdesk"]).get_json()
    [row] = [o for o in rows if o["id"] == outage]
    assert row["acknowledged_by"] == "helpdesk" and row["assignee"] == "budi" and row["acknowledged_at"]
    assert [(n["by"], n["text"]) for n in row["notes"]] == [("helpdesk", "crew on the way"),
                                                            ("helpdesk", "splice at pole 12")]
    kinds = [e["kind"] for e in client.get(f"/api/v1/outages/{outage}/timeline",
                                           headers=auth["helpdesk"]).get_json()]
    assert kinds[0] == "opened" and kinds[-4:] == ["acknowledged", "note", "note", "assigned"]
    page = client_as("helpdesk").get("/sites/SD%20Negeri%201%20Magelang").get_data(as_text=True)
    assert "Being handled by helpdesk since" in page and "splice at pole 12" in page
    sheet = client_as("helpdesk").get("/outages.csv").get_data(as_text=True)
    assert f"{outage},link,{CUT}" in sheet and ",helpdesk,budi" in sheet


def test_planned_works_page_previews_before_saving(app: Flask, client_as: Client) -> None:
    client = client_as("engineer")
    page = client.get("/maintenance").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "scope": "site", "target": "Kantor Kecamatan Magelang Utara",
            "start": "", "minutes": "90", "reason": "UPS <script>x</script>", "rrule": ""}
    shown = client.post("/maintenance", data={**form, "action": "preview"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "data-preview" in html and 'value="save"' in html
    assert "SMP Negeri 1 Magelang" in html and "<script>x</script>" not in html
    with app.app_context():
        assert client.get("/api/v1/maintenance").get_json() == []
    saved = client.post("/maintenance", data={**form, "action": "save"})
    assert saved.status_code == 302
    listing = client.get("/maintenance").get_data(as_text=True)
    assert "in progress" in listing and "UPS &lt;script&gt;" in listing
    school = client_as("helpdesk").get("/sites/SMP%20Negeri%201%20Magelang").get_data(as_text=True)
    assert "data-works" in school and "UPS &lt;script&gt;" in school  # the help desk knows before it calls
    wrong = client.post("/maintenance",
                        data={**form, "target": "Kantor Kecamatan Utara", "action": "preview"})
    assert wrong.status_code == 400 and "did you mean" in wrong.get_data(as_text=True)
    helpdesk = client_as("helpdesk")
    assert "Plan works" not in helpdesk.get("/maintenance").get_data(as_text=True)
    assert helpdesk.post("/maintenance", data={**form, "action": "save"}).status_code in (400, 403)


def test_ack_and_note_buttons_and_the_timeline_on_the_outage_page(app: Flask, client_as: Client) -> None:
    outage = _open_outage(app)
    client = client_as("helpdesk")
    dashboard = client.get("/").get_data(as_text=True)
    assert "data-ack-button" in dashboard
    page = client.get(f"/outages/{outage}").get_data(as_text=True)
    assert "data-timeline" in page and 'data-kind="opened"' in page and "assign-form" not in page
    done = client.post(f"/outages/{outage}/ack", data={"csrf_token": csrf_from(page), "note": "on it",
                                                       "back": "dashboard"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/")
    page = client.get(f"/outages/{outage}").get_data(as_text=True)
    assert 'data-kind="acknowledged"' in page and "on it" in page and "data-ack-button" not in page
    client.post(f"/outages/{outage}/note", data={"csrf_token": csrf_from(page), "text": "fiber found"})
    assert "fiber found" in client.get(f"/outages/{outage}").get_data(as_text=True)
    assert client.post(f"/outages/{outage}/assign", data={"csrf_token": csrf_from(page), "user": "x"}
                       ).status_code == 403
    assert client.post(f"/outages/{outage}/ack", data={"note": "no token"}).status_code == 400  # CSRF


def test_a_planned_outage_says_until_when_and_why(app: Flask, client_as: Client) -> None:
    auth = _tokens(app)
    client = client_as(None)
    body = {"scope": "link", "target": "dist-utara:sfp2,acc-sdn1:sfp1", "duration_minutes": 60,
            "reason": "ganti kabel"}
    made = client.post("/api/v1/maintenance", json=body, headers=auth["engineer"])
    assert made.status_code == 201
    with app.app_context():
        session = db_session()
        Monitor(load_settings(environ={})).evaluate(session, {}, datetime.now(UTC))
        session.commit()
    [row] = [o for o in client.get("/api/v1/outages?active=true", headers=auth["helpdesk"]).get_json()
             if o["root_cause"]["name"] == CUT]
    assert row["planned"] is True and row["maintenance_id"] == made.get_json()["id"]
    page = client_as("helpdesk").get("/sites/SD%20Negeri%201%20Magelang").get_data(as_text=True)
    assert "Planned works until" in page and "ganti kabel" in page
