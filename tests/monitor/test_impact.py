"""Root cause and shadow on plain inputs: which failure explains which silent device and site."""

from __future__ import annotations

from netops.monitor.impact import LinkEdge, analyze_impact
from netops.monitor.states import DeviceStatus, Verdict

# core -- d1 -- d2 -- core (ring); d1 -- s1, d1 -- s2 -- s3 (chain); dual homed to d1 and d2
SITES = {"core": "City Hall", "d1": "North", "d2": "South", "s1": "School 1", "s2": "Kelurahan",
         "s3": "School 3", "dual": "Hospital"}
LINKS = [LinkEdge("core-d1", "core", "d1"), LinkEdge("d1-d2", "d1", "d2"), LinkEdge("d2-core", "d2", "core"),
         LinkEdge("d1-s1", "d1", "s1"), LinkEdge("d1-s2", "d1", "s2"), LinkEdge("s2-s3", "s2", "s3"),
         LinkEdge("d1-dual", "d1", "dual"), LinkEdge("d2-dual", "d2", "dual")]
ALL_UP = {d: Verdict.ANSWERED for d in SITES}


def test_cut_uplink_is_the_root_cause_of_exactly_the_sites_behind_it() -> None:
    impact = analyze_impact(SITES, LINKS, ["core"], ALL_UP, ["d1-s2"])
    assert [(c.kind, c.name) for c in impact.root_causes] == [("link", "d1-s2")]
    cause = impact.root_causes[0]
    assert cause.affected_devices == ("s2", "s3")
    assert cause.affected_sites == ("Kelurahan", "School 3")
    assert impact.device_states["s3"] == DeviceStatus.UNREACHABLE
    assert impact.device_states["s1"] == DeviceStatus.UP


def test_failed_distribution_switch_is_one_outage_and_its_ports_are_explained() -> None:
    verdicts = {**ALL_UP, "d1": Verdict.SILENT}
    down = ["core-d1", "d1-d2", "d1-s1", "d1-s2", "d1-dual"]  # neighbours see carrier loss
    impact = analyze_impact(SITES, LINKS, ["core"], verdicts, down)
    assert [(c.kind, c.name) for c in impact.root_causes] == [("device", "d1")]
    assert impact.root_causes[0].affected_devices == ("d1", "s1", "s2", "s3")
    assert "Hospital" not in impact.root_causes[0].affected_sites
    assert impact.device_states["d1"] == DeviceStatus.DOWN
    assert {impact.device_states[d] for d in ("s1", "s2", "s3")} == {DeviceStatus.UNREACHABLE}
    assert impact.device_states["dual"] == DeviceStatus.UP


def test_inband_silence_behind_a_dead_switch_is_unreachable_not_down() -> None:
    verdicts = {**ALL_UP, **dict.fromkeys(("d1", "s1", "s2", "s3"), Verdict.SILENT)}
    impact = analyze_impact(SITES, LINKS, ["core"], verdicts, ["core-d1", "d1-d2", "d1-dual"])
    assert [(c.kind, c.name) for c in impact.root_causes] == [("device", "d1")]
    assert set(impact.root_causes[0].affected_devices) == {"d1", "s1", "s2", "s3"}
    assert impact.device_states["s3"] == DeviceStatus.UNREACHABLE


def test_agent_down_forwards_traffic_and_opens_nothing() -> None:
    impact = analyze_impact(SITES, LINKS, ["core"], {**ALL_UP, "d1": Verdict.AGENT_DOWN}, [])
    assert impact.root_causes == ()
    assert impact.device_states["d1"] == DeviceStatus.AGENT_DOWN
    assert impact.device_states["s3"] == DeviceStatus.UP


def test_ring_cut_is_an_outage_without_affected_sites() -> None:
    impact = analyze_impact(SITES, LINKS, ["core"], ALL_UP, ["d1-d2"])
    assert [(c.name, c.affected_sites) for c in impact.root_causes] == [("d1-d2", ())]


def test_dual_homed_site_needs_both_uplinks_cut() -> None:
    one = analyze_impact(SITES, LINKS, ["core"], ALL_UP, ["d1-dual"])
    assert one.root_causes[0].affected_sites == ()
    both = analyze_impact(SITES, LINKS, ["core"], ALL_UP, ["d1-dual", "d2-dual"])
    assert {c.name for c in both.root_causes} == {"d1-dual", "d2-dual"}
    assert all(c.affected_sites == ("Hospital",) for c in both.root_causes)  # either repair restores it
    assert both.device_states["dual"] == DeviceStatus.UNREACHABLE


def test_device_without_links_stands_alone() -> None:
    sites = {**SITES, "lonely": "Depot"}
    impact = analyze_impact(sites, LINKS, ["core"], {**ALL_UP, "lonely": Verdict.SILENT}, [])
    assert [(c.name, c.affected_sites) for c in impact.root_causes] == [("lonely", ("Depot",))]
