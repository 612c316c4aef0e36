"""``netops demo --real``: the same demo on the namespace testbed (real snmpd + lldpd): every
node polled up, every fiber discovered, a fiber cut through ``netops demo fault`` opens an
outage whose root cause is that fiber, the repair closes it, and Ctrl-C removes the testbed."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest

from simulator.testbed import topology_path, unavailable_reason
from simulator.topofile import load_topology
from tests.demo.running import Demo, wait_for

pytestmark = [pytest.mark.testbed, pytest.mark.timeout(300)]


@pytest.fixture
def real_demo(tmp_path):
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    prefix = f"d{os.getpid() % 10**6}"
    demo = Demo(tmp_path / "var")
    try:
        demo.start("demo", "--real", "--quiet", "--testbed-prefix", prefix)
        yield demo, prefix
    finally:
        if demo.process is not None:
            demo.stop()
        namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        leftover = [line for line in namespaces.splitlines() if line.startswith(f"{prefix}-")]
        if leftover:  # never leave a bed behind, even when the demo failed to remove it
            subprocess.run([str(topology_path(None).parent / "testbed"), "down", "--prefix", prefix],
                           capture_output=True, timeout=120)
        assert not leftover, f"the demo left namespaces behind: {leftover}"


def test_real_demo_polls_discovers_and_sees_a_fiber_cut(real_demo):
    demo, _prefix = real_demo
    network = load_topology(topology_path(None))
    names = {d.name for d in network.devices}
    wait_for(lambda: {d["name"] for d in demo.api("devices") if d["state"] == "up"} == names, 120,
             lambda: f"not all nodes up: {demo.api('devices')}")
    expected = {frozenset(((lk.a, lk.a_port), (lk.b, lk.b_port))) for lk in network.links}
    found = {frozenset(((lk["a_device"], lk["a_port"]), (lk["b_device"], lk["b_port"])))
             for lk in demo.api("links") if lk["source"] == "lldp" or lk["last_seen"]}  # declared, then seen
    assert expected == found
    cut = demo.cli("demo", "fault", "cut-link", "dist-utara", "acc-smpn1")
    assert "cut: dist-utara:sfp1 acc-smpn1:sfp1" in cut.stdout

    def outage() -> dict[str, Any] | None:
        active = demo.api("outages?active=true")
        return next((o for o in active if "acc-smpn1" in o["affected_devices"]), None)

    try:
        opened = wait_for(outage, 120, lambda: f"no outage: {demo.api('outages')}")
        assert "acc-smpn1" in str(opened["root_cause"]) and "dist-utara" in str(opened["root_cause"])
    finally:
        demo.cli("demo", "fault", "restore-all")
    wait_for(lambda: outage() is None, 120, lambda: f"outage stayed open: {demo.api('outages')}")
