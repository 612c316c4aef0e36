"""Analysis on hand-made networks: site states, root causes, device verdicts, SPOFs, words."""

from __future__ import annotations

from dataclasses import replace

from tests.topology.nets import cut, cut_link, magelang, power_off, site_of
from topology.analysis import Element, analyze
from topology.analyzer import Analyzer
from topology.cause import element_text, site_text
from topology.graph import build_graph
from topology.snapshot import NetworkSnapshot

UTARA_SCHOOLS = {"acc-smpn1", "acc-sman1", "acc-kel-kedungsari", "acc-sd-kedungsari", "acc-puskesmas-utara"}


def _states(snap: NetworkSnapshot) -> dict[str, str]:
    return {s: st.state for s, st in analyze(build_graph(snap)).sites.items()}


def test_intact_network_is_connected_everywhere() -> None:
    a = analyze(build_graph(magelang()))
    assert {st.state for st in a.sites.values()} == {"connected"}
    smp = a.sites[site_of(magelang(), "acc-smpn1")]
    assert smp.path == ("acc-smpn1", "dist-utara", "core-balaikota")
    assert a.disjoint_paths(smp.site) == 1
    assert a.disjoint_paths(site_of(magelang(), "acc-rsud-tidar")) == 2
    assert a.disjoint_paths(site_of(magelang(), "dist-tengah")) == 3


def test_single_homed_uplink_cut_disconnects_exactly_that_site() -> None:
    snap = cut_link(magelang(), "dist-utara:sfp1", "acc-smpn1:sfp1")
    a = analyze(build_graph(snap))
    bad = {s: st for s, st in a.sites.items() if st.state != "connected"}
    assert set(bad) == {site_of(snap, "acc-smpn1")}
    (st,) = bad.values()
    assert st.state == "disconnected"
    assert st.causes == (Element("link", "acc-smpn1:sfp1|dist-utara:sfp1"),)
    assert a.root_causes() == {st.causes[0]: (st.site,)}
    assert (
        site_text(a.az.graph, st, "en") == "cut off: fiber between acc-smpn1:sfp1 and dist-utara:sfp1 is down"
    )
    assert site_text(a.az.graph, st, "id") == (
        "terputus: serat optik antara acc-smpn1:sfp1 dan dist-utara:sfp1 putus"
    )


def test_chained_site_behind_a_cut_has_the_same_cause() -> None:
    snap = cut_link(magelang(), "dist-utara:sfp3", "acc-kel-kedungsari:sfp1")
    a = analyze(build_graph(snap))
    lost = {s for s, st in a.sites.items() if st.state == "disconnected"}
    assert lost == {site_of(snap, "acc-kel-kedungsari"), site_of(snap, "acc-sd-kedungsari")}
    assert {a.sites[s].causes for s in lost} == {
        (Element("link", "acc-kel-kedungsari:sfp1|dist-utara:sfp3"),)
    }


def test_ring_link_cut_degrades_the_sites_behind_it() -> None:
    snap = cut_link(magelang(), "dist-utara:xe2", "dist-tengah:xe1")
    a = analyze(build_graph(snap))
    assert not [s for s, st in a.sites.items() if st.state == "disconnected"]
    degraded = {s for s, st in a.sites.items() if st.state == "degraded"}
    assert degraded == {site_of(snap, d) for d in UTARA_SCHOOLS | {"dist-utara"}}
    st = a.sites[site_of(snap, "acc-smpn1")]
    assert st.reason == "redundancy_lost"
    assert Element("link", "dist-tengah:xe1|dist-utara:xe2") in st.causes
    assert "redundancy lost" in (site_text(a.az.graph, st, "en") or "")


def test_distribution_node_failure_is_the_root_cause_behind_it() -> None:
    snap = power_off(magelang(), "dist-utara")
    a = analyze(build_graph(snap))
    lost = {s for s, st in a.sites.items() if st.state == "disconnected"}
    assert lost == {site_of(snap, d) for d in UTARA_SCHOOLS | {"dist-utara"}}
    assert {a.sites[s].causes for s in lost} == {(Element("device", "dist-utara"),)}
    assert a.device("dist-utara").verdict == "down"
    assert a.devices()["acc-smpn1"].reachable is False
    assert element_text(a.az.graph, Element("device", "dist-utara"), "id").endswith("mati")


def test_silent_devices_behind_a_failure_are_unreachable_not_down() -> None:
    snap = power_off(magelang(), "dist-utara")
    for dev in UTARA_SCHOOLS:
        snap = power_off(snap, dev, neighbours_see_it=False)
    a = analyze(build_graph(snap))
    assert a.device("dist-utara").verdict == "down"
    for dev in UTARA_SCHOOLS:
        v = a.device(dev)
        assert v.verdict == "unreachable" and v.causes == (Element("device", "dist-utara"),)
    assert {a.sites[site_of(snap, d)].causes for d in UTARA_SCHOOLS} == {(Element("device", "dist-utara"),)}


def test_silent_device_with_its_neighbour_answering_is_down() -> None:
    snap = power_off(magelang(), "acc-sman3", neighbours_see_it=False)
    a = analyze(build_graph(snap))
    assert a.device("acc-sman3").verdict == "down"
    assert a.sites[site_of(snap, "acc-sman3")].causes == (Element("device", "acc-sman3"),)


def test_in_band_uplink_cut_blames_the_link_not_the_silent_school() -> None:
    snap = power_off(cut_link(magelang(), "dist-utara:sfp1", "acc-smpn1:sfp1"), "acc-smpn1", False)
    a = analyze(build_graph(snap))
    assert a.device("acc-smpn1").verdict == "unreachable"
    assert a.sites[site_of(snap, "acc-smpn1")].causes == (Element("link", "acc-smpn1:sfp1|dist-utara:sfp1"),)


