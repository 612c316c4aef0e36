"""The demo's glue on our own logic: its inventory imports cleanly (and again, unchanged), the
control hook survives bad requests, the automatic faults alternate break/repair, hostile names
from a topology file reach SNMP unchanged, and a database with a real inventory is refused."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from cli.demo_runner import DemoError, _check_same_network, real_devices
from inventory.db import session_scope
from inventory.files import import_inventory_file
from inventory.models import Device
from netops.encryption import FernetSealer
from simulator import ber, control
from simulator.faults import FaultCommand, chaos_loop
from simulator.inventory import DEMO_GROUP, write_inventory
from simulator.mib import SYSTEM, build_view
from simulator.network import generate
from simulator.state import SimState
from simulator.topofile import load_topology


def test_demo_inventory_imports_idempotently(tmp_path, settings, engine):
    net = generate(1)
    path = write_inventory(net, tmp_path / "demo.yaml", 16161)
    with session_scope(engine) as session:
        first = import_inventory_file(session, path, FernetSealer(settings))
    with session_scope(engine) as session:
        second = import_inventory_file(session, path, FernetSealer(settings))
        devices = session.scalars(select(Device)).all()
    assert first.totals["created"] > 0 and second.totals["created"] == second.totals["updated"] == 0
    assert {d.name for d in devices} == {d.name for d in net.devices}
    assert all(d.poll_group == DEMO_GROUP and d.snmp_port == 16161 for d in devices)
    assert real_devices(engine) == 0
    _check_same_network(engine, net, tmp_path)  # the same demo again: fine
    small = load_topology_from(tmp_path, [("core-x", "core"), ("acc-y", "access")])
    with pytest.raises(DemoError, match="another demo network"):
        _check_same_network(engine, small, tmp_path)


def test_database_with_a_real_inventory_is_refused(tmp_path, settings, engine):
    (tmp_path / "city.yaml").write_text(
        "credentials:\n  lab: {type: snmp, version: 2c, community: {env: X}}\n"
        "devices:\n  - {name: sw1, address: 192.0.2.1, snmp: lab}\n")
    with session_scope(engine) as session:
        import_inventory_file(session, tmp_path / "city.yaml", FernetSealer(settings))
    assert real_devices(engine) == 1
    with pytest.raises(DemoError, match="real inventory"):
        _check_same_network(engine, generate(1), tmp_path)


def load_topology_from(tmp_path, nodes):
    doc = {"nodes": [{"name": n, "role": r, "site": f"Site {n}"} for n, r in nodes],
           "links": [{"a": f"{nodes[0][0]}:sfp1", "b": f"{nodes[1][0]}:sfp1"}]}
    path = tmp_path / "small.json"
    path.write_text(json.dumps(doc))
    return load_topology(path)


def test_control_hook_answers_good_and_bad_requests(tmp_path):
    requests = tmp_path / "requests"
    requests.mkdir()
    (requests / "1.json").write_text('{"action": "cut-link", "a": "x", "b": "y"}')
    (requests / "2.json").write_text("{not json")
    seen = []

    def handle(command):
        seen.append(command)
        return {"ok": True, "message": command.describe()}

    assert control.process_requests(tmp_path, handle) == 2
    assert seen == [FaultCommand("cut-link", "x", "y")]
    answers = {p.name: json.loads(p.read_text()) for p in (tmp_path / "responses").glob("*.json")}
    assert answers["1.json"] == {"ok": True, "message": "cut-link x y"}
    assert answers["2.json"]["ok"] is False
    assert not list(requests.glob("*.json"))


def test_automatic_faults_break_then_repair():
    state = SimState(generate(1))
    log: list[tuple[str, int]] = []

    def changed(command, changes):
        log.append((command.action, len(changes)))

    async def run():
        task = asyncio.create_task(chaos_loop(state, changed, seed=3, every_s=0.001, hold_s=(0.001, 0.002)))
        while len(log) < 6:
            await asyncio.sleep(0.001)
        task.cancel()

    asyncio.run(run())
    actions = [a for a, _n in log[:6]]
    assert all(a.startswith(("cut", "fail")) for a in actions[0::2])
    assert all(a.startswith("restore") for a in actions[1::2])
    assert all(n > 0 for _a, n in log[:6])


def test_hostile_names_reach_snmp_unchanged(tmp_path):
    hostile = 'SD "Negeri" <script>alert(1)</script> & Ruang TU – lt. 2'
    doc = {"nodes": [{"name": "core-a", "role": "core", "site": "Balai Kota"},
                     {"name": "acc-b", "role": "access", "site": hostile, "location": hostile}],
           "links": [{"a": "core-a:sfp1", "b": "acc-b:sfp1", "b_alias": hostile}]}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    net = load_topology(path)
    view = build_view(SimState(net), net.device("acc-b"))
    assert ber.decode_value(view.get((*SYSTEM, 6, 0))()).decode() == hostile
