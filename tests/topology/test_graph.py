"""Graph building: merging sightings and declarations, unknown nodes, link status evidence."""

from __future__ import annotations

from dataclasses import replace

from inventory.records import DeviceRecord, InterfaceRecord, LinkRecord, NeighborRecordView, SiteRecord
from tests.topology.nets import evidence_of, magelang
from topology.graph import build_graph
from topology.link_rule import LinkThresholds
from topology.snapshot import NetworkSnapshot


def _nb(device: str, local: str, remote: str, port: str, **kw: str) -> NeighborRecordView:
    fields = {
        "protocol": "lldp",
        "chassis_id": "",
        "chassis_id_kind": "local",
        "port_id": port,
        "port_id_kind": "interface_name",
        "system_name": remote,
    }
    fields.update(kw)
    return NeighborRecordView(device=device, local_port=local, **fields)  # type: ignore[arg-type]


def _two_switches(**extra: object) -> NetworkSnapshot:
    devices = (
        DeviceRecord("core", "10.0.0.1", "core", "HQ", state="up", sys_name="core.example.net"),
        DeviceRecord("sw1", "10.0.0.2", "access", "School", state="up", sys_name="sw1"),
    )
    ifaces = (
        InterfaceRecord(
            "core",
            "GigabitEthernet0/1",
            descr="GigabitEthernet0/1",
            oper_status="up",
            admin_status="up",
            speed_bps=10**9,
        ),
        InterfaceRecord("core", "GigabitEthernet0/2", oper_status="up", admin_status="up"),
        InterfaceRecord("sw1", "ge-0/0/1", oper_status="up", admin_status="up", mac="02:00:00:00:01:01"),
        InterfaceRecord("sw1", "ge-0/0/2", oper_status="up", admin_status="up"),
    )
    snap = NetworkSnapshot((SiteRecord("HQ", "core"), SiteRecord("School", "school")), devices, ifaces)
    return replace(snap, **extra)  # type: ignore[arg-type]


def test_a_link_seen_from_both_ends_is_one_link() -> None:
    snap = _two_switches(
        neighbors=(
            _nb("core", "Gi0/1", "sw1", "ge-0/0/1"),
            _nb("sw1", "ge-0/0/1", "core.example.net", "Gi0/1"),
        )
    )
    g = build_graph(snap)
    assert len(g.links) == 1
    link = next(iter(g.links.values()))
    assert {str(link.a), str(link.b)} == {"core:GigabitEthernet0/1", "sw1:ge-0/0/1"}
    assert link.seen_from == ("core", "sw1") and not link.one_sided
    assert link.sources == ("lldp",) and not link.declared
    assert g.graph.number_of_edges() == 1


def test_one_sided_sighting_is_kept_and_marked() -> None:
    g = build_graph(_two_switches(neighbors=(_nb("sw1", "ge-0/0/1", "core", "Gi0/1"),)))
    link = next(iter(g.links.values()))
    assert link.one_sided and link.seen_from == ("sw1",)


def test_two_fibers_between_one_pair_are_two_edges() -> None:
    snap = _two_switches(
        neighbors=(
            _nb("core", "Gi0/1", "sw1", "ge-0/0/1"),
            _nb("core", "Gi0/2", "sw1", "ge-0/0/2"),
            _nb("sw1", "ge-0/0/2", "core", "GigabitEthernet0/2"),
        )
    )
    g = build_graph(snap)
    assert len(g.links) == 2
    assert g.graph.number_of_edges("core", "sw1") == 2


def test_declared_and_discovered_merge_with_sources() -> None:
    declared = (LinkRecord("core", "GigabitEthernet0/1", "sw1", "ge-0/0/1"),)
    snap = _two_switches(links=declared, neighbors=(_nb("core", "Gi0/1", "sw1", "ge-0/0/1", protocol="cdp"),))
    link = next(iter(build_graph(snap).links.values()))
    assert link.sources == ("cdp", "declared") and link.declared


def test_discovery_corrects_a_declared_port_and_keeps_the_declaration() -> None:
    declared = (LinkRecord("core", "GigabitEthernet0/1", "sw1", "ge-0/0/2"),)
    snap = _two_switches(links=declared, neighbors=(_nb("core", "Gi0/1", "sw1", "ge-0/0/1"),))
    g = build_graph(snap)
    assert len(g.links) == 1
    link = next(iter(g.links.values()))
    assert str(link.b) == "sw1:ge-0/0/1"
    assert link.declared_ends is not None and str(link.declared_ends[1]) == "sw1:ge-0/0/2"


