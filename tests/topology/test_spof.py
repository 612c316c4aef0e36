"""Single points of failure: ``topology.spof`` against brute force, and naming what to fail.

Random small multigraphs (parallel fibers, several devices per site, devices without a site,
schools and agencies, failed links and devices, one or two roots): the list must equal the
brute-force removal of every element (``tests.topology.brute``) in content and order, and each
entry's sites must be what ``what_if`` says that element's loss cuts off. Then the hand-made
cases the definition is about, and the error messages that name the nearest valid elements.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.records import DeviceRecord, LinkRecord, SiteRecord
from tests.topology.brute import brute_spofs
from topology.assessed import Assessment
from topology.assessment import Assessor
from topology.evidence import DeviceEvidence, Evidence, LinkEvidence
from topology.graph import LinkEnd, build_graph
from topology.snapshot import NetworkSnapshot
from topology.spof import single_points
from topology.states import Element, LinkStatus, Verdict
from topology.whatif import UnknownElement, WhatIfError, find_link, resolve


@dataclass(frozen=True)
class Net:
    sites: tuple[str | None, ...]  # per device
    kinds: tuple[str, ...]  # per site index
    edges: tuple[tuple[int, int, bool], ...]
    failed: frozenset[int]
    roots: tuple[int, ...]


@st.composite
def nets(draw: st.DrawFn) -> Net:
    n = draw(st.integers(2, 11))
    k = draw(st.integers(1, n))
    kinds = tuple(draw(st.lists(st.sampled_from(["school", "agency", "health"]), min_size=k, max_size=k)))
    sites = tuple(
        draw(st.lists(st.one_of(st.none(), st.integers(0, k - 1).map(str)), min_size=n, max_size=n))
    )
    up = st.sampled_from([True, True, True, False])  # mostly working: more to be fragile about
    tree = [(i, draw(st.integers(0, i - 1)), draw(up)) for i in range(1, n)]  # a spanning tree...
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), up).filter(lambda t: t[0] != t[1])
    edges = tuple(tree + draw(st.lists(pairs, max_size=n)))  # ...and extra fibers, parallel ones too
    failed = draw(st.frozensets(st.integers(0, n - 1), max_size=2))
    roots = tuple(sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))))
    return Net(sites, kinds, edges, failed, roots)


def _assess(net: Net) -> Assessment:
    snap = NetworkSnapshot(
        tuple(SiteRecord(f"s{i}", kind) for i, kind in enumerate(net.kinds)),
        tuple(
            DeviceRecord(f"d{i}", "", "access", None if s is None else f"s{s}")
            for i, s in enumerate(net.sites)
        ),
        (),
        tuple(LinkRecord(f"d{a}", f"p{j}", f"d{b}", f"p{j}") for j, (a, b, _) in enumerate(net.edges)),
    )
    az = Assessor(build_graph(snap), [f"d{r}" for r in net.roots])
    by_port = {link.a.port: key for key, link in az.graph.links.items()}
    devices = {
        f"d{i}": DeviceEvidence(Verdict.SILENT if i in net.failed else Verdict.ANSWERED)
        for i in range(len(net.sites))
    }
    links = {
        by_port[f"p{j}"]: LinkEvidence(LinkStatus.UP if up else LinkStatus.DOWN)
        for j, (_, _, up) in enumerate(net.edges)
    }
    return az.assess(Evidence(devices, links))


def _working(a: Assessment) -> nx.MultiGraph:
    g, w = a.net.graph, nx.MultiGraph()
    w.add_nodes_from(n for n in g.nodes if a.failed[a.net.idx[n]] == 0)
    for key, link in g.links.items():
        if a.links[key] != LinkStatus.DOWN and link.a.device in w and link.b.device in w:
            w.add_edge(link.a.device, link.b.device, key=key)
    return w


def _brute(a: Assessment) -> list[dict[str, object]]:
    g = a.net.graph
    return brute_spofs(
        _working(a),
        a.roots,
        {n: info.site for n, info in g.nodes.items()},
        {name: site.kind for name, site in g.sites.items()},
    )


FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(nets())
def test_single_points_equal_brute_force(net: Net) -> None:
    a = _assess(net)
    assert [p.as_json() for p in single_points(a)] == _brute(a)


@FAST
@given(nets())
def test_each_single_point_cuts_off_what_its_what_if_says(net: Net) -> None:
    a = _assess(net)
    for point in single_points(a):
        assert point.sites == a.what_if(point.element).lost_sites
        assert point.schools == sum(1 for s in point.sites if a.net.graph.sites[s].kind == "school")


def _line(*pairs: tuple[str, str], sites: dict[str, str], parallel: int = 1) -> Assessment:
    """Devices in a chain from ``core``; every link up; ``parallel`` fibers on the first hop."""
    names = sorted({d for p in pairs for d in p})
    links = [LinkRecord(a, f"p{j}", b, f"p{j}") for j, (a, b) in enumerate(pairs)]
    links += [LinkRecord(pairs[0][0], f"x{j}", pairs[0][1], f"x{j}") for j in range(parallel - 1)]
    snap = NetworkSnapshot(
        tuple(
            SiteRecord(s, "school" if s.startswith("SD") else "agency") for s in sorted(set(sites.values()))
        ),
        tuple(DeviceRecord(n, "", "core" if n == "core" else "access", sites.get(n)) for n in names),
        (),
        tuple(links),
    )
    az = Assessor(build_graph(snap), ["core"])
    devices = {n: DeviceEvidence(Verdict.ANSWERED) for n in names}
    return az.assess(Evidence(devices, {k: LinkEvidence(LinkStatus.UP) for k in az.graph.links}))


def test_a_leaf_switch_is_no_single_point_but_its_uplink_is() -> None:
    a = _line(
        ("core", "dist"),
        ("dist", "sw-sd1"),
        sites={"core": "Balai Kota", "dist": "Kecamatan", "sw-sd1": "SD 1"},
    )
    got = {(p.element.kind, p.element.id): p.sites for p in single_points(a)}
    assert ("device", "sw-sd1") not in got  # it only cuts off its own site
    assert got[("device", "dist")] == ("Kecamatan", "SD 1")  # its own site listed too, like what-if
    assert got[("link", "dist:p1--sw-sd1:p1")] == ("SD 1",)


def test_parallel_fibers_are_no_single_point() -> None:
    a = _line(("core", "dist"), ("dist", "sw"), sites={"dist": "Kecamatan", "sw": "SD 2"}, parallel=2)
    links = {p.element.id for p in single_points(a) if p.element.kind == "link"}
    assert links == {"dist:p1--sw:p1"}


def test_a_switch_that_cuts_off_only_devices_of_its_own_site_is_no_single_point() -> None:
    a = _line(("core", "sw-a"), ("sw-a", "sw-b"), sites={"sw-a": "Dinas", "sw-b": "Dinas"})
    got = [p.element for p in single_points(a)]
    assert got == [Element("device", "core"), Element("link", "core:p0--sw-a:p0")]  # not sw-a


def test_ranked_by_sites_then_schools() -> None:
    a = _line(
        ("core", "d1"),
        ("d1", "a1"),
        ("core", "d2"),
        ("d2", "s1"),
        sites={"d1": "Kantor A", "a1": "Dinas B", "d2": "Kantor C", "s1": "SD 1"},
    )
    order = [p.element.id for p in single_points(a)]
    # core cuts off all four sites; d2 and its uplink two with a school; d1 and its uplink two
    assert order[:5] == ["core", "d2", "core:p2--d2:p2", "d1", "core:p0--d1:p0"]


def test_naming_a_device_or_link_to_fail() -> None:
    a = _line(("core", "dist-utara"), ("dist-utara", "acc-smpn1"), sites={"acc-smpn1": "SMP 1"})
    graph = a.net.graph
    assert resolve(graph, device="dist-utara") == Element("device", "dist-utara")
    key = "acc-smpn1:p1--dist-utara:p1"
    for written in (
        "dist-utara:p1,acc-smpn1:p1",
        "acc-smpn1:p1--dist-utara:p1",
        "acc-smpn1:p1",
        " dist-utara:P1 ",
    ):
        assert resolve(graph, link=written) == Element("link", key), written
    with pytest.raises(UnknownElement) as err:
        resolve(graph, device="dist-utra")
    assert err.value.nearest[0] == "dist-utara" and "nearest: dist-utara" in str(err.value)
    with pytest.raises(UnknownElement) as err:
        resolve(graph, link="dist-utara:p9,acc-smpn1:p1")
    assert err.value.nearest[0] == "dist-utara:p1,acc-smpn1:p1"
    assert str(err.value) == ("no link between dist-utara:p9 and acc-smpn1:p1; dist-utara and acc-smpn1 "
                              "are linked by: dist-utara:p1 - acc-smpn1:p1 (dist-utara has no port 'p9')")
    for bad in ("dist-utara", "a:b,c:d,e:f", ",", ""):
        with pytest.raises(WhatIfError) as err:
            resolve(graph, link=bad) if bad else resolve(graph)
        assert not isinstance(err.value, UnknownElement), bad
    with pytest.raises(WhatIfError):
        resolve(graph, device="dist-utara", link="acc-smpn1:p1")
    assert find_link(graph, LinkEnd("acc-smpn1", "p1")) == key
