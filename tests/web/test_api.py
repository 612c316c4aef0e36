"""The JSON API's content and the OpenAPI document against the registered routes."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import csrf_from

Client = Callable[[str | None], FlaskClient]


def test_openapi_matches_routes(app: Flask, client_as: Client) -> None:
    doc = client_as(None).get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1") :])  # <int:id> is {id}
            routed |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    assert ("/jobs/{job}/run", "post") in documented and ("/topology", "get") in documented
    sites = doc["paths"]["/sites"]["get"]
    assert (
        sites["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]
        == "#/components/schemas/SiteStatus"
    )
    assert "401" in sites["responses"] and "403" in sites["responses"]
    outage_params = {p["name"]: p["in"] for p in doc["paths"]["/outages"]["get"]["parameters"]}
    assert outage_params == {"active": "query", "limit": "query"}
    assert doc["paths"]["/jobs/{job}/run"]["post"]["parameters"][0] == {
        "name": "job",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    props = doc["components"]["schemas"]["DeviceView"]["properties"]
    assert props["state_since"] == {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
    assert doc["components"]["schemas"]["Outage"]["properties"]["root_cause"]["type"] == "object"


def test_openapi_schemas_describe_the_answers(client_as: Client) -> None:
    client = client_as("admin")
    token = csrf_from(client.get("/maintenance").get_data(as_text=True))
    planned = client.post("/api/v1/maintenance", headers={"X-CSRFToken": token},
                          json={"scope": "device", "target": "acc-smpn1", "duration_minutes": 30,
                                "reason": "x"})
    assert planned.status_code == 201  # so /maintenance has an answer to compare
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        content = ops.get("get", {}).get("responses", {}).get("200", {}).get("content")
        if not content or "{" in path or "items" not in content["application/json"]["schema"]:
            continue  # one-object answers (topology impact, overlay): tests/web/test_topology_api.py
        ref = content["application/json"]["schema"]["items"]["$ref"].rsplit("/", 1)[1]
        body = client.get("/api/v1" + path).get_json()
        assert body, path
        assert set(body[0]) == set(schemas[ref]["properties"]), path


def test_topology_is_node_link_json(client_as: Client) -> None:
    topo = client_as("engineer").get("/api/v1/topology").get_json()
    ids = {n["id"] for n in topo["nodes"]}
    assert ids == {"core-balaikota", "dist-utara", "acc-smpn1", "acc-sdn1", "acc-dinkes"}
    assert all(link["source"] in ids and link["target"] in ids for link in topo["links"])
    states = {link["key"]: link["state"] for link in topo["links"]}
    assert states["acc-sdn1:sfp1--dist-utara:sfp2"] == "down"
    assert states["acc-smpn1:sfp1--dist-utara:sfp1"] == "up"


def test_outages_active_filter(client_as: Client) -> None:
    client = client_as("helpdesk")
    active = client.get("/api/v1/outages?active=true").get_json()
    closed = client.get("/api/v1/outages?active=false").get_json()
    assert sorted(o["root_cause"]["name"] for o in active) == [
        "acc-dinkes:sfp2--core-balaikota:sfp2",
        "acc-sdn1:sfp1--dist-utara:sfp2",
    ]
    ring = next(o for o in active if o["root_cause"]["name"] == "acc-dinkes:sfp2--core-balaikota:sfp2")
    assert ring["affected_sites"] == [] and ring["degraded_sites"] == ["Dinas Kesehatan"]
    assert [o["root_cause"]["name"] for o in closed] == ["acc-smpn1"]
    assert closed[0]["duration_s"] == 7200 and closed[0]["ended_at"].endswith("Z")
    assert client.get("/api/v1/events?limit=abc").status_code == 400


def test_jobs_api_shows_history_and_schedule(client_as: Client) -> None:
    jobs = {j["name"]: j for j in client_as("engineer").get("/api/v1/jobs").get_json()}
    assert set(jobs) >= {"status", "counters", "discovery", "ssh"}
    assert jobs["status"]["last"]["duration_s"] == 3.2 and jobs["status"]["paused"] is False
    assert jobs["counters"]["last"] is None