def test_unknown_neighbor_becomes_an_unknown_node() -> None:
    snap = _two_switches(
        neighbors=(
            _nb("core", "Gi0/2", "ap-lobby", "eth0", chassis_id="aa:bb:cc:00:00:01", chassis_id_kind="mac"),
        )
    )
    g = build_graph(snap)
    node = g.nodes["unknown:ap-lobby"]
    assert not node.known and node.label == "ap-lobby"
    link = next(iter(g.links.values()))
    assert not link.port_resolved and "unknown:ap-lobby" in (link.a.device, link.b.device)


def test_mac_port_id_resolves_to_the_port() -> None:
    nb = _nb("core", "Gi0/1", "sw1", "02 00 00 00 01 01", port_id_kind="mac")
    link = next(iter(build_graph(_two_switches(neighbors=(nb,))).links.values()))
    assert str(link.b) == "sw1:ge-0/0/1" and link.port_resolved


def _status(snapshot: NetworkSnapshot, key_end: str = "dist-utara:sfp1",
            limits: LinkThresholds | None = None) -> tuple[str, str]:
    """The one link rule on the snapshot's stored ports, as the monitor applies it."""
    link = build_graph(snapshot).link_at(*key_end.split(":"))
    assert link is not None
    evidence = evidence_of(snapshot, limits).link(link.key)
    return evidence.status, evidence.evidence


def test_link_status_from_both_ends_by_the_one_rule() -> None:
    snap = magelang()
    assert _status(snap)[0] == "up"

    def edit(both: bool = False, **kw: object) -> NetworkSnapshot:
        ends = {("acc-smpn1", "sfp1")} | ({("dist-utara", "sfp1")} if both else set())
        return replace(
            snap,
            interfaces=tuple(replace(i, **kw) if (i.device, i.name) in ends else i for i in snap.interfaces),
        )  # type: ignore[arg-type]

    assert _status(edit(both=True, oper_status="down")) == ("down", "acc-smpn1:sfp1 ifOperStatus=down")
    assert _status(edit(oper_status="down"))[0] == "unknown", "the ends disagree: the next poll decides"
    assert _status(edit(both=True, oper_status="lowerLayerDown"))[0] == "down"
    assert _status(edit(both=True, admin_status="down"))[0] == "down"
    assert _status(edit(in_errors_per_s=5.0))[0] == "degraded"
    assert _status(edit(in_errors_per_s=0.5))[0] == "up"
    assert _status(edit(rx_dbm=-26.0, rx_low_alarm_dbm=-28.0))[0] == "degraded"
    assert _status(edit(rx_dbm=-20.0, rx_low_alarm_dbm=-28.0))[0] == "up"
    assert _status(edit(oper_status="unknown"))[0] == "up"
    assert (
        _status(
            replace(
                edit(oper_status="unknown"),
                interfaces=tuple(
                    replace(i, oper_status=None) if i.device == "dist-utara" or i.device == "acc-smpn1" else i
                    for i in edit().interfaces
                ),
            )
        )[0]
        == "unknown"
    )
    assert _status(edit(in_errors_per_s=0.5), limits=LinkThresholds(error_rate_per_s=0.1))[0] == "degraded"


def test_a_silent_devices_stale_interfaces_are_not_evidence() -> None:
    snap = magelang()
    devices = tuple(replace(d, state="down") if d.name == "acc-smpn1" else d for d in snap.devices)
    stale_down = replace(
        snap,
        devices=devices,
        interfaces=tuple(
            replace(i, oper_status="down") if i.device == "acc-smpn1" else i for i in snap.interfaces
        ),
    )
    assert _status(stale_down)[0] == "up", "dist-utara still reports its port up"
    agent = replace(
        stale_down,
        devices=tuple(replace(d, state="agent_down") if d.name == "acc-smpn1" else d for d in snap.devices),
    )
    assert _status(agent)[0] == "up", "an agent that stopped answering leaves stale states too"


def test_magelang_graph_equals_the_plant() -> None:
    g = build_graph(magelang())
    assert len(g.nodes) == 20 and len(g.links) == 22
    assert g.default_roots() == ("core-balaikota",)
    assert g.graph.number_of_edges("acc-disdukcapil", "core-balaikota") == 1
