"""Outages on the real testbed: a cut fiber, a dead distribution switch, a dead SNMP agent.

The service runs in this process with status every 3 s and SNMP timeout 1 s x 2 tries, against
real snmpd/lldpd in namespaces; notifications go to a real local HTTP webhook via apprise.
Every fault is restored in ``finally``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import Device, DeviceState, Outage
from netops.monitor.queries import OutageView, active_outages, get_outage
from netops.settings import Settings
from tests.integration.monitor_helpers import (
    STATUS_INTERVAL_S,
    running_service,
    seed_testbed,
    sites_behind,
    wait_for,
)
from tests.integration.testbed import Testbed

pytestmark = pytest.mark.testbed
TIMEOUT_S = 2.0  # one SNMP timeout with its retry
SLACK_S = 1.5  # persisting, evaluating, ifTable cache of net-snmp (~3 s) is inside the interval budget


def _active(engine: Engine) -> list[OutageView]:
    with session_scope(engine) as session:
        return active_outages(session)


def _states(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        query = select(Device.name, DeviceState.state).join(DeviceState, DeviceState.device_id == Device.id)
        rows = session.execute(query)
        return dict(rows.tuples().all())


def _describe(engine: Engine) -> str:
    """Outages and events, for a failure message."""
    from inventory.models import Event

    with session_scope(engine) as session:
        rows = [f"outage {o.id} {o.root_cause_type} {o.root_cause} {o.started_at:%H:%M:%S}-"
                f"{o.ended_at:%H:%M:%S} {o.affected_sites}" for o in session.scalars(select(Outage))]
        rows += [f"{e.at:%H:%M:%S.%f} {e.element} {e.old_state}->{e.new_state} {e.evidence}"
                 for e in session.scalars(select(Event).order_by(Event.id))]
    return "\n".join(rows)


def _all_outages(engine: Engine) -> list[Outage]:
    with session_scope(engine) as session:
        return list(session.scalars(select(Outage)))


@pytest.fixture
def monitored(testbed: Testbed, settings: Settings, engine: Engine) -> Any:
    seed_testbed(engine, testbed.inventory)
    with running_service(settings, engine) as (service, hook):
        assert wait_for(lambda: len(_states(engine)) == len(testbed.inventory["nodes"]) and
                        set(_states(engine).values()) == {"up"}, 20), _states(engine)
        yield service, hook


def test_cut_single_homed_uplink_opens_and_closes_one_outage(testbed: Testbed, engine: Engine,
                                                             monitored: Any) -> None:
    _, hook = monitored
    cut = time.monotonic()
    testbed.fail_link("dist-utara", "acc-smpn1")
    try:
        opened = wait_for(lambda: _active(engine), STATUS_INTERVAL_S + TIMEOUT_S + 3.0 + SLACK_S)
        latency = time.monotonic() - cut
        assert opened, "no outage after one status interval + timeout (+ ifTable cache)"
        [outage] = opened
        assert outage.to_json()["root_cause"] == {"type": "link", "name": "acc-smpn1:sfp1--dist-utara:sfp1"}
        assert list(outage.affected_sites) == sites_behind(testbed.inventory,
                                                           failed_links=[("dist-utara", "acc-smpn1")])
        assert list(outage.affected_sites) == ["SMP Negeri 1 Magelang"]
        print(f"fiber cut -> open outage: {latency:.2f} s")
    finally:
        testbed.restore_link("dist-utara", "acc-smpn1")
    restored = time.monotonic()
    assert wait_for(lambda: not _active(engine), STATUS_INTERVAL_S + TIMEOUT_S + 3.0 + SLACK_S)
    with session_scope(engine) as session:
        closed = get_outage(session, outage.id)
    assert closed is not None and closed.ended_at is not None
    real = restored - cut
    assert abs(closed.duration_s - real) < STATUS_INTERVAL_S + 3.0 + SLACK_S, (closed.duration_s, real)
    time.sleep(STATUS_INTERVAL_S + TIMEOUT_S)  # a cycle after the repair: the recovery opens nothing
    assert [o.id for o in _all_outages(engine)] == [outage.id], "one fault, one outage, from start to end"
    assert wait_for(lambda: len(hook.messages) >= 2, 10)
    time.sleep(0.5)
    titles = [m["title"] for m in hook.messages]
    assert len(titles) == 2 and titles[0].startswith("OUTAGE") and titles[1].startswith("RECOVERED"), titles
    assert "SMP Negeri 1 Magelang" in hook.messages[0]["message"]


def test_dead_distribution_switch_is_one_outage_with_the_schools_behind_it(testbed: Testbed, engine: Engine,
                                                                          monitored: Any) -> None:
    _, hook = monitored
    expected_sites = sites_behind(testbed.inventory, failed_nodes=["dist-utara"])
    failed = time.monotonic()
    testbed.fail_node("dist-utara", "power")
    try:
        opened = wait_for(lambda: _active(engine), STATUS_INTERVAL_S + 2 * TIMEOUT_S + 3.0 + SLACK_S)
        assert opened
        time.sleep(STATUS_INTERVAL_S + TIMEOUT_S + 1)  # a full cycle more: no extra outages appear
        active = _active(engine)
        assert [(o.root_cause_type, o.root_cause) for o in active] == [("device", "dist-utara")]
        assert list(active[0].affected_sites) == expected_sites
        states = _states(engine)
        assert states["dist-utara"] == "down"
        behind = [d for d in active[0].affected_devices if d != "dist-utara"]
        assert behind and all(states[d] == "unreachable" for d in behind), states
        assert len(_all_outages(engine)) == 1
    finally:
        testbed.restore_node("dist-utara")
        restored = time.monotonic()
        testbed.verify(30)
    assert wait_for(lambda: not _active(engine), 20)
    time.sleep(STATUS_INTERVAL_S + TIMEOUT_S)  # a cycle after the restart: the recovery opens nothing
    everything = _all_outages(engine)
    assert len(everything) == 1, _describe(engine)
    [outage] = everything
    duration = (outage.ended_at - outage.started_at).total_seconds()
    assert abs(duration - (restored - failed)) < STATUS_INTERVAL_S + 2 * TIMEOUT_S + 3.0 + SLACK_S, duration
    assert wait_for(lambda: len(hook.messages) >= 2, 10)
    assert [m["title"].split(":")[0] for m in hook.messages] == ["OUTAGE", "RECOVERED"]


def test_dead_snmp_agent_that_still_pings_is_agent_down_without_outage(testbed: Testbed, engine: Engine,
                                                                       monitored: Any) -> None:
    testbed.fail_node("dist-tengah", "agents")
    try:
        assert wait_for(lambda: _states(engine).get("dist-tengah") == "agent_down",
                        STATUS_INTERVAL_S + 2 * TIMEOUT_S + 3.0 + SLACK_S), _states(engine)
        time.sleep(STATUS_INTERVAL_S)
        assert _active(engine) == []
        assert all(state == "up" for name, state in _states(engine).items() if name != "dist-tengah")
    finally:
        testbed.restore_node("dist-tengah")
        testbed.verify(30)
    assert wait_for(lambda: _states(engine).get("dist-tengah") == "up", 15)
