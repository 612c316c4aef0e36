"""Fixtures for the integration suite: a real testbed of snmpd + lldpd + sshd in namespaces.

One bed per test session (it takes ~3 s to build); tests that break something restore it.
Without root or the agents, every test here skips with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simulator.inventory import write_inventory
from simulator.network import generate
from tests.demo.conftest import start_agents, stop
from tests.integration.scale_helpers import PrivateRedis
from tests.integration.testbed import Testbed, bring_up, tear_down, unavailable_reason


@pytest.fixture(scope="session")
def testbed() -> Iterator[Testbed]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    prefix = os.environ.get("NETOPS_TEST_TESTBED_PREFIX", f"n{os.getpid() % 10**6}")
    try:
        bed = bring_up(prefix)
    except Exception as exc:
        tear_down(prefix)
        pytest.fail(f"testbed did not come up: {exc}")
    try:
        yield bed
    finally:
        tear_down(prefix)


@pytest.fixture
def cleanup() -> Iterator[list[Callable[[], None]]]:
    """Steps a test adds as it starts things (processes, databases), run in reverse at its end."""
    steps: list[Callable[[], None]] = []
    yield steps
    for step in reversed(steps):
        step()


@pytest.fixture(scope="module")
def demo_agents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo's simulated agents on 127.0.100.x; yields the inventory file that points at them."""
    state = tmp_path_factory.mktemp("agents")
    process, port, _ = start_agents(state / "demo", "--quiet", "--every", "100000")
    try:
        yield write_inventory(generate(1), state / "inventory.yaml", port, declare_links=False)
    finally:
        stop(process)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A redis-server of the test's own (free port, no persistence), to restart or stop at will;
    the machine's Redis is shared and is never touched."""
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
