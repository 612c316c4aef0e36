"""The assessment on the testbed's Magelang plant: site states, root causes, device states, SPOFs, words."""

from __future__ import annotations

from dataclasses import replace

from tests.topology.nets import analyze, cut, cut_link, evidence_of, magelang, power_off, site_of
from topology.assessment import Assessor
from topology.graph import build_graph
from topology.snapshot import NetworkSnapshot
from topology.states import Element
from topology.wording import element_text, site_text

UTARA_SCHOOLS = {"acc-smpn1", "acc-sman1", "acc-kel-kedungsari", "acc-sd-kedungsari", "acc-puskesmas-utara"}


def _states(snap: NetworkSnapshot) -> dict[str, str]:
    return {s: st.state for s, st in analyze(snap).sites.items()}


def test_intact_network_is_connected_everywhere() -> None:
    a = analyze(magelang())
    assert {st.state for st in a.sites.values()} == {"connected"}
    smp = a.sites[site_of(magelang(), "acc-smpn1")]
    assert a.path(smp.site) == ("acc-smpn1", "dist-utara", "core-balaikota")
    assert a.disjoint_paths(smp.site) == 1
    assert a.disjoint_paths(site_of(magelang(), "acc-rsud-tidar")) == 2
    assert a.disjoint_paths(site_of(magelang(), "dist-tengah")) == 3


def test_single_homed_uplink_cut_disconnects_exactly_that_site() -> None:
    snap = cut_link(magelang(), "dist-utara:sfp1", "acc-smpn1:sfp1")
    a = analyze(snap)
    bad = {s: st for s, st in a.sites.items() if st.state != "connected"}
    assert set(bad) == {site_of(snap, "acc-smpn1")}
    (st,) = bad.values()
    assert st.state == "disconnected"
    assert st.causes == (Element("link", "acc-smpn1:sfp1--dist-utara:sfp1"),)
    assert {c.element: c.sites for c in a.root_causes} == {st.causes[0]: (st.site,)}
    school, office = st.site, site_of(snap, "dist-utara")
    assert site_text(a.net.graph, st, "en", a.links) == (
        f"cut off: the fiber between {school} and {office} is cut (acc-smpn1:sfp1 – dist-utara:sfp1)"
    )
    assert site_text(a.net.graph, st, "id", a.links) == (
        f"terputus: serat optik antara {school} dan {office} putus (acc-smpn1:sfp1 – dist-utara:sfp1)"
    )


def test_chained_site_behind_a_cut_has_the_same_cause() -> None:
    snap = cut_link(magelang(), "dist-utara:sfp3", "acc-kel-kedungsari:sfp1")
    a = analyze(snap)
    lost = {s for s, st in a.sites.items() if st.state == "disconnected"}
    assert lost == {site_of(snap, "acc-kel-kedungsari"), site_of(snap, "acc-sd-kedungsari")}
    assert {a.sites[s].causes for s in lost} == {
        (Element("link", "acc-kel-kedungsari:sfp1--dist-utara:sfp3"),)
    }


def test_ring_link_cut_degrades_the_sites_behind_it() -> None:
    snap = cut_link(magelang(), "dist-utara:xe2", "dist-tengah:xe1")
    a = analyze(snap)
    assert not [s for s, st in a.sites.items() if st.state == "disconnected"]
    degraded = {s for s, st in a.sites.items() if st.state == "degraded"}
    assert degraded == {site_of(snap, d) for d in UTARA_SCHOOLS | {"dist-utara"}}
    st = a.sites[site_of(snap, "acc-smpn1")]
    assert st.reason == "redundancy_lost"
    assert Element("link", "dist-tengah:xe1--dist-utara:xe2") in st.causes
    assert "redundancy lost" in (site_text(a.net.graph, st, "en", a.links) or "")


def test_distribution_node_failure_is_the_root_cause_behind_it() -> None:
    snap = power_off(magelang(), "dist-utara")
    a = analyze(snap)
    lost = {s for s, st in a.sites.items() if st.state == "disconnected"}
    assert lost == {site_of(snap, d) for d in UTARA_SCHOOLS | {"dist-utara"}}
    assert {a.sites[s].causes for s in lost} == {(Element("device", "dist-utara"),)}
    assert a.devices["dist-utara"] == "down"
    assert "acc-smpn1" not in a.reachable_devices()
    assert element_text(a.net.graph, Element("device", "dist-utara"), "id", detail=False).endswith("mati")


def test_silent_devices_behind_a_failure_are_unreachable_not_down() -> None:
    snap = power_off(magelang(), "dist-utara")
    for dev in UTARA_SCHOOLS:
        snap = power_off(snap, dev, neighbours_see_it=False)
    a = analyze(snap)
    assert a.devices["dist-utara"] == "down"
    [cause] = a.root_causes
    for dev in UTARA_SCHOOLS:
        assert a.devices[dev] == "unreachable" and dev in cause.devices
    assert cause.element == Element("device", "dist-utara")
    assert {a.sites[site_of(snap, d)].causes for d in UTARA_SCHOOLS} == {(Element("device", "dist-utara"),)}


def test_silent_device_with_its_neighbour_answering_is_down() -> None:
    snap = power_off(magelang(), "acc-sman3", neighbours_see_it=False)
    a = analyze(snap)
    assert a.devices["acc-sman3"] == "down"
    assert a.sites[site_of(snap, "acc-sman3")].causes == (Element("device", "acc-sman3"),)


