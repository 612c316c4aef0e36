"""What the pages say: the help-desk answer, outages filters and CSV, the map, device detail, i18n."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import csrf_from

Client = Callable[[str | None], FlaskClient]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_school_search_is_typo_tolerant_and_answers_offline_with_cause(client_as: Client) -> None:
    html = client_as("helpdesk").get("/schools?q=sd+1+magelng").get_data(as_text=True)
    answer = _text(html.split('class="answer', 1)[1].split("</section>", 1)[0])
    assert "SD Negeri 1 Magelang" in answer
    assert re.search(r"Offline since \d\d:\d\d \(1[78] minutes\)", answer), answer
    assert "the fiber between SD Negeri 1 Magelang and Kantor Kecamatan Magelang Utara is cut" in answer
    assert "Bu Sri 0812-2222" in answer
    assert re.search(r"Availability: 99\.\d\d % \(7 days\)", answer)


def test_online_school(client_as: Client) -> None:
    html = client_as("helpdesk").get("/schools?q=smpn1").get_data(as_text=True)
    assert 'data-state="online"' in html and "SMP Negeri 1 Magelang" in html
    assert "acc-smpn1 → dist-utara → core-balaikota" in _text(html)


def test_no_match(client_as: Client) -> None:
    html = client_as("helpdesk").get("/schools?q=zzzz+qqq").get_data(as_text=True)
    assert "No site matches" in html and 'class="answer' not in html


def test_school_list_sorts_by_state(client_as: Client) -> None:
    html = client_as("helpdesk").get("/schools?sort=state").get_data(as_text=True)
    rows = re.findall(r'<tr data-state="(\w+)"><td><a[^>]*>([^<]+)</a>', html)
    assert rows == [("offline", "SD Negeri 1 Magelang"), ("online", "SMP Negeri 1 Magelang")]
    everything = client_as("helpdesk").get("/schools?kind=all&sort=name").get_data(as_text=True)
    names = re.findall(r'<tr data-state="\w+"><td><a[^>]*>([^<]+)</a>', everything)
    assert names == sorted(names) and len(names) == 5


def test_dual_homed_office_with_one_fiber_down_is_degraded(client_as: Client) -> None:
    sites = {s["site"]["name"]: s for s in client_as("helpdesk").get("/api/v1/sites").get_json()}
    assert sites["Dinas Kesehatan"]["state"] == "degraded"
    assert sites["SD Negeri 1 Magelang"]["state"] == "offline"
    assert sites["SMP Negeri 1 Magelang"]["state"] == "online"


def test_dashboard_counts_and_outage(client_as: Client) -> None:
    text = _text(client_as("helpdesk").get("/").get_data(as_text=True))
    assert "4 up" in text.replace("Devices ", "") and "1 unreachable" in text  # the school behind the cut
    assert re.search(r"Links 3 up 2 down", text)
    assert "SD Negeri 1 Magelang" in text and "acc-sdn1:sfp1--dist-utara:sfp2" in text


def test_outages_filter_and_csv(client_as: Client) -> None:
    client = client_as("helpdesk")
    assert "SD Negeri 1 Magelang" in client.get("/outages?kind=school").get_data(as_text=True)
    assert "SD Negeri 1 Magelang" not in client.get("/outages?kind=agency").get_data(as_text=True)
    assert "SD Negeri 1 Magelang" not in client.get("/outages?district=Magelang+Tengah").get_data(
        as_text=True
    )
    response = client.get("/outages.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["root_cause"] for r in rows} == {
        "acc-sdn1:sfp1--dist-utara:sfp2",
        "acc-dinkes:sfp2--core-balaikota:sfp2",
        "acc-smpn1",
    }
    closed = next(r for r in rows if r["root_cause"] == "acc-smpn1")
    assert closed["duration_s"] == "7200"


def test_topology_draws_links_in_state_colours(client_as: Client) -> None:
    html = client_as("engineer").get("/topology").get_data(as_text=True)
    down = re.findall(r'class="link l-down" data-key="([^"]+)"', html)
    assert sorted(down) == ["acc-dinkes:sfp2--core-balaikota:sfp2", "acc-sdn1:sfp1--dist-utara:sfp2"]
    assert html.count('class="node ') == 5
    assert "Magelang Utara" in html  # district filter option


def test_topology_positions_are_stable(client_as: Client) -> None:
    client = client_as("engineer")
    first = client.get("/api/v1/topology").get_json()
    second = client.get("/api/v1/topology").get_json()
    assert [(n["id"], n["x"], n["y"]) for n in first["nodes"]] == [
        (n["id"], n["x"], n["y"]) for n in second["nodes"]
    ]
    assert len({(n["x"], n["y"]) for n in first["nodes"]}) == 5


def test_device_page_has_interfaces_chart_and_polls(client_as: Client) -> None:
    html = client_as("engineer").get("/devices/acc-smpn1").get_data(as_text=True)
    assert "<polyline" in html and "sfp1" in html
    assert "2.0 Mbit/s" in html and "-7.50" in html
    assert "interfaces" in html  # last poll's completed kinds
    assert client_as("engineer").get("/devices/nope").status_code == 404


def test_language_from_browser_and_from_choice(app: Flask, client_as: Client) -> None:
    client = client_as("helpdesk")
    html = client.get("/schools?q=sd+1+magelang", headers={"Accept-Language": "id-ID,id;q=0.9"}).get_data(
        as_text=True
    )
    assert (
        "Terputus sejak" in html
        and "serat optik antara SD Negeri 1 Magelang dan Kantor Kecamatan Magelang Utara putus" in html
    )
    token = csrf_from(html)
    client.post("/auth/language", data={"lang": "id", "csrf_token": token, "next": "/"})
    assert "Gangguan aktif" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    other = client_as("helpdesk")  # the user's stored setting follows them to a new session
    assert "Gangguan aktif" in other.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_errors_are_html_for_pages_and_json_for_api(client_as: Client) -> None:
    client = client_as("helpdesk")
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "text/html" in page.content_type
    api = client.get("/api/v1/nothing")
    assert api.status_code == 404 and api.get_json()["error"] == "Not Found"
    negotiated = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert negotiated.is_json


def test_metrics_and_health(client_as: Client) -> None:
    client = client_as("engineer")  # anonymous reading is off by default: see test_hardening_metrics
    body = client.get("/metrics").get_data(as_text=True)
    assert 'netops_device_up{device="acc-smpn1"' in body
    assert 'netops_link_up{link="dist-utara:sfp2--acc-sdn1:sfp1"} 0.0' in body
    assert 'netops_optical_rx_dbm{device="acc-smpn1",interface="sfp1"} -7.5' in body
    assert 'netops_poll_duration_seconds{job="status"} 3.2' in body
    assert client_as(None).get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_map_places_a_new_unlinked_device_without_moving_the_others(app: Flask, client_as: Client) -> None:
    from inventory.models import Device
    from topology.layout import load_positions
    from web.db import db_session

    client = client_as("engineer")
    views = app.extensions["netops.topology"]
    views.structure_recheck_s = 0.3  # another process's inventory change shows within this (2 s)
    assert client.get("/topology").status_code == 200
    with app.app_context():
        stored = load_positions(db_session())
        assert len(stored) == 5
        db_session().add(Device(name="acc-new", address="198.51.100.99", role="access"))
        db_session().commit()
    time.sleep(0.35)
    assert client.get("/topology").status_code == 200
    assert "acc-new" in {n["id"] for n in client.get("/api/v1/topology").get_json()["nodes"]}
    with app.app_context():
        now = load_positions(db_session())
    assert "acc-new" in now and {k: now[k] for k in stored} == stored


def test_inventory_shows_the_cabling_audit(client_as: Client) -> None:
    html = client_as("engineer").get("/inventory").get_data(as_text=True)
    # the seed declares five links and has no LLDP data: all five are declared but not seen
    assert re.search(r"0 declared links confirmed by LLDP/CDP", html)
    assert (
        len(re.findall(r"<li>", html.split('data-kind="declared_not_seen"', 1)[1].split("</ul>", 1)[0])) == 5
    )
    assert "no neighbor data from either end" in html


def test_admin_adds_a_user_and_sees_translated_form_errors(client_as: Client) -> None:
    client = client_as("admin")
    token = csrf_from(client.get("/users").get_data(as_text=True))
    short = client.post(
        "/users",
        data={"name": "budi", "password": "short", "role": "engineer", "csrf_token": token},
        headers={"Accept-Language": "id"},
    )
    assert "Minimal 8 karakter." in short.get_data(as_text=True)
    added = client.post(
        "/users",
        data={"name": "budi", "password": "long-enough", "role": "engineer", "csrf_token": token},
        follow_redirects=True,
    )
    assert "User budi added." in added.get_data(as_text=True)
    again = client.post(
        "/users",
        data={"name": "budi", "password": "long-enough", "role": "engineer", "csrf_token": token},
        follow_redirects=True,
    )
    assert "User budi already exists." in again.get_data(as_text=True)
    new = client_as(None)
    login_page = csrf_from(new.get("/auth/login").get_data(as_text=True))
    ok = new.post("/auth/login", data={"name": "budi", "password": "long-enough", "csrf_token": login_page})
    assert (
        ok.status_code == 302
        and new.get("/topology").status_code == 200
        and new.get("/users").status_code == 403
    )
