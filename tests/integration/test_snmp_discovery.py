"""``netops discover`` end to end: the real testbed, and the project's own agents on loopback.

On the namespace testbed (root; real snmpd + lldpd on 198.18.0.0/15) discovery from the core
finds every node and exactly its fibers. On loopback (no root), the simulator's SNMP agents
(``simulator.agent``, run in this process) stand for a small network in which one switch sits
outside the allowed networks, one stops answering, and one answers with the sysName of a device
already in the inventory at another address: the crawl polls only inside the allowed networks
(every agent counts the requests it gets), follows any number of hops unless told otherwise,
reports each neighbor not followed and why, and stores nothing over the existing device.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cli import main
from inventory.db import make_engine, session_factory
from inventory.models import Device, Interface, ObservedFacts
from inventory.queries import list_devices, list_links
from netops.settings import Settings
from simulator.agent import AgentServer
from simulator.network import DemoNetwork
from simulator.state import SimState
from simulator.topofile import load_topology
from tests.integration import testbed as tb

BASE = "127.0.120.0"
INSIDE = "127.0.120.0/24"
FAR = "127.0.121.5"  # advertised by the core as a neighbor's address, outside INSIDE
# core - dist - acc-a - acc-b - acc-c (four hops), core - far, acc-c - mute (never answers)
TOPOLOGY = {
    "name": "discovery-scope",
    "nodes": [{"name": n, "role": r, "site": s} for n, r, s in (
        ("core", "core", "Balai Kota"), ("dist", "distribution", "Kecamatan Magelang Utara"),
        ("acc-a", "access", "SD Negeri 1"), ("acc-b", "access", "SD Negeri 2"),
        ("acc-c", "access", "SD Negeri 3"),
        ("far", "access", "SMP Negeri 9"), ("mute", "access", "SMP Negeri 10"))],
    "links": [{"a": a, "b": b} for a, b in (
        ("core:xe1", "dist:xe1"), ("dist:sfp1", "acc-a:sfp1"), ("acc-a:sfp2", "acc-b:sfp1"),
        ("acc-b:sfp2", "acc-c:sfp1"), ("core:xe2", "far:sfp1"), ("acc-c:sfp2", "mute:sfp1"))],
}


class CountingAgents(AgentServer):
    """The simulator's agents, counting the requests each switch gets; ``mute`` ones never answer."""

    def __init__(self, state: SimState, port: int, mute: frozenset[str]) -> None:
        super().__init__(state, port=port)
        self.asked: Counter[str] = Counter()
        self.mute = mute

    def respond(self, device: str, data: bytes) -> bytes | None:
        self.asked[device] += 1
        return None if device in self.mute else super().respond(device, data)


@dataclasses.dataclass
class Agents:
    network: DemoNetwork
    server: CountingAgents
    port: int

    def address(self, name: str) -> str:
        return self.network.device(name).address


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[Agents]:
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(TOPOLOGY))
    network = load_topology(path, BASE)
    network = dataclasses.replace(network, devices=tuple(
        dataclasses.replace(d, address=FAR) if d.name == "far" else d for d in network.devices))
    port = _free_port(network.devices[0].address)
    server = CountingAgents(SimState(network), port, frozenset({"mute"}))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
        yield Agents(network, server, port)
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def _discover(settings: Settings, agents: Agents, *args: str) -> Result:
    # 2 s: a busy machine (three test workers) must not turn a slow answer into a missing neighbor
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_CONFIG": "", "NETOPS_SNMP__TIMEOUT_S": "2",
           "NETOPS_SNMP__RETRIES": "0"}
    return CliRunner().invoke(main, ["discover", "--seed", agents.address("core"), "--community", "demo",
                                     "--port", str(agents.port), *args], env=env, catch_exceptions=False)


