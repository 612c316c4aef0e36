"""The logical map's two levels (``/topology?level=district|device``) through the Flask test client.

The seeded network (``tests.web.seed``, states and outages by the real monitor) with SD Negeri 1
moved to its own district, Magelang Selatan: the fiber cut to it (the root cause of an open
outage, the school offline) now runs between two districts. Magelang Tengah holds the core and
the dual-homed Dinas Kesehatan (one of its two fibers down: a root cause, the office degraded),
Magelang Utara the distribution switch, its office and SMP Negeri 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from inventory.models import Site, User
from netops.scope import Scope
from netops.settings import Settings
from tests.web.conftest import FakeScheduler
from tests.web.seed import XSS, seed
from web import create_app
from web.composite import district_map
from web.districtmap import DEVICE_LEVEL_MAX, build, fit
from web.ui.svgmap import render_districts
from web.views import Topology, TopologyLink, TopologyNode

Client = Callable[[str | None], FlaskClient]
CUT = "acc-sdn1:sfp1--dist-utara:sfp2"
DINKES_DOWN = "acc-dinkes:sfp2--core-balaikota:sfp2"
ATTRS = re.compile(r'(data-[a-z]+)(?:="([^"]*)")?')


@pytest.fixture
def app(settings: Settings, engine: Engine, session: Session, scheduler: FakeScheduler) -> Flask:
    seed(session)
    sd1 = update(Site).where(Site.name == "SD Negeri 1 Magelang")
    session.execute(sd1.values(district="Magelang Selatan"))
    session.commit()
    return create_app(settings, engine=engine, scheduler_control=scheduler, config={"TESTING": True})


def _districts(html: str) -> dict[str, dict[str, str]]:
    out = {}
    for tag in re.findall(r'<a class="district[^>]*>', html):
        attrs = dict(ATTRS.findall(tag)) | {"class": tag.split('"')[1]}
        out[unescape(attrs["data-district"])] = attrs
    return out


def _edges(html: str) -> dict[tuple[str, str], dict[str, str]]:
    out = {}
    for tag in re.findall(r'<g class="dlink[^>]*>', html):
        attrs = dict(ATTRS.findall(tag)) | {"class": tag.split('"')[1]}
        out[(unescape(attrs["data-a"]), unescape(attrs["data-b"]))] = attrs
    return out


def _main(html: str) -> str:
    """The page below the header (whose language form echoes the URL asked)."""
    return html[html.index('<div id="topo-page"'):]


def _layer(html: str) -> str:
    return html[html.index('<g id="districts"'):html.index("</svg>")]


def test_district_level_counts_states_and_down_links(client_as: Client) -> None:
    response = client_as("engineer").get("/topology?level=district")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    nodes = _districts(html)
    assert {name: (n["data-devices"], n["data-sites"], n["data-offline"], n["data-degraded"], n["data-state"])
            for name, n in nodes.items()} == {
        "Magelang Selatan": ("1", "1", "1", "0", "down"),  # the school behind the cut: offline
        "Magelang Tengah": ("2", "2", "0", "1", "degraded"),  # Dinas Kesehatan on one fiber
        "Magelang Utara": ("2", "2", "0", "0", "up"),
    }
    # root causes: the fiber inside Magelang Tengah marks it; the cut fiber marks the line
    assert "data-cause" in nodes["Magelang Tengah"] and "data-cause" not in nodes["Magelang Utara"]
    edges = _edges(html)
    assert {pair: (e["data-links"], e["data-down"], e["class"]) for pair, e in edges.items()} == {
        ("Magelang Selatan", "Magelang Utara"): ("1", "1", "dlink s-down"),
        ("Magelang Tengah", "Magelang Utara"): ("1", "0", "dlink s-up"),
    }
    assert "data-cause" in edges[("Magelang Selatan", "Magelang Utara")]
    layer = unescape(_layer(html))
    assert "1 offline" in layer and "1 degraded" in layer and "1 · 1 down" in layer
    assert f"root cause: {DINKES_DOWN.replace('--', ' – ')}" in layer
    assert ">root cause: acc-dinkes – core-balaikota</text>" in layer  # on the map: the two devices
    assert "2 links inside, 1 down" in layer  # Magelang Tengah's two fibers to the office
    # each district links to its devices, fitted (works without JavaScript)
    assert 'href="/topology?level=device&amp;district=Magelang+Selatan"' in html
    assert 'id="level-district" data-level="district"\n     class="current" aria-current="page"' in html


def test_the_level_is_in_the_url_and_the_device_view_fits_a_district(client_as: Client) -> None:
    client = client_as("engineer")
    small = client.get("/topology").get_data(as_text=True)  # 5 devices: devices first, both levels drawn
    assert 'data-level="device"' in small and '<g id="devices"' in small and '<g id="districts"' in small
    page = client.get("/topology?level=device&district=Magelang Utara").get_data(as_text=True)
    assert 'id="level-device" data-level="device"\n     class="current"' in page
    assert '<option value="Magelang Utara" selected>' in page
    box = re.search(r'<svg id="topo" viewBox="([^"]+)"', page)
    assert box is not None
    x, y, w, h = map(float, box.group(1).split())
    node = r'<g class="node[^>]*data-district="Magelang Utara"[^>]*transform="translate\(([\d.]+),([\d.]+)\)"'
    utara = [(float(a), float(b)) for a, b in re.findall(node, page)]
    assert len(utara) == 2 and w < 1000
    assert all(x <= px <= x + w and y <= py <= y + h for px, py in utara)
    unknown = client.get("/topology?level=device&district=Nowhere").get_data(as_text=True)
    assert 'viewBox="0 0 1000.0 1000.0"' in unknown and "Nowhere" not in _main(unknown)


def test_the_district_level_in_indonesian(client_as: Client) -> None:
    page = client_as("engineer").get("/topology?level=district", headers={"Accept-Language": "id"})
    html = unescape(page.get_data(as_text=True))
    assert ">Kecamatan</a>" in html and "2 perangkat · 2 lokasi" in html and "1 terputus" in html
    assert "akar penyebab: " in html and "1 · 1 putus" in html


def test_hostile_district_names_are_escaped(client_as: Client, session: Session) -> None:
    hostile = XSS + '" onmouseover="x'
    session.execute(update(Site).where(Site.name == "SD Negeri 1 Magelang").values(district=hostile))
    session.commit()
    html = client_as("engineer").get("/topology?level=district").get_data(as_text=True)
    assert XSS not in html and 'onmouseover="x' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34; onmouseover=&#34;x" in _layer(html)
    assert hostile in _districts(html)


def test_a_scoped_login_sees_its_districts_only(client_as: Client, session: Session) -> None:
    user = session.scalars(select(User).where(User.name == "engineer")).one()
    user.scope = Scope.parse(["district=Magelang Utara", "kind=school"]).to_json()
    session.commit()
    html = client_as("engineer").get("/topology?level=district").get_data(as_text=True)
    assert set(_districts(html)) == {"Magelang Utara"}  # SMP Negeri 1; SD Negeri 1 moved away
    node = _districts(html)["Magelang Utara"]
    assert (node["data-devices"], node["data-sites"]) == ("1", "1")
    for outside in ("Magelang Tengah", "Magelang Selatan", "dist-utara", "core-balaikota", "acc-dinkes"):
        assert outside not in html
    other = client_as("engineer").get("/topology?level=device&district=Magelang Tengah")
    other = other.get_data(as_text=True)
    assert "Magelang Tengah" not in _main(other)


def test_the_district_of_a_scoped_root_cause_is_marked_without_naming_the_far_end(
    client_as: Client, session: Session
) -> None:
    session.execute(update(Site).where(Site.name == "SD Negeri 1 Magelang").values(district="Magelang Utara"))
    user = session.scalars(select(User).where(User.name == "engineer")).one()
    user.scope = Scope.parse(["district=Magelang Utara", "kind=school"]).to_json()
    session.commit()
    html = client_as("engineer").get("/topology?level=district").get_data(as_text=True)
    node = _districts(html)["Magelang Utara"]
    assert "data-cause" in node and node["data-offline"] == "1"
    assert "acc-sdn1:sfp1" in unescape(_layer(html)) and "dist-utara" not in html


def test_a_large_network_opens_on_districts(client_as: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.districtmap.DEVICE_LEVEL_MAX", 3)
    client = client_as("engineer")
    html = client.get("/topology").get_data(as_text=True)
    assert 'data-level="district"' in html and '<g id="devices"' not in html  # light: districts only
    assert "more than 3 devices: the map opens on districts" in html
    assert '<g id="devices"' in client.get("/topology?level=device").get_data(as_text=True)
    focused = client.get("/topology?focus=acc-sdn1").get_data(as_text=True)  # links from other pages
    assert 'data-level="device"' in focused
    assert DEVICE_LEVEL_MAX == 1000


def test_overlapping_districts_are_pushed_apart() -> None:
    nodes = tuple(TopologyNode(f"d{i}", "access", f"s{i}", f"District {i % 17}", "up", 500.0, 500.0, None)
                  for i in range(340))
    topo = Topology(nodes, (), districts=tuple(sorted({n.district or "" for n in nodes})))
    level = build(topo, district_map(topo), {}, ())
    assert len(level.nodes) == 17
    for i, a in enumerate(level.nodes):
        assert a.r <= a.x <= 1000 - a.r and a.r <= a.y <= 1000 - a.r
        for b in level.nodes[i + 1:]:
            assert ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5 >= a.r + b.r + 20


def test_causes_inside_a_district_and_on_a_line_between_two(app: Flask) -> None:
    nodes = (TopologyNode("a1", "access", "s1", "A", "down", 100.0, 100.0, None),
             TopologyNode("a2", "access", "s2", "A", "unreachable", 150.0, 100.0, None),
             TopologyNode("b1", "access", "s3", "B", "up", 800.0, 800.0, None))
    ends = (("a1:p--a2:q", "a1", "a2", "down"), ("a2:p--b1:q", "a2", "b1", "down"),
            ("a1:x--b1:y", "a1", "b1", "up"))
    links = tuple(TopologyLink(key, a, "p", b, "q", state, "", "fiber", True, None, None)
                  for key, a, b, state in ends)
    topo = Topology(nodes, links, districts=("A", "B"))
    level = build(topo, district_map(topo), {"s1": ("A", "disconnected"), "s3": ("B", "connected")},
                  [("device", "a1"), ("link", "a1:p--a2:q"), ("link", "a2:p--b1:q"), ("device", "gone")])
    a, b = level.nodes
    assert (a.causes, a.state, a.device_states, a.sites) == (("a1", "a1:p--a2:q"), "down",
                                                              {"down": 1, "unreachable": 1}, 1)
    assert (b.causes, b.state) == ((), "up")
    (edge,) = level.edges
    assert (edge.links, edge.down, edge.causes) == (2, 1, ("a2:p--b1:q",))
    assert level.inside == {"A": (1, 1)}
    box = fit(level)
    assert box is not None and all(box[0] < n.x < box[0] + box[2] and box[1] < n.y < box[1] + box[3]
                                   for n in level.nodes)
    with app.test_request_context("/topology"):
        drawn = unescape(str(render_districts(level)))
    assert ">root cause: a1 (and 1 more)</text>" in drawn
    assert ">1 device down · 1 device unreachable</text>" in drawn
    assert 'class="dlink s-degraded"' in drawn and ">2 · 1 down</text>" in drawn


def test_level_links_keep_the_district_and_the_spof_filter(client_as: Client) -> None:
    """Switching level keeps what the user had chosen: the district fitted and the SPOF marks."""
    page = client_as("engineer").get("/topology?level=device&district=Magelang+Utara&spof=1")
    found = re.findall(r'<a href="([^"]*)" id="level-(district|device)"', page.get_data(as_text=True))
    links = {level: unescape(href) for href, level in found}
    assert links["district"] == "/topology?level=district&district=Magelang+Utara&spof=1"
    assert links["device"] == "/topology?level=device&district=Magelang+Utara&spof=1"
    plain = client_as("engineer").get("/topology?level=device").get_data(as_text=True)
    assert 'href="/topology?level=district" id="level-district"' in plain


def test_a_root_cause_on_a_port_with_a_colon_names_its_two_devices() -> None:
    """Breakout ports (``ge-0/0/0:1``) hold a colon: the device is what comes before the first one."""
    from web.ui.svgmap import _short

    assert _short("dist-utara:ge-0/0/0:1--acc-sdn1:sfp1") == "dist-utara – acc-sdn1"
    assert _short("dist-utara") == "dist-utara"
