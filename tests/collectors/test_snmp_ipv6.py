"""IPv6 management addresses are polled over UDP/IPv6: net-snmp ``snmpd`` listening on
``udp6:[::1]:PORT`` (started here, its own config in a tmp dir) and snmpsim on ``[::1]``
serving a recorded device. Before, pysnmp's IPv4 transport refused the address ("Bad
IPv4/UDP transport address")."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.observations import PollKind, PollResult
from collectors.snmp import SnmpPoller
from collectors.targets import Secret, SnmpV2c, Target, Timeouts
from tests.collectors.conftest import DISCOVERY, FIXTURES, free_udp_port, poll_once, sim_target

SNMPD = Path("/usr/sbin/snmpd")
COMMUNITY = "netops6"


def free_udp6_port() -> int:
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        sock.bind(("::1", 0))
        return int(sock.getsockname()[1])


def need_ipv6_loopback() -> None:
    try:
        free_udp6_port()
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback (::1) here: {exc}")


def v6_target(host: str, port: int, community: str = COMMUNITY, timeout_s: float = 2.0) -> Target:
    return Target(device_key=f"v6-{community}", host=host, snmp_port=port, snmp=SnmpV2c(Secret(community)),
                  timeouts=Timeouts(snmp_timeout_s=timeout_s, snmp_retries=1))


def wait_answering(target: Target, proc: subprocess.Popen[bytes], what: str, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited at start-up")
        if poll_once(target, frozenset({PollKind.FACTS})).completed:
            return
        time.sleep(0.2)
    pytest.fail(f"{what} did not answer on [::1] within {limit_s:g} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def snmpd6(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """net-snmp snmpd on udp6:[::1]:PORT only; yields the port."""
    if not SNMPD.exists():
        pytest.skip("needs net-snmp /usr/sbin/snmpd (make test installs it on Debian as root)")
    need_ipv6_loopback()
    work = tmp_path_factory.mktemp("snmpd6")
    port = free_udp6_port()
    (work / "snmpd.conf").write_text(f"agentAddress udp6:[::1]:{port}\nrocommunity6 {COMMUNITY} ::1/128\n")
    proc = subprocess.Popen(
        [str(SNMPD), "-f", "-C", "-c", str(work / "snmpd.conf"), "-Lf", str(work / "log"),
         "-p", str(work / "pid"), f"--persistentDir={work}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_answering(v6_target("::1", port, timeout_s=0.5), proc, "snmpd", 30)
        yield port
    finally:
        stop(proc)


@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_snmpd_on_ipv6_loopback_is_polled(snmpd6: int, host: str) -> None:
    result = poll_once(v6_target(host, snmpd6), DISCOVERY)
    assert result.errors == ()
    assert result.completed == DISCOVERY
    assert result.facts is not None and result.facts.sys_descr.startswith("Linux")
    assert "lo" in {i.name for i in result.interfaces}
    assert {c.name for c in result.counters} == {i.name for i in result.interfaces}


@pytest.fixture(scope="module")
def snmpsim6(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """snmpsim serving one recording on [::1] (--agent-udpv6-endpoint) and on 127.0.0.1;
    yields (IPv4 port, IPv6 port)."""
    responder = Path(sys.executable).with_name("snmpsim-command-responder")
    if not FIXTURES.exists() or not responder.exists():
        pytest.skip(f"needs {FIXTURES} and snmpsim in the venv")
    need_ipv6_loopback()
    data = tmp_path_factory.mktemp("snmpsim6")
    shutil.copy(FIXTURES / "snmprec" / "linux_ntc.snmprec", data / "linux_ntc.snmprec")
    port, port4 = free_udp6_port(), free_udp_port()
    log = open(data / "snmpsim.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(responder), f"--data-dir={data}", f"--cache-dir={data / '.index'}",
         f"--agent-udpv6-endpoint=[::1]:{port}", f"--agent-udpv4-endpoint=127.0.0.1:{port4}",
         "--log-level=error"],
        env={**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_answering(v6_target("::1", port, "linux_ntc", 0.5), proc, "snmpsim", 120)
        yield port4, port
    finally:
        stop(proc)
        log.close()


def _seen(result: PollResult) -> list[tuple[object, ...]]:
    return [(i.if_index, i.name, i.oper_status, i.speed_bps, i.mac) for i in result.interfaces]


def test_snmpsim_recording_over_ipv6_matches_ipv4(snmpsim6: tuple[int, int]) -> None:
    """One poller, one engine, two transports: the same recording read over v6 and v4 in
    the same cycle gives the same records."""
    port4, port6 = snmpsim6

    async def run() -> dict[str, PollResult]:
        poller = SnmpPoller()
        try:
            targets = [v6_target("::1", port6, "linux_ntc", 5.0), sim_target("linux_ntc", port4)]
            return {r.device_key: r async for r in poller.poll_many(targets, DISCOVERY)}
        finally:
            poller.close()

    results = asyncio.run(run())
    v6, v4 = results["v6-linux_ntc"], results["linux_ntc"]
    assert v6.errors == () == v4.errors
    assert v6.completed == DISCOVERY == v4.completed
    assert _seen(v6) == _seen(v4) and len(v6.interfaces) > 1
    assert v6.neighbors == v4.neighbors and v6.facts == v4.facts