def test_discovery_stays_inside_the_allowed_networks_with_no_hop_limit(
    engine: Engine, settings: Settings, agents: Agents
) -> None:
    run = _discover(settings, agents, "--network", INSIDE, "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    depth = {d["name"]: d["depth"] for d in report["devices"]}
    assert depth == {"core": 0, "dist": 1, "acc-a": 2, "acc-b": 3, "acc-c": 4}  # past the old default of 3
    assert agents.server.asked["far"] == 0  # the community never went outside INSIDE
    assert agents.server.asked["mute"] >= 1
    assert report["not_followed"] == [
        {"neighbor": "far", "address": FAR, "reason": "outside allowed networks"},
        {"neighbor": "mute", "address": agents.address("mute"), "reason": "no answer"},
    ]
    assert report["networks"] == [INSIDE] and report["clashes"] == []
    with Session(engine) as s:
        assert set(s.scalars(select(Device.name))) == set(depth)


def test_default_networks_are_the_seeds_ranges_and_max_depth_is_reported(
    engine: Engine, settings: Settings, agents: Agents
) -> None:
    run = _discover(settings, agents, "--max-depth", "1")
    assert run.exit_code == 0, run.output
    assert "127.0.0.0/8" in run.output  # a loopback seed allows 127.0.0.0/8
    assert agents.server.asked["far"] >= 1 and agents.server.asked["acc-a"] == 0
    lines = run.stdout.splitlines()
    assert f"{'(not followed)':<28} {agents.address('acc-a'):<16} acc-a: depth limit" in lines
    assert lines[-1].startswith("3 devices (3 added), 0 unreachable,")
    assert "1 neighbors not followed, 0 sysName clashes" in lines[-1]


def test_a_device_answering_with_an_existing_sysname_changes_nothing(
    engine: Engine, settings: Settings, agents: Agents
) -> None:
    """The probe's rogue: it says it is ``dist``; the inventory's ``dist`` is elsewhere."""
    elsewhere = "127.0.120.250"
    with Session(engine) as s:
        s.add(Device(name="dist", address=elsewhere, snmp_port=agents.port, role="distribution"))
        s.add(Device(name="core-declared", address=agents.address("core"), snmp_port=agents.port,
                     role="core"))
        s.commit()
    run = _discover(settings, agents, "--network", INSIDE, "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    clash = {"name": "dist", "address": agents.address("dist"), "existing_address": elsewhere}
    assert report["clashes"] == [clash]
    names = {d["name"] for d in report["devices"]}
    assert "core-declared" in names and "core" not in names  # matched by address and port first
    assert "dist" not in names
    with Session(engine) as s:
        dist = s.scalars(select(Device).where(Device.name == "dist")).one()
        assert dist.address == elsewhere and dist.source != "discovered"
        def count(model: type, *where: object) -> int:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        assert count(ObservedFacts, ObservedFacts.device_id == dist.id) == 0  # no facts of the rogue
        assert count(Interface, Interface.device_id == dist.id) == 0  # no ghost ports
        assert count(Device, Device.address == agents.address("dist")) == 0
    text = _discover(settings, agents, "--network", INSIDE)
    assert f"says it is dist, known at {elsewhere}: nothing stored" in text.stdout


@pytest.mark.testbed
def test_discover_from_core_finds_every_node_and_fiber(testbed: tb.Testbed, tmp_path: Path) -> None:
    testbed.settle()
    nodes = testbed.inventory["nodes"]
    core = next(n for n, spec in nodes.items() if spec["role"] == "core")
    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    assert CliRunner().invoke(main, ["init"], env=env).exit_code == 0
    run = CliRunner().invoke(main, ["discover", "--seed", testbed.address(core), "--community",
                                    testbed.inventory["snmp"]["community"], "--json"],
                             env=env, catch_exceptions=False)
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert report["unreachable"] == [] and report["clashes"] == []
    assert report["networks"] == ["198.18.0.0/15"]  # the seed's range: the default bound, no hop limit
    assert [n for n in report["not_followed"] if n["reason"] != "no management address"] == []
    assert sorted(d["name"] for d in report["devices"]) == sorted(nodes)

    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'netops.db'}")
    try:
        with session_factory(engine)() as session:
            devices = {d.name: d for d in list_devices(session)}
            links = list_links(session)
    finally:
        engine.dispose()
    assert set(devices) == set(nodes)
    for name, node in nodes.items():
        assert devices[name].address == node["mgmt_address"]
        assert devices[name].site == node["location"][:200], f"{name}: site from sysLocation"
    found = {frozenset({(lk.a_device, lk.a_port), (lk.b_device, lk.b_port)}) for lk in links}
    expected = {frozenset({tuple(link["a"].split(":")), tuple(link["b"].split(":"))})
                for link in testbed.inventory["links"]}
    assert found == expected, f"missing {expected - found}, extra {found - expected}"
    assert all(not lk.declared and lk.source == "lldp" for lk in links)


def _cli(settings: Settings, *args: str) -> Result:
    """A command on the test's data directory (SNMP 1 s x 2 tries: the agents share this process)."""
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_CONFIG": "", "NETOPS_SNMP__TIMEOUT_S": "1",
           "NETOPS_SNMP__RETRIES": "1"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _states(settings: Settings) -> dict[str, tuple[str, str, str]]:
    run = _cli(settings, "status", "--json")
    assert run.exit_code == 0, run.output
    return {r["site"]: (r["state"], r["reason"], r["kind"]) for r in json.loads(run.stdout)}


def _crawl(settings: Settings, agents: Agents, *args: str) -> Result:
    return _cli(settings, "discover", "--seed", agents.address("core"), "--community", "demo",
                "--port", str(agents.port), "--network", INSIDE, *args)


def test_the_seed_becomes_the_core_and_the_network_is_assessed(
    engine: Engine, settings: Settings, agents: Agents
) -> None:
    seed = f"{agents.address('core')}:{agents.port}"  # HOST:PORT is the crawl's SNMP port
    run = _cli(settings, "discover", "--seed", seed, "--community", "demo", "--network", INSIDE, "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert report["roots"] == ["core"] and report["roots_from"] == "seeds"
    placed = {d["name"]: (d["role"], d["role_source"], d["site_kind"]) for d in report["devices"]}
    assert placed == {
        "core": ("core", "inferred", "core"),
        "dist": ("distribution", "inferred", "district"),
        "acc-a": ("distribution", "inferred", "school"),  # schools chained behind it
        "acc-b": ("distribution", "inferred", "school"),
        "acc-c": ("access", "inferred", "school"),  # its only neighbor further out never answered
    }
    # right after discover, every site is assessed from the core: no "unknown", no "no core device"
    assert _states(settings) == {
        "Balai Kota": ("connected", "", "core"),
        "Kecamatan Magelang Utara": ("connected", "", "district"),
        "SD Negeri 1": ("connected", "", "school"),
        "SD Negeri 2": ("connected", "", "school"),
        "SD Negeri 3": ("connected", "", "school"),
    }
    text = _cli(settings, "discover", "--seed", seed, "--community", "demo", "--network", INSIDE)
    assert "core: core (the devices with the role core)" in text.stdout.splitlines()  # kept, not re-chosen


def test_declared_roles_and_kinds_are_never_overwritten(
    engine: Engine, settings: Settings, agents: Agents, tmp_path: Path
) -> None:
    """A file declares dist as access and SD Negeri 2 as other: discovery keeps both, every time."""
    path = tmp_path / "city.yaml"
    path.write_text(
        "sites:\n"
        "  - {name: SD Negeri 2, kind: other}\n"
        "  - {name: Kecamatan Magelang Utara, kind: district}\n"
        "devices:\n"
        f"  - {{name: dist, address: {agents.address('dist')}, snmp_port: {agents.port}, role: access,"
        " site: Kecamatan Magelang Utara}\n",
        encoding="utf-8",
    )
    assert _cli(settings, "inventory", "import", str(path)).exit_code == 0
    for _ in range(2):
        run = _crawl(settings, agents, "--json")
        assert run.exit_code == 0, run.output
        report = json.loads(run.stdout)
        placed = {d["name"]: d for d in report["devices"]}
        assert (placed["dist"]["role"], placed["dist"]["role_source"]) == ("access", "declared")
        assert (placed["acc-b"]["site_kind"], placed["acc-b"]["kind_source"]) == ("other", "declared")
        assert (placed["acc-a"]["site_kind"], placed["acc-a"]["kind_source"]) == ("school", "inferred")
        assert report["roots"] == ["core"]  # no core declared: the seed
    # importing a discovered device takes its role over: discovery leaves it from then on
    path.write_text(
        "devices:\n"
        f"  - {{name: acc-c, address: {agents.address('acc-c')}, snmp_port: {agents.port}, role: core}}\n",
        encoding="utf-8",
    )
    assert _cli(settings, "inventory", "import", str(path)).exit_code == 0
    report = json.loads(_crawl(settings, agents, "--json").stdout)
    placed = {d["name"]: d for d in report["devices"]}
    assert (placed["acc-c"]["role"], placed["acc-c"]["role_source"]) == ("core", "declared")
    assert report["roots"] == ["acc-c", "core"] and report["roots_from"] == "inventory"


def test_the_core_is_named_on_the_command_line(engine: Engine, settings: Settings, agents: Agents) -> None:
    assert _crawl(settings, agents).exit_code == 0  # the seed is the core
    run = _crawl(settings, agents, "--core", "dist", "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert report["roots"] == ["dist"] and report["roots_from"] == "--core"
    placed = {d["name"]: (d["role"], d["role_source"]) for d in report["devices"]}
    assert placed["dist"] == ("core", "declared")
    assert placed["core"] == ("access", "inferred")  # no longer the core: a leaf seen from dist
    assert {s: state for s, (state, _, _) in _states(settings).items()} == dict.fromkeys(
        ["Balai Kota", "Kecamatan Magelang Utara", "SD Negeri 1", "SD Negeri 2", "SD Negeri 3"], "connected")
    with Session(engine) as s:
        before = s.scalar(select(func.count()).select_from(Device))
    wrong = _crawl(settings, agents, "--core", "nosuch")
    assert wrong.exit_code == 2
    assert wrong.output.strip().splitlines()[-1] == (
        "Error: --core 'nosuch': no device found or known by that name or address; nothing stored")
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Device)) == before


@pytest.mark.parametrize(("seed", "port", "message"), [
    ("{core}:99999", None, "Error: --seed '{core}:99999': the port must be a number from 1 to 65535"),
    ("{core}:x", None, "Error: --seed '{core}:x': the port must be a number from 1 to 65535"),
    ("{core}:{port}", "161", "Error: --seed names port {port} but --port is 161: give one of them"),
    ("[::1]161", None, "Error: --seed '[::1]161': write [IPv6]:PORT, e.g. [fd00::1]:161"),
    ("no-such-host.invalid", None, "Error: --seed 'no-such-host.invalid': cannot resolve this host name"),
])
def test_a_bad_seed_is_refused_in_one_line(
    settings: Settings, agents: Agents, seed: str, port: str | None, message: str
) -> None:
    values = {"core": agents.address("core"), "port": agents.port}
    args = ["discover", "--seed", seed.format(**values), "--community", "demo"]
    run = _cli(settings, *args, *(["--port", port] if port else []))
    assert run.exit_code == 2
    assert run.output.strip() == message.format(**values)


def test_exit_status_3_when_no_seed_answers(engine: Engine, settings: Settings, agents: Agents) -> None:
    mute = agents.address("mute")
    run = _cli(settings, "discover", "--seed", f"{mute}:{agents.port}", "--community", "demo")
    assert run.exit_code == 3, run.output
    lines = run.stdout.splitlines()
    assert lines[0] == f"{'(no answer)':<28} {mute:<16} no answer to SNMP (timeout after all retries)"
    assert lines[-1].startswith("0 devices (0 added), 1 unreachable")
    both = _cli(settings, "discover", "--seed", agents.address("mute"), "--seed", agents.address("acc-c"),
                "--port", str(agents.port), "--community", "demo", "--network", INSIDE)
    assert both.exit_code == 0, both.output  # one seed answered: the report says what did not


def test_a_bad_kind_rules_file_stops_discover_in_one_line(settings: Settings, tmp_path: Path) -> None:
    rules = tmp_path / "kinds.yaml"
    rules.write_text("rules:\n  - {kind: sekolah, words: [SD]}\n", encoding="utf-8")
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_CONFIG": "",
           "NETOPS_DISCOVERY__KIND_RULES": str(rules), "NETOPS_DISCOVERY__FOLLOW_NEW": "false"}
    run = CliRunner().invoke(main, ["discover", "--seed", "127.0.120.1", "--community", "demo"], env=env)
    assert run.exit_code == 2
    assert run.output.strip() == (
        "Error: kinds.yaml: rules[0].kind: 'sekolah' is not a site kind "
        "(core, district, agency, school, health, other)")
