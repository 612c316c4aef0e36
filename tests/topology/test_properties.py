"""Property tests: reachability, bridges, articulation points, what-if and flows against brute force.

Random small multigraphs (parallel fibers included) with random failed links and devices; every
answer of the linear-time analysis must equal the obvious quadratic computation on NetworkX.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.records import DeviceRecord, InterfaceRecord, LinkRecord, SiteRecord
from topology.analysis import Analysis
from topology.analyzer import Analyzer
from topology.graph import build_graph
from topology.impact import what_if
from topology.snapshot import NetworkSnapshot


@dataclass(frozen=True)
class Net:
    n: int
    edges: list[tuple[int, int, bool]]
    failed: frozenset[int]
    roots: tuple[int, ...]


@st.composite
def nets(draw: st.DrawFn) -> Net:
    n = draw(st.integers(2, 11))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.booleans()).filter(
        lambda t: t[0] != t[1]
    )
    edges = draw(st.lists(pairs, min_size=1, max_size=n * 2))
    failed = draw(st.frozensets(st.integers(0, n - 1), max_size=2))
    roots = tuple(sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))))
    return Net(n, [(a, b, up) for a, b, up in edges], failed, roots)


def snapshot(net: Net) -> NetworkSnapshot:
    sites = tuple(SiteRecord(f"s{i}", "school") for i in range(net.n))
    devices = tuple(
        DeviceRecord(f"d{i}", "", "access", f"s{i}", state="down" if i in net.failed else "up")
        for i in range(net.n)
    )
    ifaces, links = [], []
    for k, (a, b, up) in enumerate(net.edges):
        status = "up" if up else "down"
        ifaces += [
            InterfaceRecord(f"d{a}", f"p{k}", oper_status=status),
            InterfaceRecord(f"d{b}", f"p{k}", oper_status=status),
        ]
        links.append(LinkRecord(f"d{a}", f"p{k}", f"d{b}", f"p{k}"))
    return NetworkSnapshot(sites, devices, tuple(ifaces), tuple(links))


def working(a: Analysis) -> nx.MultiGraph:
    g = a.az.graph
    w: nx.MultiGraph = nx.MultiGraph()
    w.add_nodes_from(n for n, info in g.nodes.items() if info.state != "down")
    for key, link in g.links.items():
        if link.status != "down" and link.a.device in w and link.b.device in w:
            w.add_edge(link.a.device, link.b.device, key=key)
    return w


def reach(w: nx.MultiGraph, roots: list[str]) -> set[str]:
    out: set[str] = set()
    for r in roots:
        if r in w:
            out |= nx.node_connected_component(w, r)
    return out


def _setup(net: Net) -> tuple[Analyzer, Analysis, nx.MultiGraph, list[str], set[str]]:
    az = Analyzer(build_graph(snapshot(net)), [f"d{r}" for r in net.roots])
    a = az.analyze()
    w = working(a)
    roots = [f"d{r}" for r in net.roots]
    return az, a, w, roots, reach(w, roots)


FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(nets())
def test_reachability_and_site_states_match_brute_force(net: Net) -> None:
    az, a, _w, roots, base = _setup(net)
    assert a.reachable_devices() == base
    design = az.graph.graph
    for i in range(net.n):
        st_ = a.sites[f"s{i}"]
        if f"d{i}" in base:
            assert st_.state in ("connected", "degraded")
        elif any(nx.has_path(design, f"d{i}", r) for r in roots):
            assert st_.state == "disconnected" and st_.causes
        else:
            assert st_.state in ("unknown", "disconnected")


@FAST
@given(nets())
def test_bridges_and_articulation_points_match_brute_force(net: Net) -> None:
    _az, a, w, roots, base = _setup(net)
    expected: dict[tuple[str, str], set[str]] = {}
    for u, v, key in list(w.edges(keys=True)):
        if u in base:
            w.remove_edge(u, v, key)
            lost = base - reach(w, roots)
            w.add_edge(u, v, key=key)
            if lost:
                expected[("link", key)] = lost
    for node in list(base):
        h = w.copy()
        h.remove_node(node)
        lost = base - reach(h, roots) - {node}
        if lost:
            expected[("device", node)] = lost | {node}
    got = {(s.element.kind, s.element.id): set(s.dependent_devices) for s in a.spofs()}
    assert got == expected
    for s in a.spofs():
        assert set(s.dependent_sites) == {f"s{d[1:]}" for d in s.dependent_devices}


@FAST
@given(nets(), st.data())
def test_what_if_matches_brute_force(net: Net, data: st.DataObject) -> None:
    az, a, w, roots, base = _setup(net)
    live = sorted(w.edges(keys=True))
    if live:
        u, v, key = data.draw(st.sampled_from(live))
        h = w.copy()
        h.remove_edge(u, v, key)
        impact = what_if(az, link=key, base=a)
        assert set(impact.lost_devices) == base - reach(h, roots)
        assert set(impact.lost_sites) == {f"s{d[1:]}" for d in impact.lost_devices}
    node = f"d{data.draw(st.integers(0, net.n - 1))}"
    h = w.copy()
    if node in h:
        h.remove_node(node)
    impact = what_if(az, device=node, base=a)
    assert set(impact.lost_devices) == base - reach(h, roots)
    assert az.analyze().reachable_devices() == base, "what-if restores the state"


@FAST
@given(nets())
def test_disjoint_paths_match_max_flow(net: Net) -> None:
    _az, a, w, roots, base = _setup(net)
    for i in range(net.n):
        dev = f"d{i}"
        if dev not in base:
            assert a.disjoint_paths(f"s{i}") == 0
        elif dev not in roots:
            assert a.disjoint_paths(f"s{i}") == _flow(w, roots, dev)


def _flow(w: nx.MultiGraph, roots: list[str], dev: str) -> int:
    d: nx.DiGraph = nx.DiGraph()
    for u, v in w.edges():
        for x, y in ((u, v), (v, u)):
            d.add_edge(x, y, capacity=d.get_edge_data(x, y, {}).get("capacity", 0) + 1)
    for r in roots:
        if r in w:
            d.add_edge("SRC", r)
    if dev not in d or "SRC" not in d:
        return 0
    return int(nx.maximum_flow_value(d, "SRC", dev))


@FAST
@given(nets())
def test_causes_are_on_the_border_and_restoring_them_helps(net: Net) -> None:
    az, a, _w, roots, base = _setup(net)
    g = az.graph
    for st_ in a.sites.values():
        if st_.state != "disconnected":
            continue
        for c in st_.causes:
            if c.kind == "link":
                link = g.links[c.id]
                assert (link.a.device in base) != (link.b.device in base)
                az.set_link_status(c.id, "up")
                for end in (link.a.device, link.b.device):
                    az.set_device_state(end, "up")
            else:
                near = {m for m in g.graph.neighbors(c.id)} | ({c.id} if c.id in roots else set())
                assert near & (base | set(roots))
                az.set_device_state(c.id, "up")
                for _, _, key in g.graph.edges(c.id, keys=True):
                    az.set_link_status(key, "up")
        assert len(az.analyze().reachable_devices()) > len(base)
        az = Analyzer(g, roots)


@FAST
@given(
    nets(), st.lists(st.tuples(st.booleans(), st.integers(0, 30), st.booleans(), st.booleans()), max_size=10)
)
def test_incremental_re_evaluation_equals_a_fresh_one(
    net: Net, flips: list[tuple[bool, int, bool, bool]]
) -> None:
    az, _a, _w, roots, _base = _setup(net)
    keys = sorted(az.graph.links)
    links: dict[str, str] = {}
    devices: dict[str, str] = {}
    for is_link, i, up, now in flips:
        if is_link and keys:
            links[keys[i % len(keys)]] = "up" if up else "down"
            az.set_link_status(keys[i % len(keys)], links[keys[i % len(keys)]])
        else:
            devices[f"d{i % net.n}"] = "up" if up else "down"
            az.set_device_state(f"d{i % net.n}", devices[f"d{i % net.n}"])
        if now:
            az.analyze()
    fresh_az = Analyzer(az.graph, roots)
    for key, status in links.items():
        fresh_az.set_link_status(key, status)
    for name, state in devices.items():
        fresh_az.set_device_state(name, state)
    fresh = fresh_az.analyze()
    inc = az.analyze()
    assert inc.codes == fresh.codes
    assert inc.reachable_devices() == fresh.reachable_devices()
    assert {s: inc.sites[s].causes for s in inc.sites} == {s: fresh.sites[s].causes for s in fresh.sites}
    assert inc.devices() == fresh.devices()
    assert {(s.element, s.dependent_devices) for s in inc.spofs()} == {
        (s.element, s.dependent_devices) for s in fresh.spofs()
    }
    assert {s: inc.sites[s].path for s in inc.sites} == {s: fresh.sites[s].path for s in fresh.sites}
