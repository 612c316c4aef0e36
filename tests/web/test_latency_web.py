"""The latency graph on device and site pages, and ``GET /api/v1/devices/<name>/latency``.

Real requests through the Flask test client on the seeded web database, with ICMP bursts stored
for acc-smpn1 (the last two hours; 30 % loss during the last 20 minutes) and none for acc-sdn1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, LatencyRollup, LatencySample
from web.latency import LatencyPoint, LatencySeries
from web.ui.latency_chart import latency_chart_of, loss_class

Client = Callable[[str | None], FlaskClient]
SMPN1 = "/devices/acc-smpn1"


@pytest.fixture
def bursts(app: Flask, session: Session) -> datetime:
    now = datetime.now(UTC).replace(microsecond=0)
    device_id = session.scalar(select(Device.id).where(Device.name == "acc-smpn1"))
    assert device_id is not None
    for minute in range(120, 0, -1):
        lossy = minute <= 20
        received = (3 if minute % 2 else 4) if lossy else 5
        rtt = 4.0 + (minute % 3)
        session.add(LatencySample(device_id=device_id, sampled_at=now - timedelta(minutes=minute), sent=5,
                                  received=received, rtt_min_ms=rtt - 1.0, rtt_avg_ms=rtt,
                                  rtt_max_ms=rtt + 6.0))
    for hours in range(3, 80):
        hour = (now - timedelta(hours=hours)).replace(minute=0, second=0)
        session.add(LatencyRollup(device_id=device_id, hour=hour, samples=60, sent=300, received=297,
                                  rtt_min_ms=2.0, rtt_median_ms=4.5, rtt_avg_ms=4.6, rtt_max_ms=12.0))
    session.commit()
    return now


def _section(html: str, device: str) -> str:
    match = re.search(rf'<section class="latency" data-device="{re.escape(device)}".*?</section>', html, re.S)
    assert match, f"no latency graph of {device}"
    return match.group(0)


def test_device_page_draws_median_band_and_loss(client_as: Client, bursts: datetime) -> None:
    html = client_as("engineer").get(SMPN1).get_data(as_text=True)
    graph = _section(html, "acc-smpn1")
    assert 'data-samples="120"' in graph
    assert re.search(r'<polygon class="band" points="[\d., ]{40,}"', graph)
    medians = re.findall(r'<polyline class="median (l\d)" points="([\d., ]+)"', graph)
    assert {css for css, _ in medians} >= {"l0", "l3"}, "clean steps green, 30-50 % loss steps coloured"
    cells = re.findall(r'<rect class="loss (l\d)" x="([\d.]+)"', graph)
    assert "l3" in {css for css, _ in cells} and {css for css, _ in cells} <= {"l1", "l2", "l3"}, cells
    assert min(float(x) for _, x in cells) > 400, "the loss is at the right end of the time axis"
    assert "No data" not in graph
    assert "Loss 5.0 %" in graph  # 30 % of the echoes of 20 of the 120 minutes
    assert graph.count('class="axis"') == 2 and graph.count('class="tick"') == 10  # 5 ms + 5 time labels
    assert "style=" not in graph and "<script" not in graph  # the CSP allows neither


def test_graph_without_data_says_so_with_its_axes(client_as: Client) -> None:
    html = client_as("engineer").get("/devices/acc-sdn1").get_data(as_text=True)
    graph = _section(html, "acc-sdn1")
    assert ">No data</text>" in graph and "No round trips measured in this window." in graph
    assert graph.count('class="axis"') == 2
    assert len(re.findall(r'<text class="tick"[^>]*>\d\d:\d\d</text>', graph)) == 5  # the time axis
    assert len(re.findall(r'<text class="tick"[^>]*>[\d.]+</text>', graph)) == 5  # the ms axis
    assert "<polyline" not in graph and "<rect" not in graph


def test_site_page_shows_its_switch_graph_to_the_help_desk(client_as: Client, bursts: datetime) -> None:
    client = client_as("helpdesk")
    html = client.get("/sites/SMP Negeri 1 Magelang").get_data(as_text=True)
    assert '<polyline class="median' in _section(html, "acc-smpn1")
    indonesian = client_as("helpdesk").get("/sites/SMP Negeri 1 Magelang",
                                           headers={"Accept-Language": "id"}).get_data(as_text=True)
    section = _section(indonesian, "acc-smpn1")
    assert "Latensi dan kehilangan paket acc-smpn1, 24 jam terakhir" in section
    assert "Kehilangan paket 5,0 %" in section or "Kehilangan paket 5.0 %" in section


def test_latency_api_per_burst_and_per_hour(client_as: Client, bursts: datetime) -> None:
    client = client_as("helpdesk")
    body = client.get("/api/v1/devices/acc-smpn1/latency?hours=24").get_json()
    assert (body["device"], body["hours"], body["resolution"]) == ("acc-smpn1", 24, "burst")
    points = body["points"]
    assert len(points) == 120
    assert set(points[0]) == {"at", "sent", "received", "loss_pct", "rtt_min_ms", "rtt_ms", "rtt_max_ms"}
    assert [p["loss_pct"] for p in points[:100]] == [0.0] * 100
    assert {p["loss_pct"] for p in points[100:]} == {20.0, 40.0}
    assert points[-1]["at"].endswith("Z") and points[0]["at"] < points[-1]["at"]
    week = client.get("/api/v1/devices/acc-smpn1/latency?hours=168").get_json()
    assert week["resolution"] == "hour" and len(week["points"]) == 77
    assert week["points"][0]["rtt_ms"] == 4.5 and week["points"][0]["loss_pct"] == 1.0
    default = client.get("/api/v1/devices/acc-smpn1/latency").get_json()
    assert default["hours"] == 24


@pytest.mark.parametrize("hours", ["0", "-3", "abc", "9601", "1e3", "24%20OR%201=1"])
def test_latency_api_refuses_bad_hours_naming_the_parameter(client_as: Client, hours: str) -> None:
    response = client_as("helpdesk").get(f"/api/v1/devices/acc-smpn1/latency?hours={hours}")
    assert response.status_code == 400
    assert "hours: expected a whole number from 1 to 9600" in response.get_data(as_text=True)


def test_latency_api_unknown_device_and_access(client_as: Client) -> None:
    missing = client_as("helpdesk").get("/api/v1/devices/no-such-switch/latency")
    assert missing.status_code == 404 and "no-such-switch" in missing.get_data(as_text=True)
    assert client_as(None).get("/api/v1/devices/acc-smpn1/latency").status_code == 401
    empty = client_as("helpdesk").get("/api/v1/devices/acc-sdn1/latency").get_json()
    assert empty["points"] == [] and empty["resolution"] == "hour"


def test_openapi_describes_the_latency_endpoint(client_as: Client) -> None:
    doc = client_as(None).get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/devices/{name}/latency"]["get"]
    assert [p["name"] for p in op["parameters"]] == ["name", "hours"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LatencySeries"}
    point = doc["components"]["schemas"]["LatencyPoint"]["properties"]
    assert point["loss_pct"] == {"type": "number"} and "rtt_ms" in point
    assert "Role: helpdesk" in op["description"]


def test_chart_geometry_steps_and_scale() -> None:
    start = datetime(2026, 5, 4, tzinfo=UTC)
    points = tuple(
        LatencyPoint(start + timedelta(minutes=m), 5, 5, 0.0, 1.0, 2.0, 3.0 if m != 30 else 500.0) if m < 600
        else LatencyPoint(start + timedelta(minutes=m), 5, 0, 100.0, None, None, None)  # down from 10:00
        for m in range(1440))
    chart = latency_chart_of(LatencySeries("x", 24, "burst", start, start + timedelta(hours=24), points))
    labels = [t.label for t in chart.y_ticks]
    assert labels == ["0", "2.5", "5", "7.5", "10"], "one 500 ms echo does not flatten it"
    assert [s.css for s in chart.segments] == ["l0", "l4"], "the line stops where nothing answered"
    assert max(float(xy.split(",")[0]) for xy in chart.segments[-1].points.split()) < 300
    assert {c.css for c in chart.cells} == {"l4", "l5"} and len(chart.cells) >= 88
    assert chart.loss_pct == pytest.approx(58.3, abs=0.1)
    assert [loss_class(v) for v in (0, 5, 10, 20, 30, 60, 100)] == ["l0", "l1", "l1", "l2", "l3", "l4", "l5"]
