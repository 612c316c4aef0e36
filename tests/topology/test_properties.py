"""Property tests: the assessment against brute force on random networks with random failures.

Random small multigraphs (parallel fibers included) with random failed links and devices; every
answer of the linear-time assessment must equal the obvious quadratic computation on NetworkX,
a site is disconnected exactly when a root cause lists it, every site's causes are root causes,
and an incremental re-assessment equals a fresh one.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.records import DeviceRecord, LinkRecord, SiteRecord
from topology.assessed import Assessment
from topology.assessment import Assessor
from topology.evidence import DeviceEvidence, Evidence, LinkEvidence
from topology.graph import build_graph
from topology.snapshot import NetworkSnapshot
from topology.states import Connectivity, Element, LinkStatus, Verdict


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
    devices = tuple(DeviceRecord(f"d{i}", "", "access", f"s{i}") for i in range(net.n))
    links = tuple(
        LinkRecord(f"d{a}", f"p{k}", f"d{b}", f"p{k}", id=k + 1) for k, (a, b, _) in enumerate(net.edges)
    )
    return NetworkSnapshot(sites, devices, (), links)


def evidence(net: Net, az: Assessor) -> Evidence:
    devices = {
        f"d{i}": DeviceEvidence(Verdict.SILENT if i in net.failed else Verdict.ANSWERED) for i in range(net.n)
    }
    status = {}
    for k, (_a, _b, up) in enumerate(net.edges):
        key = next(key for key, link in az.graph.links.items() if link.a.port == f"p{k}")
        status[key] = LinkEvidence(LinkStatus.UP if up else LinkStatus.DOWN)
    return Evidence(devices, status)


def working(a: Assessment, net: Net) -> nx.MultiGraph:
    g = a.net.graph
    w: nx.MultiGraph = nx.MultiGraph()
    w.add_nodes_from(n for n in g.nodes if int(n[1:]) not in net.failed)
    for key, link in g.links.items():
        if a.links[key] != LinkStatus.DOWN and link.a.device in w and link.b.device in w:
            w.add_edge(link.a.device, link.b.device, key=key)
    return w


def reach(w: nx.MultiGraph, roots: list[str]) -> set[str]:
    out: set[str] = set()
    for r in roots:
        if r in w:
            out |= nx.node_connected_component(w, r)
    return out


def _setup(net: Net) -> tuple[Assessor, Assessment, nx.MultiGraph, list[str], set[str]]:
    roots = [f"d{r}" for r in net.roots]
    az = Assessor(build_graph(snapshot(net)), roots)
    a = az.assess(evidence(net, az))
    w = working(a, net)
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
def test_what_if_matches_brute_force_and_leaves_the_assessment_alone(net: Net, data: st.DataObject) -> None:
    _az, a, w, roots, base = _setup(net)
    live = sorted(w.edges(keys=True))
    if live:
        u, v, key = data.draw(st.sampled_from(live))
        h = w.copy()
        h.remove_edge(u, v, key)
        impact = a.what_if(Element("link", key))
        assert set(impact.lost_devices) == base - reach(h, roots)
        assert set(impact.lost_sites) == {f"s{d[1:]}" for d in impact.lost_devices}
    node = f"d{data.draw(st.integers(0, net.n - 1))}"
    h = w.copy()
    if node in h:
        h.remove_node(node)
    impact = a.what_if(Element("device", node))
    assert set(impact.lost_devices) == base - reach(h, roots)
    assert a.reachable_devices() == base, "what-if works on copies"


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
def test_a_site_is_disconnected_exactly_when_a_root_cause_lists_it(net: Net) -> None:
    _az, a, _w, _roots, _base = _setup(net)
    listed = {s for c in a.root_causes for s in c.sites}
    disconnected = {s for s, st_ in a.sites.items() if st_.state == Connectivity.DISCONNECTED}
    assert listed == disconnected
    causes = {c.element for c in a.root_causes}
    for st_ in a.sites.values():  # every cause a site points at is a root cause, and lists it
        assert set(st_.causes) <= causes
        for c in st_.causes:
            cause = a.root_cause(c)
            assert cause is not None
            assert st_.site in (
                cause.sites if st_.state == Connectivity.DISCONNECTED else cause.degraded_sites
            )


@FAST
@given(nets())
def test_root_causes_are_on_the_border_and_repairing_one_restores_its_devices(net: Net) -> None:
    az, a, _w, roots, base = _setup(net)
    for cause in a.root_causes:
        if cause.status != "down" or not cause.devices or not roots:
            continue
        if cause.element.kind == "device" and not a.net.design_reached[a.net.idx[cause.element.id]]:
            continue  # stands alone: no root can reach it whatever is repaired
        ev = evidence(net, az)
        if cause.element.kind == "link":
            link = az.graph.links[cause.element.id]
            assert (link.a.device in base) != (link.b.device in base) or not cause.devices
            links = {**ev.links, cause.element.id: LinkEvidence(LinkStatus.UP)}
            behind = {d: DeviceEvidence(Verdict.ANSWERED) for d in cause.devices}  # cut off, not dead
            repaired = Evidence({**ev.devices, **behind}, links)
        else:
            devices = {**ev.devices, cause.element.id: DeviceEvidence(Verdict.ANSWERED)}
            own = {
                k: LinkEvidence(LinkStatus.UP)
                for k in ev.links
                if cause.element.id in (az.graph.links[k].a.device, az.graph.links[k].b.device)
                and k in a.explained
            }
            repaired = Evidence(devices, {**ev.links, **own})
        fresh = Assessor(az.graph, roots).assess(repaired)
        assert len(fresh.reachable_devices()) > len(base), f"repairing {cause.element} alone helps"


@FAST
@given(
    nets(), st.lists(st.tuples(st.booleans(), st.integers(0, 30), st.booleans(), st.booleans()), max_size=10)
)
def test_incremental_re_assessment_equals_a_fresh_one(
    net: Net, flips: list[tuple[bool, int, bool, bool]]
) -> None:
    az, _a, _w, roots, _base = _setup(net)
    ev = evidence(net, az)
    devices, links = dict(ev.devices), dict(ev.links)
    keys = sorted(links)
    for is_link, i, up, now in flips:
        if is_link and keys:
            links[keys[i % len(keys)]] = LinkEvidence(LinkStatus.UP if up else LinkStatus.DOWN)
        else:
            devices[f"d{i % net.n}"] = DeviceEvidence(Verdict.ANSWERED if up else Verdict.SILENT)
        if now:
            az.assess(Evidence(dict(devices), dict(links)))
    inc = az.assess(Evidence(devices, links))
    fresh = Assessor(az.graph, roots).assess(Evidence(devices, links))
    assert inc.sites == fresh.sites and inc.root_causes == fresh.root_causes and inc.devices == fresh.devices
    assert inc.reachable_devices() == fresh.reachable_devices()
    assert {(s.element, s.dependent_devices) for s in inc.spofs()} == {
        (s.element, s.dependent_devices) for s in fresh.spofs()
    }
    assert {s: inc.path(s) for s in inc.sites} == {s: fresh.path(s) for s in fresh.sites}
