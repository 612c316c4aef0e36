"""``netops discover`` from the core of the real testbed finds every node and exactly its fibers.

Runs the CLI end to end (SNMP crawl, store, link derivation) on a fresh SQLite database and
compares the stored devices, sites and discovered links with the testbed's own topology.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from inventory.db import make_engine, session_factory
from inventory.queries import list_devices, list_links
from tests.integration.testbed import Testbed

pytestmark = pytest.mark.testbed


def test_discover_from_core_finds_every_node_and_fiber(testbed: Testbed, tmp_path: Path) -> None:
    nodes = testbed.inventory["nodes"]
    core = next(n for n, spec in nodes.items() if spec["role"] == "core")
    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    run = CliRunner().invoke(main, ["discover", "--seed", testbed.address(core), "--community",
                                    testbed.inventory["snmp"]["community"], "--max-depth", "6", "--json"],
                             env=env, catch_exceptions=False)
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert report["unreachable"] == []
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
