"""The generated demo network is consistent: names unique, fibers well-formed, LLDP symmetric,
faults change exactly the ports they should, counters behave like real ones."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from simulator import ber
from simulator.faults import FaultCommand, FaultError, apply_command, pick_fault
from simulator.mib import IF_ENTRY, IFX_ENTRY, LLDP_REM, LLDP_REM_MAN, build_view
from simulator.network import CORE, DemoNetwork, generate
from simulator.state import SimState
from simulator.topofile import TopologyError, load_topology

TESTBED_TOPOLOGY = Path(__file__).resolve().parents[2].parent / "shared" / "testbed" / "magelang.json"


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def net() -> DemoNetwork:
    return generate(1)


def value(view, oid):
    getter = view.get(oid)
    return None if getter is None else ber.decode_value(getter())


def remote_rows(view, local_if_index):
    """lldpRemTable rows of one local port: {column: value}."""
    rows = {}
    for oid in view.oids:
        if oid[: len(LLDP_REM)] == LLDP_REM and oid[len(LLDP_REM) + 2] == local_if_index:
            rows[oid[len(LLDP_REM)]] = ber.decode_value(view.values[oid]())
    return rows


def test_generation_is_deterministic(net):
    assert generate(1) == net
    assert generate(2) != net


def test_names_addresses_and_ports_are_unique(net):
    names = [d.name for d in net.devices]
    assert len(names) == len(set(names))
    assert len({d.address for d in net.devices}) == len(names)
    assert all(d.address.startswith("127.") for d in net.devices)
    assert len({s.name for s in net.sites}) == len(net.sites)
    for dev in net.devices:
        assert len({p.name for p in dev.ports}) == len(dev.ports)
        assert len({p.if_index for p in dev.ports}) == len(dev.ports)
    ends = [(lk.a, lk.a_port) for lk in net.links] + [(lk.b, lk.b_port) for lk in net.links]
    assert len(ends) == len(set(ends)), "a port carries two fibers"
    for dev, port in ends:
        assert net.device(dev).port(port).fiber


def test_shape_is_a_magelang_like_city_network(net):
    roles = Counter(d.role for d in net.devices)
    assert roles["core"] == 1 and roles["distribution"] == 3 and roles["access"] >= 40
    degree = Counter([lk.a for lk in net.links] + [lk.b for lk in net.links])
    access = [d for d in net.devices if d.role == "access"]
    uplinks = {d.name: [lk for lk in net.links_of(d.name)] for d in access}
    assert any(degree[d.name] == 2 and all(net.device(lk.a if lk.b == d.name else lk.b).role != "access"
                                           for lk in uplinks[d.name]) for d in access), "no dual-homed site"
    assert any(net.device(lk.a).role == "access" and net.device(lk.b).role == "access" for lk in net.links)
    ring = {lk.key for lk in net.links if lk.speed_mbps == 10000}
    assert frozenset((CORE, "dist-utara")) in ring and frozenset(("dist-selatan", CORE)) in ring
    kinds = Counter(s.kind for s in net.sites)
    assert {"core", "district", "agency", "school", "health"} <= set(kinds)
    assert any(s.name.startswith("SD Negeri") for s in net.sites)
    assert any(s.name.startswith("Puskesmas") for s in net.sites)
    for site in net.sites:
        assert abs(site.latitude + 7.48) < 0.06 and abs(site.longitude - 110.22) < 0.06
    models = Counter(d.vendor.vendor for d in net.devices)
    assert set(models) == {"Cisco", "Huawei", "MikroTik"}
    port_names = {p.name for d in net.devices for p in d.ports}
    assert {"Te1/0/1", "XGigabitEthernet0/0/1", "sfp-sfpplus1"} <= port_names


def test_every_fiber_appears_in_both_lldp_tables(net):
    state = SimState(net, clock=Clock())
    views = {d.name: build_view(state, d) for d in net.devices}
    for link in net.links:
        for me, my_port, peer, peer_port in ((link.a, link.a_port, link.b, link.b_port),
                                             (link.b, link.b_port, link.a, link.a_port)):
            local = net.device(me).port(my_port)
            row = remote_rows(views[me], local.if_index)
            assert bytes(row[9]).decode() == peer, f"{me}:{my_port} does not see {peer}"
            remote_dev = net.device(peer)
            remote = remote_dev.port(peer_port)
            expected = remote.name.encode() if remote_dev.lldp_port_id == "ifname" else bytes(
                int(x, 16) for x in remote_dev.port_mac(remote).split(":"))
            assert bytes(row[7]) == expected
            man = [oid for oid in views[me].oids if oid[: len(LLDP_REM_MAN)] == LLDP_REM_MAN
                   and oid[len(LLDP_REM_MAN) + 2] == local.if_index]
            assert man and ".".join(map(str, man[0][-4:])) == remote_dev.address
    sysname = (*LLDP_REM, 9)
    total_rows = sum(1 for v in views.values() for oid in v.oids if oid[: len(sysname)] == sysname)
    assert total_rows == 2 * len(net.links)


def test_views_are_sorted_and_carry_interface_names(net):
    state = SimState(net, clock=Clock())
    dev = net.device("dist-tengah")
    view = build_view(state, dev)
    assert view.oids == sorted(set(view.oids))
    names = [value(view, (*IFX_ENTRY, 1, p.if_index)).decode() for p in dev.ports]
    assert names == [p.name for p in dev.ports]
    assert view.next((*IFX_ENTRY, 1))[0] == (*IFX_ENTRY, 1, dev.ports[0].if_index)
    assert view.next(view.oids[-1]) is None


def test_cut_and_restore_a_fiber(net):
    clock = Clock()
    state = SimState(net, clock=clock)
    link = net.find_link("dist-utara", "acc-kel-wates")
    index = net.links.index(link)
    a_port, b_port = net.device(link.a).port(link.a_port), net.device(link.b).port(link.b_port)
    changes = apply_command(state, FaultCommand("cut-link", link.a, link.b))
    assert {(c.device, c.port.name, c.up) for c in changes} == {(link.a, link.a_port, False),
                                                                  (link.b, link.b_port, False)}
    view = build_view(state, net.device(link.a))
    assert value(view, (*IF_ENTRY, 8, a_port.if_index)) == 2
    assert value(view, (*IF_ENTRY, 7, a_port.if_index)) == 1, "a cut fiber stays admin up"
    assert remote_rows(view, a_port.if_index) == {}
    assert remote_rows(build_view(state, net.device(link.b)), b_port.if_index) == {}
    assert not state.link_up(index)
    apply_command(state, FaultCommand("restore-link", link.b, link.a))
    assert state.link_up(index)
    assert bytes(remote_rows(build_view(state, net.device(link.a)), a_port.if_index)[9]).decode() == link.b


def test_failed_switch_stops_answering_and_reboots_on_restore(net):
    clock = Clock()
    state = SimState(net, clock=clock)
    before = state.uptime_s("dist-selatan")
    changes = apply_command(state, FaultCommand("fail-device", "dist-selatan"))
    assert not state.answers("dist-selatan")
    peers = {c.device for c in changes if not c.up} - {"dist-selatan"}
    assert peers == {lk.a if lk.b == "dist-selatan" else lk.b for lk in net.links_of("dist-selatan")}
    clock.t += 30
    apply_command(state, FaultCommand("restore-device", "dist-selatan"))
    assert state.answers("dist-selatan")
    assert state.uptime_s("dist-selatan") < 1 < before
    port = net.device("dist-selatan").ports[0]
    assert state.counters[("dist-selatan", port.if_index)].rx.octets(clock.t) == 0


def test_counters_move_while_up_and_freeze_while_down(net):
    clock = Clock()
    state = SimState(net, clock=clock)
    link = net.links[0]
    port = net.device(link.a).port(link.a_port)
    flow = state.counters[(link.a, port.if_index)].rx
    samples = []
    for _ in range(5):
        samples.append(flow.octets(clock.t))
        clock.t += 300
    assert all(b > a for a, b in itertools.pairwise(samples))
    rate_bps = (samples[-1] - samples[0]) * 8 / 1200
    assert 0 < rate_bps < port.speed_mbps * 1e6
    state.cut_link(0)
    frozen = flow.octets(clock.t)
    clock.t += 600
    assert flow.octets(clock.t) == frozen
    state.restore_link(0)
    clock.t += 60
    assert flow.octets(clock.t) > frozen


def test_fault_commands_reject_unknown_names(net):
    state = SimState(net, clock=Clock())
    with pytest.raises(FaultError, match="no fiber"):
        apply_command(state, FaultCommand("cut-link", CORE, "acc-sdn1"))
    with pytest.raises(FaultError, match="no demo device"):
        apply_command(state, FaultCommand("fail-device", "nope"))
    with pytest.raises(FaultError, match="unknown fault action"):
        apply_command(state, FaultCommand("explode", CORE))


def test_random_faults_are_reproducible_and_never_fail_the_core(net):
    import random

    picks = []
    for _ in range(2):
        rng, state = random.Random(7), SimState(net, clock=Clock())
        picks.append([pick_fault(state, rng) for _ in range(30)])
    assert picks[0] == picks[1]
    assert all(p is not None and p[0].a != CORE for p in picks[0] if p and p[0].action == "fail-device")


@pytest.mark.skipif(not TESTBED_TOPOLOGY.exists(), reason="shared/testbed/magelang.json not found")
def test_testbed_topology_file_is_accepted():
    doc = json.loads(TESTBED_TOPOLOGY.read_text())
    net = load_topology(TESTBED_TOPOLOGY)
    assert [d.name for d in net.devices] == [n["name"] for n in doc["nodes"]]
    assert len(net.links) == len(doc["links"])
    assert net.device("acc-bappeda").lldp_port_id == "mac"
    state = SimState(net, clock=Clock())
    view = build_view(state, net.device("dist-tengah"))
    sysname = (*LLDP_REM, 9)
    peers = {value(view, oid).decode() for oid in view.oids if oid[: len(sysname)] == sysname}
    assert peers == {lk.a if lk.b == "dist-tengah" else lk.b for lk in net.links_of("dist-tengah")}


def test_bad_topology_file_names_the_place(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nodes": [{"name": "a", "site": "A"}], "links": [{"a": "a:x", "b": "b"}]}))
    with pytest.raises(TopologyError, match=r"bad.json: links\[0\].b"):
        load_topology(bad)
    bad.write_text("{")
    with pytest.raises(TopologyError, match=r"bad\.json"):
        load_topology(bad)


def test_sites_behind_a_cut_fiber_stop_answering(net):
    state = SimState(net, clock=Clock())
    assert state.reachable == {d.name for d in net.devices}
    apply_command(state, FaultCommand("cut-link", "dist-utara", "acc-kel-wates"))
    assert not state.answers("acc-kel-wates") and not state.answers("acc-smpn2"), "chained school stays dark"
    assert state.answers("dist-utara")
    apply_command(state, FaultCommand("restore-all"))
    apply_command(state, FaultCommand("cut-link", "core-balaikota", "dist-utara"))
    assert state.answers("dist-utara"), "the ring carries traffic the other way"
    apply_command(state, FaultCommand("fail-device", "dist-selatan"))
    single = [d.name for d in net.devices if d.name != "dist-selatan" and net.links_of(d.name)
              and all("dist-selatan" in (lk.a, lk.b) for lk in net.links_of(d.name))]
    assert single and not any(state.answers(n) for n in single)
    assert state.answers("acc-rsud-tidar"), "dual-homed hospital keeps its second fiber"


def test_ber_codec_agrees_with_pyasn1():
    from pyasn1.codec.ber import decoder, encoder
    from pysnmp.proto import api, rfc1902

    for v in (0, 1, 127, 128, 255, 256, -1, -128, -129, 2**31 - 1, -(2**31)):
        assert decoder.decode(ber.integer(v), asn1Spec=rfc1902.Integer32())[0] == v
        assert ber.decode_value(ber.integer(v)) == v
    for v in (0, 127, 128, 2**32 - 1):
        assert ber.unsigned(v, ber.COUNTER32) == encoder.encode(rfc1902.Counter32(v))
    for v in (0, 2**63, 2**64 - 1):
        assert ber.unsigned(v, ber.COUNTER64) == encoder.encode(rfc1902.Counter64(v))
    for oid in ((1, 3, 6, 1, 2, 1, 1, 5, 0), (1, 0, 8802, 1, 1, 2, 1, 4, 1, 1, 9, 0, 1, 2), (2, 999, 16384)):
        assert ber.oid(oid) == encoder.encode(rfc1902.ObjectIdentifier(oid))
        assert ber.decode_value(ber.oid(oid)) == oid
    # a request built by pysnmp decodes; our response decodes in pysnmp
    v2c = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = v2c.GetBulkRequestPDU()
    v2c.apiBulkPDU.set_defaults(pdu)
    v2c.apiBulkPDU.set_request_id(pdu, 4242)
    v2c.apiBulkPDU.set_non_repeaters(pdu, 1)
    v2c.apiBulkPDU.set_max_repetitions(pdu, 25)
    asked = ((1, 3, 6, 1, 2, 1, 1, 3), (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1))
    v2c.apiBulkPDU.set_varbinds(pdu, [(oid, v2c.null) for oid in asked])
    msg = v2c.Message()
    v2c.apiMessage.set_defaults(msg)
    v2c.apiMessage.set_community(msg, "demo")
    v2c.apiMessage.set_pdu(msg, pdu)
    request = ber.decode_request(encoder.encode(msg))
    assert (request.version, request.community, request.pdu) == (1, b"demo", ber.GETBULK)
    assert request.request_id == 4242
    assert (request.field1, request.field2) == (1, 25)
    assert request.oids == asked
    reply = ber.message(1, b"demo", ber.RESPONSE, 4242, 0, 0,
                        [(ber.oid((1, 3, 6, 1, 2, 1, 1, 5, 0)), ber.octets("Balai Kota – lt. 2".encode())),
                         (ber.oid((1, 3, 6, 1, 2, 1, 1, 9)), ber.END_OF_MIB_VIEW)])
    decoded, _rest = decoder.decode(reply, asn1Spec=v2c.Message())
    binds = v2c.apiPDU.get_varbinds(v2c.apiMessage.get_pdu(decoded))
    assert bytes(binds[0][1]).decode() == "Balai Kota – lt. 2"
    assert binds[1][1].__class__.__name__ == "EndOfMibView"
    with pytest.raises(ber.AgentBerError):
        ber.decode_request(b"\x30\x05\x02\x01")
