"""What-if, cabling audit, exports and layout on the Magelang plant and small variations."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import networkx as nx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, NodePosition, Site
from inventory.records import InterfaceRecord, LinkRecord, NeighborRecordView, SiteRecord
from tests.topology.nets import analyze, cut_link, graph_with, magelang, site_of
from topology.audit import audit
from topology.export import to_dot, to_graphml, to_node_link
from topology.graph import LinkEnd, build_graph
from topology.layout import compute_positions, load_positions, save_new_positions, stable_positions
from topology.snapshot import load_snapshot
from topology.states import Element
from topology.whatif import WhatIfError, find_link, parse_end


def _nb(device: str, local: str, remote: str, port: str) -> NeighborRecordView:
    return NeighborRecordView(device, local, "lldp", "", "local", port, "interface_name", None, remote)


def test_impact_of_a_distribution_switch() -> None:
    snap = magelang()
    a = analyze(snap)
    before = dict(a.sites)
    impact = a.what_if(Element("device", "dist-utara"))
    expected = {
        "dist-utara",
        "acc-smpn1",
        "acc-sman1",
        "acc-kel-kedungsari",
        "acc-sd-kedungsari",
        "acc-puskesmas-utara",
    }
    assert set(impact.lost_devices) == expected
    assert set(impact.lost_sites) == {site_of(snap, d) for d in expected}
    assert set(impact.by_kind) == {"school", "district", "agency", "health"}
    assert site_of(snap, "acc-smpn1") in impact.by_kind["school"]
    assert impact.degraded_sites == ()
    assert a.sites == before and a.reachable_devices() == analyze(snap).reachable_devices(), "on copies"


def test_impact_of_a_ring_link_is_degradation_only() -> None:
    a = analyze(magelang())
    key = find_link(a.net.graph, parse_end("dist-utara:xe2"), parse_end("dist-tengah:xe1"))
    impact = a.what_if(Element("link", key))
    assert impact.lost_sites == ()
    assert site_of(magelang(), "acc-smpn1") in impact.degraded_sites
    assert json.loads(json.dumps(impact.as_json()))["lost_sites"] == []


def test_find_link_accepts_one_end_and_other_spellings() -> None:
    g = build_graph(magelang())
    key = find_link(g, LinkEnd("acc-smpn1", "SFP1"))
    assert key == "acc-smpn1:sfp1--dist-utara:sfp1"
    with pytest.raises(WhatIfError):
        find_link(g, LinkEnd("acc-smpn1", "sfp9"))
    with pytest.raises(WhatIfError):
        parse_end("no-port")
    with pytest.raises(WhatIfError):
        analyze(magelang()).what_if(Element("device", "nope"))


def test_audit_reports_the_three_kinds() -> None:
    snap = magelang()
    neighbors = (
        _nb("dist-utara", "sfp1", "acc-smpn1", "sfp1"),  # declared and seen
        _nb("dist-utara", "sfp2", "acc-sman1", "sfp2"),  # declared sfp1: port mismatch
        _nb("core-balaikota", "sfp9", "acc-sman3", "ge1"),  # nobody declared this
        _nb("dist-tengah", "sfp9", "mystery-switch", "Gi0/1"),  # unknown device
    )
    ifaces = (*snap.interfaces, InterfaceRecord("acc-sman1", "sfp2"))
    findings = audit(build_graph(replace(snap, neighbors=neighbors, interfaces=ifaces)))
    kinds: dict[str, list[str]] = {}
    for f in findings:
        ends = f.discovered or f.declared
        assert ends is not None
        kinds.setdefault(f.kind, []).append(f"{ends[0]}|{ends[1]}")
    assert kinds["port_mismatch"] == ["acc-sman1:sfp2|dist-utara:sfp2"]
    assert set(kinds["discovered_not_declared"]) == {
        "acc-sman3:ge1|core-balaikota:sfp9",
        "dist-tengah:sfp9|unknown:mystery-switch:Gi0/1",
    }
    not_seen = [f for f in findings if f.kind == "declared_not_seen"]
    assert len(not_seen) == 22 - 2
    assert {f.checked for f in not_seen if "acc-disdikbud" in str(f.declared)} == {True}
    assert {f.checked for f in not_seen if f.declared and "acc-sman3:sfp1" in map(str, f.declared)} == {False}
    mismatch = next(f for f in findings if f.kind == "port_mismatch")
    assert mismatch.declared is not None and str(mismatch.declared[0]) == "acc-sman1:sfp1"


def test_json_export_is_node_link_with_the_issue_keys() -> None:
    snap = cut_link(magelang(), "dist-utara:sfp1", "acc-smpn1:sfp1")
    a = analyze(snap)
    data = json.loads(json.dumps(to_node_link(graph_with(a), a)))
    assert len(data["nodes"]) == 20 and len(data["links"]) == 22
    node = next(n for n in data["nodes"] if n["id"] == "acc-smpn1")
    assert {"id", "site", "role", "status"} <= set(node) and node["reachable"] is False
    link = next(lk for lk in data["links"] if lk["a"]["device"] == "acc-smpn1")
    assert link["a"] == {"device": "acc-smpn1", "port": "sfp1"} and link["b"]["device"] == "dist-utara"
    assert link["status"] == "down" and link["sources"] == ["declared"]


def test_graphml_and_dot_survive_hostile_names() -> None:
    snap = magelang()
    evil = 'x"; DROP <b>&\\'
    sites = tuple(replace(s, name=evil) if s.name == site_of(snap, "acc-smpn1") else s for s in snap.sites)
    devices = tuple(replace(d, site=evil) if d.name == "acc-smpn1" else d for d in snap.devices)
    neighbors = (
        _nb("dist-tengah", "sfp9", 'sw"\n<evil>', "p1"),
        _nb("dist-tengah", "sfp8", "ctl\x00\x01\x1b", "p\x07"),
    )
    g = build_graph(replace(snap, sites=sites, devices=devices, neighbors=neighbors))
    back = nx.read_graphml(__import__("io").BytesIO(to_graphml(g).encode()))
    assert back.nodes["acc-smpn1"]["site"] == evil
    assert back.number_of_edges() == 24
    assert "unknown:ctl\ufffd\ufffd\ufffd" in back.nodes
    ET.fromstring(to_graphml(g))
    dot = to_dot(g)
    assert dot.startswith("graph topology {") and dot.rstrip().endswith("}")
    assert 'x\\"; DROP <b>&\\\\' in dot
    assert "\n<evil>" not in dot
    assert "\x00" not in dot and "\x1b" not in dot
    assert json.loads(json.dumps(to_node_link(g)))["nodes"]


def test_layout_is_stable_geographic_and_places_new_nodes_near_neighbours() -> None:
    snap = magelang()
    g = build_graph(snap)
    first = compute_positions(g)
    assert first == compute_positions(g), "deterministic"
    geo_sites = tuple(
        replace(s, latitude=-7.47, longitude=110.21) if s.name == site_of(snap, "core-balaikota") else s
        for s in snap.sites
    )
    geo = build_graph(replace(snap, sites=geo_sites))
    pos = compute_positions(geo)
    assert pos["core-balaikota"] == (110.21, -7.47)
    assert set(pos) == set(geo.nodes)
    grown = build_graph(
        replace(
            snap,
            sites=(*snap.sites, SiteRecord("Baru", "school")),
            links=(*snap.links, LinkRecord("acc-smpn1", "ge1", "acc-smpn1b", "sfp1")),
            neighbors=(_nb("acc-smpn1", "ge2", "new-ap", "eth0"),),
        )
    )
    kept = compute_positions(grown, first)
    assert all(kept[n] == first[n] for n in first)
    near = kept["unknown:new-ap"]
    dist = ((near[0] - kept["acc-smpn1"][0]) ** 2 + (near[1] - kept["acc-smpn1"][1]) ** 2) ** 0.5
    span = max(abs(x) for p in first.values() for x in p) * 2
    assert dist < span * 0.1


def test_positions_persist_and_never_move(session: Session) -> None:
    site = Site(name="HQ", kind="core", latitude=-7.47, longitude=110.21)
    core = Device(name="core", address="10.0.0.1", role="core", site=site)
    sw = Device(name="sw", address="10.0.0.2", role="access")
    session.add_all([site, core, sw])
    session.commit()
    snap = load_snapshot(session)
    g = build_graph(replace(snap, links=(LinkRecord("core", "p1", "sw", "p1"),)))
    first = stable_positions(session, g)
    session.commit()
    assert first["core"] == (110.21, -7.47)
    assert load_positions(session) == first
    row = session.scalars(select(NodePosition).where(NodePosition.device_id == sw.id)).one()
    row.x, row.y, row.pinned = 1.0, 2.0, True
    session.commit()
    assert stable_positions(session, g)["sw"] == (1.0, 2.0)
    assert save_new_positions(session, {"sw": (9.0, 9.0)}) == 0