def test_in_band_uplink_cut_blames_the_link_not_the_silent_school() -> None:
    snap = power_off(cut_link(magelang(), "dist-utara:sfp1", "acc-smpn1:sfp1"), "acc-smpn1", False)
    a = analyze(snap)
    assert a.devices["acc-smpn1"] == "unreachable"
    assert a.sites[site_of(snap, "acc-smpn1")].causes == (Element("link", "acc-smpn1:sfp1--dist-utara:sfp1"),)


def test_two_failures_in_series_report_the_nearest() -> None:
    snap = cut(
        cut_link(magelang(), "dist-selatan:sfp3", "acc-kel-jurangombo:sfp1"),
        "acc-kel-jurangombo:ge1",
        "acc-sd-jurangombo:sfp1",
    )
    a = analyze(snap)
    assert a.sites[site_of(snap, "acc-sd-jurangombo")].causes == (
        Element("link", "acc-kel-jurangombo:sfp1--dist-selatan:sfp3"),
    )


def test_core_failure_cuts_off_everything() -> None:
    a = analyze(power_off(magelang(), "core-balaikota"))
    assert {st.state for st in a.sites.values()} == {"disconnected"}
    assert {st.causes for st in a.sites.values()} == {(Element("device", "core-balaikota"),)}


def test_degraded_link_on_the_path_degrades_the_site() -> None:
    snap = magelang()
    ifaces = tuple(
        replace(i, in_errors_per_s=50.0) if (i.device, i.name) == ("dist-utara", "sfp2") else i
        for i in snap.interfaces
    )
    a = analyze(replace(snap, interfaces=ifaces))
    st = a.sites[site_of(snap, "acc-sman1")]
    assert (st.state, st.reason) == ("degraded", "degraded_link")
    assert "degraded" in (site_text(a.net.graph, st, "en", a.links) or "")
    assert [c.evidence for c in a.root_causes if c.status == "degraded"] == [
        "dist-utara:sfp2 50.00 errors/s > 1"
    ]
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
    st = analyze(lonely).sites[site_of(snap, "acc-sman3")]
    assert (st.state, st.reason) == ("unknown", "not_linked")


def test_configured_roots_replace_the_core() -> None:
    a = analyze(magelang(), roots=["dist-selatan"])
    assert a.roots == ("dist-selatan",)
    assert a.path(site_of(magelang(), "acc-setda"))[-1] == "dist-selatan"


def test_spofs_list_bridges_and_articulation_points_with_dependents() -> None:
    a = analyze(magelang())
    spofs = {(s.element.kind, s.element.id): s for s in a.spofs()}
    utara = spofs[("device", "dist-utara")]
    assert utara.kind == "articulation_point"
    assert set(utara.dependent_sites) == {site_of(magelang(), d) for d in UTARA_SCHOOLS | {"dist-utara"}}
    kel = spofs[("link", "acc-kel-kedungsari:sfp1--dist-utara:sfp3")]
    assert set(kel.dependent_devices) == {"acc-kel-kedungsari", "acc-sd-kedungsari"}
    assert ("link", "core-balaikota:xe1--dist-utara:xe1") not in spofs, "the ring has no bridge"
    assert ("device", "acc-disdukcapil") not in spofs


def test_incremental_updates_equal_a_fresh_analysis() -> None:
    snap = magelang()
    assessor = Assessor(build_graph(snap))
    before = assessor.assess(evidence_of(snap))
    broken = cut_link(power_off(snap, "dist-utara", False), "dist-selatan:sfp2", "acc-sman3:sfp1")
    inc = assessor.assess(evidence_of(broken))
    fresh = analyze(broken)
    assert {s: st for s, st in inc.sites.items()} == {s: st for s, st in fresh.sites.items()}
    assert inc.root_causes == fresh.root_causes and inc.devices == fresh.devices
    assert inc.devices["dist-utara"] == "down"
    back = assessor.assess(evidence_of(snap))
    assert back.devices["dist-utara"] == "up"
    assert back.sites == before.sites
    assert back.sites[site_of(snap, "acc-smpn1")].state == "connected"


def test_no_core_and_empty_networks_are_unknown_not_errors() -> None:
    snap = magelang()
    headless = replace(
        snap, devices=tuple(replace(d, role="distribution") if d.role == "core" else d for d in snap.devices)
    )
    a = analyze(headless)
    assert {st.state for st in a.sites.values()} == {"unknown"}
    st = a.sites[site_of(snap, "acc-smpn1")]
    assert st.reason == "no_core" and "no core device" in (site_text(a.net.graph, st) or "")
    empty = analyze(NetworkSnapshot())
    assert empty.sites == {} and empty.spofs() == [] and empty.root_causes == ()


def test_disjoint_paths_shared_from_one_min_cut_match_fresh_flows() -> None:
    snap = cut_link(magelang(), "core-balaikota:sfp3", "acc-disdukcapil:sfp1")
    names = ["dist-tengah", "dist-selatan", "dist-utara", "acc-rsud-tidar", "acc-disdukcapil"]
    first = analyze(snap)
    together = {n: first.disjoint_paths(site_of(snap, n)) for n in names}
    alone = {n: analyze(snap).disjoint_paths(site_of(snap, n)) for n in names}
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
