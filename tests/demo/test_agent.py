"""The simulated agents answer real SNMP clients correctly: net-snmp's snmpbulkwalk/snmpget
and pysnmp 7, with sorted walks, GETBULK, faults through the control hook, and traps."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import socket
import subprocess

import pytest
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    bulk_cmd,
    get_cmd,
)

from simulator.control import ControlError, read_status, submit
from simulator.faults import FaultCommand
from tests.demo.conftest import stop

SNMPBULKWALK = shutil.which("snmpbulkwalk")
needs_netsnmp = pytest.mark.skipif(SNMPBULKWALK is None,
                                   reason="net-snmp tools (apt-get install snmp) missing")
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_OPER = "1.3.6.1.2.1.2.2.1.8"
LLDP_SYSNAME = "1.0.8802.1.1.2.1.4.1.1.9"


def walk(endpoint: str, oid: str, *extra: str) -> list[tuple[str, str]]:
    out = subprocess.run(["snmpbulkwalk", "-v2c", "-c", "demo", "-On", "-Oq", "-t", "2", "-r", "1", *extra,
                          endpoint, oid], capture_output=True, text=True, timeout=30, check=True).stdout
    rows = []
    for line in out.splitlines():
        if not line.startswith(".") or "No more variables" in line:  # sysDescr continuation, end of view
            continue
        name, _, val = line.partition(" ")
        rows.append((name, val.strip('"')))
    return rows


def oid_key(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in name.strip(".").split("."))


@needs_netsnmp
def test_snmpbulkwalk_lists_interface_names_in_order(agents):
    dev = agents.network.device("core-balaikota")
    rows = walk(agents.endpoint(dev.name), IF_NAME)
    assert [v for _k, v in rows] == [p.name for p in dev.ports]
    assert [oid_key(k) for k, _v in rows] == sorted(oid_key(k) for k, _v in rows)


@needs_netsnmp
def test_whole_walk_is_strictly_increasing_and_complete(agents):
    rows = walk(agents.endpoint("dist-tengah"), "1", "-Cr25")
    keys = [oid_key(k) for k, _v in rows]
    assert all(a < b for a, b in itertools.pairwise(keys))
    assert len(keys) > 500
    systems = dict(rows)
    assert systems[".1.3.6.1.2.1.1.5.0"] == "dist-tengah"
    assert systems[".1.3.6.1.2.1.1.2.0"].startswith(".1.3.6.1.4.1.2011.")


@needs_netsnmp
def test_lldp_neighbours_match_the_network(agents):
    for name in ("dist-utara", "acc-kel-kedungsari"):
        seen = sorted(v for _k, v in walk(agents.endpoint(name), LLDP_SYSNAME))
        expected = sorted(lk.a if lk.b == name else lk.b for lk in agents.network.links_of(name))
        assert seen == expected


@needs_netsnmp
def test_wrong_community_gets_no_answer(agents):
    result = subprocess.run(["snmpget", "-v2c", "-c", "public", "-t", "0.5", "-r", "0",
                             agents.endpoint("core-balaikota"), "1.3.6.1.2.1.1.5.0"],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode != 0 and "Timeout" in result.stderr


def test_pysnmp_get_and_getbulk(agents):
    dev = agents.network.device("acc-sman1")

    async def run():
        engine = SnmpEngine()
        target = await UdpTransportTarget.create((dev.address, agents.port), timeout=2, retries=1)
        auth = CommunityData("demo", mpModel=1)
        got = await get_cmd(engine, auth, target, ContextData(),
                            ObjectType(ObjectIdentity("1.3.6.1.2.1.1.5.0")),
                            ObjectType(ObjectIdentity("1.3.6.1.2.1.1.5.7")))
        bulk = await bulk_cmd(engine, auth, target, ContextData(), 0, 50,
                              ObjectType(ObjectIdentity(IF_NAME)), ObjectType(ObjectIdentity(IF_OPER)))
        engine.close_dispatcher()
        return got, bulk

    (err, status, _idx, binds), (berr, bstatus, _bidx, bbinds) = asyncio.run(run())
    assert err is None and int(status) == 0 and berr is None and int(bstatus) == 0
    assert str(binds[0][1]) == "acc-sman1"
    assert binds[1][1].__class__.__name__ == "NoSuchInstance"
    names = [str(v) for o, v in bbinds if str(o).startswith(IF_NAME + ".")]
    assert names == [p.name for p in dev.ports]
    assert len(bbinds) == 100, "GETBULK returns max-repetitions rows of both columns"


@needs_netsnmp
def test_cut_link_through_the_control_hook(agents):
    link = agents.network.find_link("dist-utara", "acc-kel-wates")
    a_port = agents.network.device(link.a).port(link.a_port)
    trap_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    trap_sock.bind(("127.0.0.1", agents.trap_port))
    trap_sock.settimeout(5)
    try:
        answer = submit(agents.state_dir, FaultCommand("cut-link", link.a, link.b))
        assert answer["ok"], answer
        cut = [f"{link.a}:{link.a_port} {link.b}:{link.b_port}"]
        assert read_status(agents.state_dir)["cut_links"] == cut
        oper = dict(walk(agents.endpoint(link.a), IF_OPER))
        assert oper[f".{IF_OPER}.{a_port.if_index}"] == "2"
        assert link.b not in [v for _k, v in walk(agents.endpoint(link.a), LLDP_SYSNAME)]
        # only the end still connected to the core can tell anyone: the school's switch is cut off
        sender = trap_sock.recvfrom(4096)[1][0]
        assert sender == agents.address(link.a)
        with pytest.raises(subprocess.CalledProcessError):
            walk(agents.endpoint(link.b), "1.3.6.1.2.1.1.5", "-t", "0.5", "-r", "0")
    finally:
        trap_sock.close()
        assert submit(agents.state_dir, FaultCommand("restore-link", link.a, link.b))["ok"]
    assert link.b in [v for _k, v in walk(agents.endpoint(link.a), LLDP_SYSNAME)]
    assert dict(walk(agents.endpoint(link.a), IF_OPER))[f".{IF_OPER}.{a_port.if_index}"] == "1"


@needs_netsnmp
def test_failed_switch_times_out_until_restored(agents):
    try:
        assert submit(agents.state_dir, FaultCommand("fail-device", "dist-selatan"))["ok"]
        with pytest.raises(subprocess.CalledProcessError):
            walk(agents.endpoint("dist-selatan"), "1.3.6.1.2.1.1.5", "-t", "0.5", "-r", "0")
        bad = submit(agents.state_dir, FaultCommand("fail-device", "no-such-switch"))
        assert not bad["ok"] and "no-such-switch" in bad["message"]
    finally:
        assert submit(agents.state_dir, FaultCommand("restore-all"))["ok"]
    rows = walk(agents.endpoint("dist-selatan"), "1.3.6.1.2.1.1.5")
    assert rows == [(".1.3.6.1.2.1.1.5.0", "dist-selatan")]


def test_second_demo_on_the_same_port_fails_clearly(agents, tmp_path):
    import sys

    result = subprocess.run([sys.executable, "-m", "simulator.process", "--state-dir", str(tmp_path / "d"),
                             "--snmp-port", str(agents.port), "--quiet"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 3
    assert "cannot serve SNMP" in result.stderr and "Traceback" not in result.stderr


def test_control_without_a_running_demo(tmp_path):
    with pytest.raises(ControlError, match="no demo is running"):
        submit(tmp_path, FaultCommand("restore-all"))


def test_agents_exit_on_sigterm_and_remove_their_status(tmp_path):
    from tests.demo.conftest import start_agents

    process, _port, _trap = start_agents(tmp_path / "demo", "--quiet")
    stop(process)
    assert process.returncode == 0
    assert not (tmp_path / "demo" / "demo.json").exists()


def test_snmpv3_user_reads_the_same_view(agents):
    from pysnmp.hlapi.v3arch.asyncio import UsmUserData, usmAesCfb128Protocol, usmHMACSHAAuthProtocol

    from simulator.usm import V3_AUTH_KEY, V3_PRIV_KEY, V3_USER

    dev = agents.network.device("dist-tengah")

    async def run(auth_key):
        engine = SnmpEngine()
        target = await UdpTransportTarget.create((dev.address, agents.port), timeout=1, retries=0)
        user = UsmUserData(V3_USER, auth_key, V3_PRIV_KEY, authProtocol=usmHMACSHAAuthProtocol,
                           privProtocol=usmAesCfb128Protocol)
        column = ObjectType(ObjectIdentity(IF_NAME))
        result = await bulk_cmd(engine, user, target, ContextData(), 0, 40, column)
        engine.close_dispatcher()
        return result

    err, status, _idx, binds = asyncio.run(run(V3_AUTH_KEY))
    assert err is None and int(status) == 0
    assert [str(v) for o, v in binds if str(o).startswith(IF_NAME + ".")] == [p.name for p in dev.ports]
    bad, *_rest = asyncio.run(run("not-the-auth-key"))
    assert bad is not None, "a wrong auth key must not be answered"
