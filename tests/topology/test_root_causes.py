"""Root causes on small networks: which failure explains which silent device and site, and why.

The rules of ``topology.assessment`` one by one: a cut uplink, a dead switch (its neighbours'
ports explained), in-band silence behind it, an agent that died, a ring cut (an outage that
lists the degraded sites), dual homing, a lone device, hysteresis for a link already known
down, stale silence after a recovery or a repair, and a dead core.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.topology.small import Net
from topology.evidence import DeviceEvidence, Evidence, LinkEvidence
from topology.states import Connectivity, DeviceStatus, Element, LinkStatus, Verdict
from topology.wording import site_text

# core -- d1 -- d2 -- core (ring); d1 -- s1, d1 -- s2 -- s3 (chain); dual homed to d1 and d2
SITES = {
    "core": "City Hall",
    "d1": "North",
    "d2": "South",
    "s1": "School 1",
    "s2": "Kelurahan",
    "s3": "School 3",
    "dual": "Hospital",
}
LINKS = {
    "core-d1": ("core", "d1"),
    "d1-d2": ("d1", "d2"),
    "d2-core": ("d2", "core"),
    "d1-s1": ("d1", "s1"),
    "d1-s2": ("d1", "s2"),
    "s2-s3": ("s2", "s3"),
    "d1-dual": ("d1", "dual"),
    "d2-dual": ("d2", "dual"),
}
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def net() -> Net:
    return Net(dict(SITES), dict(LINKS))


def test_cut_uplink_is_the_root_cause_of_exactly_the_sites_behind_it() -> None:
    n = net()
    a = n.assess(down=["d1-s2"])
    assert n.causes(a) == [("link", "d1-s2")]
    cause = a.root_causes[0]
    assert cause.devices == ("s2", "s3") and cause.sites == ("Kelurahan", "School 3")
    assert a.devices["s3"] == DeviceStatus.UNREACHABLE and a.devices["s1"] == DeviceStatus.UP
    assert a.sites["School 3"].state == Connectivity.DISCONNECTED
    assert a.sites["School 3"].causes == (cause.element,)


def test_failed_distribution_switch_is_one_root_cause_and_its_ports_are_explained() -> None:
    n = net()
    a = n.assess({"d1": Verdict.SILENT}, down=["core-d1", "d1-d2", "d1-s1", "d1-s2", "d1-dual"])
    assert n.causes(a) == [("device", "d1")]
    assert a.root_causes[0].devices == ("d1", "s1", "s2", "s3")
    assert "Hospital" not in a.root_causes[0].sites
    assert a.devices["d1"] == DeviceStatus.DOWN
    assert {a.devices[d] for d in ("s1", "s2", "s3")} == {DeviceStatus.UNREACHABLE}
    assert a.devices["dual"] == DeviceStatus.UP
    assert a.explained == {n.key[k] for k in ("core-d1", "d1-d2", "d1-s1", "d1-s2", "d1-dual")}


def test_inband_silence_behind_a_dead_switch_is_unreachable_not_down() -> None:
    n = net()
    silent = dict.fromkeys(("d1", "s1", "s2", "s3"), Verdict.SILENT)
    a = n.assess(silent, down=["core-d1", "d1-d2", "d1-dual"])
    assert n.causes(a) == [("device", "d1")]
    assert set(a.root_causes[0].devices) == {"d1", "s1", "s2", "s3"}
    assert a.devices["s3"] == DeviceStatus.UNREACHABLE


def test_agent_down_forwards_traffic_opens_nothing_and_its_site_is_not_monitored() -> None:
    n = net()
    a = n.assess({"d1": Verdict.AGENT_DOWN})
    assert a.root_causes == ()
    assert a.devices["d1"] == DeviceStatus.AGENT_DOWN and a.devices["s3"] == DeviceStatus.UP
    assert (a.sites["North"].state, a.sites["North"].reason) == (Connectivity.UNKNOWN, "not_monitored")
    assert a.sites["School 3"].state == Connectivity.CONNECTED


def test_ring_cut_is_a_root_cause_that_lists_the_sites_it_leaves_on_one_path() -> None:
    n = net()
    assert (
        net().assess(down=["d1-d2"]).root_causes[0].degraded_sites == ()
    )  # the hospital still closes a ring
    n = Net(dict(SITES), {k: v for k, v in LINKS.items() if "dual" not in k})
    a = n.assess(down=["d1-d2"])
    [cause] = a.root_causes
    assert n.causes(a) == [("link", "d1-d2")] and cause.sites == ()
    assert set(cause.degraded_sites) == {s for s, st in a.sites.items() if st.state == Connectivity.DEGRADED}
    assert cause.degraded_sites  # the ring's sites and the ones behind them lost their second way
    for site in cause.degraded_sites:
        assert a.sites[site].causes == (cause.element,) and a.sites[site].reason == "redundancy_lost"


def test_dual_homed_site_needs_both_uplinks_cut() -> None:
    n = net()
    one = n.assess(down=["d1-dual"])
    assert one.root_causes[0].sites == ()
    both = n.assess(down=["d1-dual", "d2-dual"])
    assert {name for _, name in n.causes(both)} == {"d1-dual", "d2-dual"}
    assert all(c.sites == ("Hospital",) for c in both.root_causes)  # either repair restores it
    assert both.devices["dual"] == DeviceStatus.UNREACHABLE


def test_device_without_links_stands_alone() -> None:
    n = Net({**SITES, "lonely": "Depot"}, dict(LINKS))
    a = n.assess({"lonely": Verdict.SILENT})
    assert [(c.element.id, c.sites) for c in a.root_causes] == [("lonely", ("Depot",))]
    assert a.sites["Depot"].state == Connectivity.DISCONNECTED


def test_one_link_down_towards_a_silent_switch_blames_the_link_two_blame_the_switch() -> None:
    n = net()
    chain = n.assess({"s2": Verdict.SILENT, "s3": Verdict.SILENT}, down=["d1-s2"])
    assert n.causes(chain) == [("link", "d1-s2")], "a cut fiber and a switch without power look alike"
    assert chain.devices["s2"] == DeviceStatus.UNREACHABLE and chain.root_causes[0].sites == (
        "Kelurahan",
        "School 3",
    )
    dead = n.assess({"s2": Verdict.SILENT}, down=["d1-s2", "s2-s3"])  # s3 answers and lost carrier too
    assert n.causes(dead) == [("device", "s2")]
    seen_up = n.assess({"s1": Verdict.SILENT})  # its neighbour still sees the port up: the switch is dead
    assert n.causes(seen_up) == [("device", "s1")]


def test_a_link_known_down_stays_the_cause_when_the_switch_behind_it_then_looks_dead() -> None:
    n = net()
    silent = {"d1": Verdict.SILENT, "s1": Verdict.SILENT, "s2": Verdict.SILENT, "s3": Verdict.SILENT}
    fresh = n.assess(silent, down=["core-d1", "d1-d2", "d1-dual"])
    assert n.causes(fresh) == [("device", "d1")]  # seen together: the switch is blamed
    held = n.assess(silent, down=["core-d1", "d1-d2", "d1-dual"], prior=["core-d1", "d1-d2", "d1-dual"])
    assert {name for _, name in n.causes(held)} == {"core-d1", "d1-d2", "d1-dual"}
    assert held.devices["d1"] == DeviceStatus.UNREACHABLE


def test_silence_from_before_a_recovery_blames_nobody() -> None:
    """A dead switch is back; the schools behind it were last probed while it was dead."""
    n = net()
    silent = dict.fromkeys(("s1", "s2", "s3"), Verdict.SILENT)
    probed = dict.fromkeys(("s1", "s2", "s3"), T0)
    a = n.assess(silent, probed=probed, back={"d1": T0 + timedelta(seconds=30)})
    assert a.root_causes == ()
    assert {a.devices[d] for d in ("s1", "s2", "s3")} == {DeviceStatus.UNKNOWN}
    again = n.assess(
        silent,
        probed=dict.fromkeys(("s1", "s2", "s3"), T0 + timedelta(seconds=40)),
        back={"d1": T0 + timedelta(seconds=30)},
    )
    assert n.causes(again) == [("device", "s1"), ("device", "s2")]  # probed again: really dead


def test_silence_from_before_a_fiber_repair_blames_nobody() -> None:
    n = net()
    a = n.assess(
        {"s2": Verdict.SILENT, "s3": Verdict.SILENT},
        probed={"s2": T0, "s3": T0},
        link_since={"d1-s2": T0 + timedelta(seconds=5)},
    )
    assert a.root_causes == ()
    assert a.sites["Kelurahan"].state == Connectivity.UNKNOWN


def test_a_dead_core_is_the_root_cause_of_everything() -> None:
    n = net()
    a = n.assess(dict.fromkeys(SITES, Verdict.SILENT))
    assert n.causes(a) == [("device", "core")]
    assert set(a.root_causes[0].devices) == set(SITES)


def test_degraded_link_on_the_path_is_a_root_cause_of_the_sites_it_degrades() -> None:
    n = net()
    a = n.assess(degraded=["d1-s2"])
    assert [(c.element, c.status, c.degraded_sites) for c in a.root_causes] == [
        (Element("link", n.key["d1-s2"]), "degraded", ("Kelurahan", "School 3"))
    ]
    assert a.sites["School 3"].reason == "degraded_link"


def test_loss_at_the_office_is_the_cause_for_every_site_behind_it_not_each_switch() -> None:
    n = net()
    devices = {d: DeviceEvidence(Verdict.ANSWERED) for d in SITES}
    for lossy in ("s2", "s3"):  # measured from the core, loss at s2 shows at s3 too
        devices[lossy] = DeviceEvidence(Verdict.ANSWERED, impaired="loss 30 % over 5 min")
    links = {key: LinkEvidence(LinkStatus.UP) for key in n.key.values()}
    a = n.assessor.assess(Evidence(devices, links))
    assert [(c.element, c.status, c.degraded_sites) for c in a.root_causes] == [
        (Element("device", "s2"), "degraded", ("Kelurahan", "School 3"))
    ]
    assert a.root_causes[0].evidence == "loss 30 % over 5 min"
    st = a.sites["School 3"]
    assert (st.state, st.reason, st.causes) == (Connectivity.DEGRADED, "impaired", (Element("device", "s2"),))
    assert "loses packets or is slow" in (site_text(a.net.graph, st) or "")
    assert "tidak stabil" in (site_text(a.net.graph, st, "id") or "")
