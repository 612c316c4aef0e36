"""Scheduled discovery finds new devices: a switch that appears as a new LLDP neighbor is added.

The simulator's SNMP agents run in this process on 127.0.120.x (no root): a core, a kecamatan
switch and a school behind it whose fiber is cut at first. ``netops discover`` learns core and
dist; the scheduler's discovery cycle (``JobRunner`` with the in-process executor, real SNMP)
adds nothing while the fiber is dark, nothing with ``discovery.follow_new = false``, and once
the fiber is repaired adds the school's switch: named by sysName, in the site its sysLocation
names with the kind its name says, role inferred, a ``found`` event, and the site connected.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cli import main
from inventory.db import session_scope
from inventory.models import Device, Event, NeighborRecord, Site
from netops.monitor.network_view import NetworkViews
from netops.polling.cycle import CycleSummary, JobRunner, load_device_intervals
from netops.polling.executor import InProcessExecutor
from netops.polling.jobs import build_specs
from netops.settings import Settings
from simulator.agent import AgentServer
from simulator.state import SimState
from simulator.topofile import load_topology
from tests.integration.test_snmp_discovery import _free_port

BASE = "127.0.120.0"
TOPOLOGY = {
    "name": "scheduled-discovery",
    "nodes": [{"name": n, "role": r, "site": s} for n, r, s in (
        ("core", "core", "Balai Kota"), ("dist", "distribution", "Kecamatan Magelang Utara"),
        ("kominfo", "access", "Dinas Kominfo"), ("sd-tujuh", "access", "SD Negeri 7 Magelang"))],
    "links": [{"a": a, "b": b} for a, b in (
        ("core:xe1", "dist:xe1"), ("core:ge1", "kominfo:sfp1"), ("dist:sfp1", "sd-tujuh:sfp1"))],
}
NEW_FIBER = 2  # dist - sd-tujuh, dark until the test repairs it


@dataclasses.dataclass
class City:
    state: SimState
    port: int
    loop: asyncio.AbstractEventLoop

    def address(self, name: str) -> str:
        return self.state.network.device(name).address

    def restore_fiber(self) -> None:
        """On the agents' loop, as their requests are served there."""
        async def restore() -> None:
            self.state.restore_link(NEW_FIBER)

        asyncio.run_coroutine_threadsafe(restore(), self.loop).result(5)


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(TOPOLOGY))
    network = load_topology(path, BASE)
    port = _free_port(network.devices[0].address)
    state = SimState(network)
    state.cut_link(NEW_FIBER)
    server = AgentServer(state, port=port)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
        yield City(state, port, loop)
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def _settings(settings: Settings, follow_new: bool = True) -> Settings:
    return dataclasses.replace(
        settings,
        snmp=dataclasses.replace(settings.snmp, timeout_s=1.0, retries=1),
        monitor=dataclasses.replace(settings.monitor, icmp=False),
        traps=dataclasses.replace(settings.traps, enabled=False),
        discovery=dataclasses.replace(settings.discovery, follow_new=follow_new),
    )


def _discovery_cycle(settings: Settings, engine: Engine) -> CycleSummary:
    with session_scope(engine) as session:
        intervals = load_device_intervals(session)
    spec = next(s for s in build_specs(intervals, settings) if s.name == "discovery" and s.default)
    executor = InProcessExecutor(settings)
    try:
        return JobRunner(settings, engine, executor).run_cycle(spec, trigger="test", spread=False)
    finally:
        executor.close()


def _devices(engine: Engine) -> dict[str, tuple[str, str, str]]:
    with Session(engine) as s:
        return {d.name: (d.role, d.role_source, d.source) for d in s.scalars(select(Device))}


def test_the_discovery_job_adds_a_new_neighbor(engine: Engine, settings: Settings, city: City) -> None:
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_CONFIG": "", "NETOPS_SNMP__TIMEOUT_S": "1"}
    run = CliRunner().invoke(main, ["discover", "--seed", city.address("core"), "--port", str(city.port),
                                    "--community", "demo", "--network", "127.0.120.0/24"],
                             env=env, catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert set(_devices(engine)) == {"core", "dist", "kominfo"}  # the school's fiber is dark

    summary = _discovery_cycle(_settings(settings), engine)
    assert summary.devices_polled == 3 and summary.errors == []
    assert set(_devices(engine)) == {"core", "dist", "kominfo"}

    city.restore_fiber()
    summary = _discovery_cycle(_settings(settings, follow_new=False), engine)
    assert set(_devices(engine)) == {"core", "dist", "kominfo"}  # opted out: seen, not followed
    with Session(engine) as s:
        seen = s.scalars(select(NeighborRecord.management_address)).all()
        assert city.address("sd-tujuh") in seen

    summary = _discovery_cycle(_settings(settings), engine)
    assert summary.errors == [], summary.errors
    devices = _devices(engine)
    assert devices["sd-tujuh"] == ("access", "inferred", "discovered")
    assert devices["dist"] == ("distribution", "inferred", "discovered")  # a neighbor further out now
    assert devices["core"] == ("core", "inferred", "discovered")
    with Session(engine) as s:
        new = s.scalars(select(Device).where(Device.name == "sd-tujuh")).one()
        assert new.address == city.address("sd-tujuh") and new.snmp_port == city.port
        site = s.scalars(select(Site).where(Site.id == new.site_id)).one()
        assert (site.name, site.kind, site.kind_source) == ("SD Negeri 7 Magelang", "school", "inferred")
        events = s.scalars(select(Event).where(Event.element == "sd-tujuh").order_by(Event.id)).all()
        found = events[0]
        assert (found.element_type, found.old_state, found.new_state) == ("device", None, "found")
        assert found.evidence == (f"scheduled discovery: answered at {city.address('sd-tujuh')}, "
                                  "a new neighbor of dist; site SD Negeri 7 Magelang")
        assert [(e.old_state, e.new_state) for e in events[1:]] == [("unknown", "up")]
    assert summary.events >= 2  # the found event and the monitor's first state of the new device
    site_state = NetworkViews(engine).current().sites["SD Negeri 7 Magelang"]
    assert site_state.state.value == "connected"

    again = _discovery_cycle(_settings(settings), engine)  # known now: nothing new, nothing polled twice
    assert again.devices_polled == 4 and again.errors == []
    with Session(engine) as s:
        assert len(s.scalars(select(Event).where(Event.new_state == "found")).all()) == 1
