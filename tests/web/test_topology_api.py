"""Single points of failure, what-if and the map's overlay over HTTP, the CLI and the pages.

The seeded network (``tests.web.seed``): core -- dist-utara -- SMP 1, the fiber to SD 1 cut,
Dinas Kesehatan dual-homed with one fiber down. Real requests through the Flask test client,
real ``netops`` commands on the same database: the API, the CLI and the pages give one answer,
and that answer is the brute-force one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from cli import main
from netops.monitor.network_view import NetworkViews
from netops.settings import Settings
from tests.topology.brute import brute_from_view

Client = Callable[[str | None], FlaskClient]
SD1_CUT = "acc-sdn1:sfp1--dist-utara:sfp2"
DINKES_DOWN = "acc-dinkes:sfp2--core-balaikota:sfp2"
UPLINK = "core-balaikota:xe1--dist-utara:xe1"


def cli(settings: Settings, *args: str) -> Any:
    out = CliRunner().invoke(main, list(args), env={"NETOPS_DATA_DIR": str(settings.data_dir)})
    assert out.exit_code == 0, out.output
    return json.loads(out.output) if "--json" in args else out.output


def _brute(app: Flask) -> list[dict[str, Any]]:
    return brute_from_view(NetworkViews(app.extensions["netops.topology"].engine).current())


def test_spof_api_equals_the_cli_and_brute_force(client_as: Client, app: Flask, settings: Settings) -> None:
    api = client_as("engineer").get("/api/v1/topology/spof")
    assert api.status_code == 200
    body = api.get_json()
    assert body == cli(settings, "topology", "spof", "--json") == _brute(app)
    assert [(p["type"], p["name"]) for p in body] == [
        ("device", "core-balaikota"),
        ("device", "dist-utara"),
        ("link", UPLINK),
        ("link", "acc-smpn1:sfp1--dist-utara:sfp1"),
        ("link", "acc-dinkes:sfp1--core-balaikota:sfp1"),  # the dual-homed office runs on one fiber
    ]
    assert body[1]["sites"] == ["Kantor Kecamatan Magelang Utara", "SMP Negeri 1 Magelang"]
    text = cli(settings, "topology", "spof")
    assert text.splitlines()[0] == "device core-balaikota: 4 site(s), 1 school(s)"


def test_topology_endpoints_are_for_engineers_and_documented(client_as: Client) -> None:
    paths = ("/api/v1/topology/spof", "/api/v1/topology/impact?device=dist-utara", "/api/v1/topology/overlay")
    for path in paths:
        assert client_as(None).get(path).status_code == 401, path
        assert client_as("helpdesk").get(path).status_code == 403, path
        assert client_as("engineer").get(path).status_code == 200, path
    doc = client_as(None).get("/api/v1/openapi.json").get_json()
    spof = doc["paths"]["/topology/spof"]["get"]
    assert spof["description"].startswith("Role: engineer or higher.")
    item = spof["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]
    assert set(doc["components"]["schemas"][item.rsplit("/", 1)[1]]["properties"]) == {
        "type",
        "name",
        "sites",
    }
    impact = doc["paths"]["/topology/impact"]["get"]
    assert {p["name"] for p in impact["parameters"]} == {"device", "link"}
    assert {"200", "400", "404", "401", "403"} <= set(impact["responses"])
    ref = impact["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    answer = client_as("engineer").get(paths[1]).get_json()
    assert set(answer) == set(doc["components"]["schemas"][ref]["properties"])
    overlay = doc["paths"]["/topology/overlay"]["get"]["responses"]["200"]["content"]["application/json"]
    ref = overlay["schema"]["$ref"].rsplit("/", 1)[1]
    got = client_as("engineer").get(paths[2]).get_json()
    assert set(got) == set(doc["components"]["schemas"][ref]["properties"])


def test_impact_api_is_the_cli_answer(client_as: Client, settings: Settings) -> None:
    client = client_as("engineer")
    device = client.get("/api/v1/topology/impact?device=dist-utara").get_json()
    assert device == cli(settings, "topology", "impact", "--device", "dist-utara", "--json")
    assert device["lost_sites"] == ["Kantor Kecamatan Magelang Utara", "SMP Negeri 1 Magelang"]
    assert device["lost_by_kind"] == {
        "district": ["Kantor Kecamatan Magelang Utara"],
        "school": ["SMP Negeri 1 Magelang"],
    }
    for written in ("core-balaikota:xe1,dist-utara:xe1", "dist-utara:xe1", UPLINK):
        link = client.get("/api/v1/topology/impact", query_string={"link": written}).get_json()
        assert link["element"] == {"type": "link", "name": UPLINK}, written
        assert link["lost_sites"] == device["lost_sites"]
    ring = client.get("/api/v1/topology/impact", query_string={"link": "acc-dinkes:sfp1"}).get_json()
    assert ring["lost_sites"] == ["Dinas Kesehatan"]


def test_impact_api_errors_name_the_nearest_valid_elements(client_as: Client, settings: Settings) -> None:
    client = client_as("engineer")
    unknown = client.get("/api/v1/topology/impact?device=dist-utra")
    assert unknown.status_code == 404
    assert unknown.get_json()["message"].startswith(
        "no device 'dist-utra' in the topology; nearest: dist-utara, "
    )
    port = client.get("/api/v1/topology/impact", query_string={"link": "dist-utara:sfp9,acc-smpn1:sfp1"})
    assert port.status_code == 404
    message = port.get_json()["message"]
    assert message.startswith("no link between dist-utara:sfp9 and acc-smpn1:sfp1; dist-utara and "
                              "acc-smpn1 are linked by: dist-utara:sfp1 - acc-smpn1:sfp1"), message
    for query in (
        {},
        {"device": "dist-utara", "link": UPLINK},
        {"link": "dist-utara"},
        {"link": "a:1,b:2,c:3"},
    ):
        bad = client.get("/api/v1/topology/impact", query_string=query)
        assert bad.status_code == 400, query
        assert bad.get_json()["error"] == "Bad Request" and bad.get_json()["message"], query
    out = CliRunner().invoke(
        main, ["topology", "impact", "--device", "dist-utra"], env={"NETOPS_DATA_DIR": str(settings.data_dir)}
    )
    assert out.exit_code == 2 and "nearest: dist-utara" in out.output


def test_overlay_reads_the_stored_outages(client_as: Client) -> None:
    client = client_as("engineer")
    overlay = client.get("/api/v1/topology/overlay").get_json()
    assert overlay["root_causes"] == [
        {"type": "link", "name": DINKES_DOWN},
        {"type": "link", "name": SD1_CUT},
    ]
    active = {o["root_cause"]["name"]: o for o in client.get("/api/v1/outages?active=true").get_json()}
    outages = {o["name"]: o for o in overlay["outages"]}
    assert outages.keys() == active.keys()
    sd1 = outages[SD1_CUT]
    assert sd1["id"] == active[SD1_CUT]["id"] and sd1["cause"] == active[SD1_CUT]["cause"]["en"]
    assert sd1["url"] == f"/outages/{sd1['id']}"
    assert overlay["devices"]["acc-sdn1"]["outage_id"] == sd1["id"]  # cut off by it
    assert overlay["links"][SD1_CUT]["outage_id"] == sd1["id"]
    assert overlay["devices"]["acc-smpn1"]["outage_id"] is None and overlay["devices"]["acc-smpn1"]["since"]
    assert [s["name"] for s in overlay["spofs"]] == [
        p["name"] for p in client.get("/api/v1/topology/spof").get_json()
    ]
    indonesian = client.get("/api/v1/topology/overlay", headers={"Accept-Language": "id"}).get_json()
    cause = next(o["cause"] for o in indonesian["outages"] if o["name"] == SD1_CUT)
    assert cause == active[SD1_CUT]["cause"]["id"] and "putus" in cause


def _tag(html: str, selector: str) -> str:
    match = re.search(selector, html)
    assert match, selector
    return match.group(0)


def test_map_marks_root_causes_cut_off_and_single_points(client_as: Client) -> None:
    html = client_as("engineer").get("/topology").get_data(as_text=True)
    cut = _tag(html, rf'<line class="link l-down" data-key="{SD1_CUT}"[^>]*>')
    assert " data-cause" in cut and "data-behind" not in cut  # the failed element itself
    sdn1 = _tag(html, r'<g class="node n-unreachable[^>]*data-name="acc-sdn1"[^>]*>')
    assert "data-cause" not in sdn1  # only cut off behind it
    assert " data-spof" in _tag(html, r'<g class="node [^>]*data-name="dist-utara"[^>]*>')
    assert " data-spof" in _tag(html, rf'<line [^>]*data-key="{UPLINK}"[^>]*>')
    assert "data-spof" not in _tag(html, r'<g class="node [^>]*data-name="acc-smpn1"[^>]*>')  # own site only
    assert 'id="spof-count"' in html and ">5</a>" in html
    assert 'id="f-spof" checked' not in html
    assert 'id="f-spof" checked' in client_as("engineer").get("/topology?spof=1").get_data(as_text=True)


def test_spof_page_ranks_and_answers_what_if(client_as: Client) -> None:
    client = client_as("engineer")
    assert client_as("helpdesk").get("/topology/spof").status_code == 403
    html = client.get("/topology/spof").get_data(as_text=True)
    rows = re.findall(r'<tr data-type="(\w+)" data-name="([^"]+)">', html)
    assert [name for _, name in rows][:3] == ["core-balaikota", "dist-utara", UPLINK]
    assert "5 single point(s) of failure" in html
    page = client.get("/topology/spof?element=dist-utara").get_data(as_text=True)
    impact = _tag(page, r'<section class="impact card" id="impact"[\s\S]*?</section>')
    assert 'data-lost="2"' in impact and "SMP Negeri 1 Magelang" in impact
    assert "Cut off: 2 site(s)" in impact and "schools (1):" in impact
    by_link = client.get("/topology/spof", query_string={"element": UPLINK}).get_data(as_text=True)
    assert 'data-lost="2"' in by_link
    ring = client.get("/topology/spof?element=acc-dinkes:sfp1").get_data(as_text=True)
    assert "Dinas Kesehatan" in _tag(ring, r'<section class="impact[\s\S]*?</section>')
    typo = client.get("/topology/spof?element=dist-utara:sfp9").get_data(as_text=True)
    assert "Nothing named dist-utara:sfp9 in the topology." in unescape(typo)
    assert 'href="/topology/spof?element=dist-utara:sfp1,acc-smpn1:sfp1#impact"' in typo  # nearest, as links
    hostile = client.get("/topology/spof", query_string={"element": "<script>x</script>"}).get_data(
        as_text=True
    )
    assert "<script>x" not in hostile and "&lt;script&gt;x" in hostile
    assert "Titik kegagalan tunggal" in client.get(
        "/topology/spof", headers={"Accept-Language": "id"}
    ).get_data(as_text=True)


def test_map_pages_keep_the_strict_csp_and_vendored_assets(client_as: Client) -> None:
    client = client_as("engineer")
    for path in ("/topology", "/topology?spof=1", "/topology/spof", "/topology/spof?element=dist-utara"):
        response = client.get(path)
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"], path
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", html), path  # scripts only ours, by src
        assert not re.search(r"\son[a-z]+=", html), path
        assert not re.search(r"(href|src)=\"(https?:)?//", html), path  # nothing from elsewhere
    assert client.get("/static/topology.css").status_code == 200
