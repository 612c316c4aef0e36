"""Fixtures for collector tests: snmpsim serving the 20 recorded LibreNMS devices on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collectors.observations import PollKind, PollResult
from collectors.snmp import SnmpPoller
from collectors.targets import Secret, SnmpV2c, Target, Timeouts
from tests.collectors.hostile_agent import write_hostile

# ../shared beside the checkout; NETOPS_SHARED_DIR points elsewhere (a worktree in another folder)
SHARED = Path(os.environ.get("NETOPS_SHARED_DIR") or Path(__file__).resolve().parents[2].parent / "shared")
FIXTURES = SHARED / "fixtures" / "librenms"
DEVICES = sorted(p.stem for p in (FIXTURES / "snmprec").glob("*.snmprec"))
DISCOVERY = frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.OPTICS,
                       PollKind.COUNTERS})


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sim_target(community: str, port: int, timeout_s: float = 5.0) -> Target:
    return Target(device_key=community, host="127.0.0.1", snmp_port=port, snmp=SnmpV2c(Secret(community)),
                  timeouts=Timeouts(snmp_timeout_s=timeout_s, snmp_retries=1, deadline_s=60))


@pytest.fixture(scope="session")
def snmpsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Start snmpsim on a free loopback port with every recording; yields the port."""
    responder = Path(sys.executable).with_name("snmpsim-command-responder")
    if not FIXTURES.exists() or not responder.exists():
        pytest.skip(f"needs {FIXTURES} and snmpsim in the venv")
    data = tmp_path_factory.mktemp("snmpsim")
    for rec in (FIXTURES / "snmprec").glob("*.snmprec"):
        shutil.copy(rec, data / rec.name)
    write_hostile(data)
    port = free_udp_port()
    log = open(data / "snmpsim.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(responder), f"--data-dir={data}", f"--cache-dir={data / '.index'}",
         f"--agent-udpv4-endpoint=127.0.0.1:{port}", "--log-level=error"],
        env={**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180  # snmpsim indexes every file first; slow on a busy machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("snmpsim exited at start-up")
        result = poll_once(sim_target("linux_ntc", port, timeout_s=0.5), frozenset({PollKind.FACTS}))
        if result.completed:
            return
    pytest.fail("snmpsim did not answer within 180 s")


def poll_once(target: Target, kinds: frozenset[PollKind]) -> PollResult:
    async def run() -> PollResult:
        poller = SnmpPoller()
        try:
            return await poller.poll(target, kinds)
        finally:
            poller.close()

    return asyncio.run(run())


@pytest.fixture(scope="session")
def recorded(snmpsim: int) -> dict[str, PollResult]:
    """One discovery+counters poll of every recorded device (polled once per session)."""

    async def run() -> dict[str, PollResult]:
        poller = SnmpPoller()
        try:
            return {name: await poller.poll(sim_target(name, snmpsim), DISCOVERY) for name in DEVICES}
        finally:
            poller.close()

    return asyncio.run(run())


def expected(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / "expected" / f"{name}.json").read_text()))