def test_two_failures_in_series_report_the_nearest() -> None:
    snap = cut(
        cut_link(magelang(), "dist-selatan:sfp3", "acc-kel-jurangombo:sfp1"),
        "acc-kel-jurangombo:ge1",
        "acc-sd-jurangombo:sfp1",
    )
    a = analyze(build_graph(snap))
    assert a.sites[site_of(snap, "acc-sd-jurangombo")].causes == (
        Element("link", "acc-kel-jurangombo:sfp1|dist-selatan:sfp3"),
    )


def test_core_failure_cuts_off_everything() -> None:
    a = analyze(build_graph(power_off(magelang(), "core-balaikota")))
    assert {st.state for st in a.sites.values()} == {"disconnected"}
    assert {st.causes for st in a.sites.values()} == {(Element("device", "core-balaikota"),)}


def test_degraded_link_on_the_path_degrades_the_site() -> None:
    snap = magelang()
    ifaces = tuple(
        replace(i, in_errors_per_s=50.0) if (i.device, i.name) == ("dist-utara", "sfp2") else i
        for i in snap.interfaces
    )
    a = analyze(build_graph(replace(snap, interfaces=ifaces)))
    st = a.sites[site_of(snap, "acc-sman1")]
    assert (st.state, st.reason) == ("degraded", "degraded_link")
    assert "errors on dist-utara:sfp2" in (site_text(a.az.graph, st) or "")
    assert a.sites[site_of(snap, "acc-smpn1")].state == "connected"


def test_sites_without_data_or_links_are_unknown() -> None:
    snap = magelang()
    blank = replace(
        snap,
        devices=tuple(replace(d, state="unknown") for d in snap.devices),
        interfaces=tuple(replace(i, oper_status=None) for i in snap.interfaces),
    )
    assert set(_states(blank).values()) == {"unknown"}
    lonely = replace(
        snap, links=tuple(lk for lk in snap.links if "acc-sman3" not in (lk.a_device, lk.b_device))
    )
    st = analyze(build_graph(lonely)).sites[site_of(snap, "acc-sman3")]
    assert (st.state, st.reason) == ("unknown", "not_linked")


def test_configured_roots_replace_the_core() -> None:
    a = analyze(build_graph(magelang()), roots=["dist-selatan"])
    assert a.roots == ("dist-selatan",)
    assert a.sites[site_of(magelang(), "acc-setda")].path[-1] == "dist-selatan"


def test_spofs_list_bridges_and_articulation_points_with_dependents() -> None:
    a = analyze(build_graph(magelang()))
    spofs = {(s.element.kind, s.element.id): s for s in a.spofs()}
    utara = spofs[("device", "dist-utara")]
    assert utara.kind == "articulation_point"
    assert set(utara.dependent_sites) == {site_of(magelang(), d) for d in UTARA_SCHOOLS | {"dist-utara"}}
    kel = spofs[("link", "acc-kel-kedungsari:sfp1|dist-utara:sfp3")]
    assert set(kel.dependent_devices) == {"acc-kel-kedungsari", "acc-sd-kedungsari"}
    assert ("link", "core-balaikota:xe1|dist-utara:xe1") not in spofs, "the ring has no bridge"
    assert ("device", "acc-disdukcapil") not in spofs


def test_incremental_updates_equal_a_fresh_analysis() -> None:
    snap = magelang()
    az = Analyzer(build_graph(snap))
    az.analyze()
    az.set_device_state("dist-utara", "down")
    az.set_link_status("acc-sman3:sfp1|dist-selatan:sfp2", "down")
    az.set_link_status("acc-kel-kedungsari:ge1|acc-sd-kedungsari:sfp1", "down")
    inc = az.analyze()
    fresh = analyze(
        build_graph(cut_link(power_off(snap, "dist-utara", False), "dist-selatan:sfp2", "acc-sman3:sfp1"))
    )
    fresh_codes = dict(fresh.codes)
    assert inc.codes == fresh_codes
    assert inc.device("dist-utara").verdict == "down"
    az.set_device_state("dist-utara", "up")
    back = az.analyze()
    assert back.device("dist-utara").verdict == "up"
    assert back.changed_sites(inc)[site_of(snap, "acc-smpn1")] == ("disconnected", "connected")


def test_no_core_and_empty_networks_are_unknown_not_errors() -> None:
    snap = magelang()
    headless = replace(
        snap, devices=tuple(replace(d, role="distribution") if d.role == "core" else d for d in snap.devices)
    )
    a = analyze(build_graph(headless))
    assert set(a.codes.values()) == {"unknown"}
    st = a.sites[site_of(snap, "acc-smpn1")]
    assert st.reason == "no_core" and "no core device" in (site_text(a.az.graph, st) or "")
    empty = analyze(build_graph(NetworkSnapshot()))
    assert empty.codes == {} and empty.spofs() == [] and empty.root_causes() == {}


def test_disjoint_paths_shared_from_one_min_cut_match_fresh_flows() -> None:
    snap = cut_link(magelang(), "core-balaikota:sfp3", "acc-disdukcapil:sfp1")
    names = ["dist-tengah", "dist-selatan", "dist-utara", "acc-rsud-tidar", "acc-disdukcapil"]
    first = analyze(build_graph(snap))
    together = {n: first.disjoint_paths(site_of(snap, n)) for n in names}
    alone = {n: analyze(build_graph(snap)).disjoint_paths(site_of(snap, n)) for n in names}
    assert (
        together
        == alone
        == {
            "dist-tengah": 2,
            "dist-selatan": 2,
            "dist-utara": 2,
            "acc-rsud-tidar": 2,
            "acc-disdukcapil": 1,
        }
    )
    assert first.two_paths, "the first flow's min cut answered the others"
