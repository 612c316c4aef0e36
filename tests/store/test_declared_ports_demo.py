"""The demo's path with declared links (``netops demo --declare-links``): the inventory declares
every fiber with operators' names (``TenGigabitEthernet1/0/3``, ``XGE0/0/1``), the simulated
switches report ``Te1/0/3`` / ``XGigabitEthernet0/0/1`` over SNMP and LLDP, and the first
discovery runs exactly as ``netops demo`` runs it. One link per fiber, one interface per port."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from cli.demo_setup import first_discovery
from inventory.db import session_scope
from inventory.files import import_inventory_file
from inventory.models import Device, Interface, Link
from netops.encryption import FernetSealer
from netops.settings import Settings
from simulator.inventory import write_inventory
from simulator.network import DemoNetwork, generate
from tests.demo.conftest import start_agents, stop
from topology.names import port_key


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[tuple[DemoNetwork, int]]:
    process, port, _trap_port = start_agents(tmp_path / "agents", "--quiet")
    try:
        yield generate(1), port
    finally:
        stop(process)


def test_declared_demo_fibers_are_one_link_each_after_discovery(
        agents: tuple[DemoNetwork, int], tmp_path: Path, settings: Settings, engine: Engine) -> None:
    network, port = agents
    # a loaded machine starves the agents' process: give each answer time, as a slow WAN would
    slower = dataclasses.replace(settings.snmp, timeout_s=3.0, retries=2)
    settings = dataclasses.replace(settings, snmp=slower)
    renamed = [lk for lk in network.links
               if network.device(lk.a).port(lk.a_port).inventory_name != lk.a_port]
    assert renamed, "the demo declares some ports under another spelling than ifName"
    path = write_inventory(network, tmp_path / "inventory.yaml", port, declare_links=True)
    with session_scope(engine) as session:
        import_inventory_file(session, path, FernetSealer(settings))
        declared = {(lk.a_interface_id, lk.b_interface_id) for lk in session.scalars(select(Link))}
    assert len(declared) == len(network.links)
    said: list[str] = []
    first_discovery(settings, engine, network, port, "demo", said.append)
    with session_scope(engine) as session:
        links = session.scalars(select(Link)).all()
        assert len(links) == len(network.links), said
        assert {(lk.a_interface_id, lk.b_interface_id) for lk in links} == declared
        assert all(lk.declared and lk.last_seen is not None for lk in links), "every fiber seen by LLDP"
        rows = session.execute(select(Device.name, Interface.name, Interface.if_index).join(Device)).all()
    per_port = Counter((device, port_key(name)) for device, name, _ in rows)
    assert [k for k, n in per_port.items() if n > 1] == []
    names = {(device, name) for device, name, _ in rows}
    for lk in network.links:  # the switches' own names, each polled (ifIndex known)
        assert {(lk.a, lk.a_port), (lk.b, lk.b_port)} <= names
    assert all(if_index is not None for _, _, if_index in rows)
