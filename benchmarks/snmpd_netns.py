"""Benchmark agents: net-snmp ``snmpd`` in a network namespace we create and remove.

The kernel here has no ``dummy`` links, so a device with N interfaces is ``lo`` plus N-1
``ifb`` links (every 5th left down), as in ../shared/reading/snmp-performance.md. snmpd
listens on ``udp:PORT`` inside the namespace with ``maxGetbulkResponses 2000`` and a 4 MiB
receive buffer, so every 127.x.y.z address in the namespace is "a device". The benchmark
client runs inside the namespace too (``run_inside``). Only processes started here are
stopped, by PID; the namespace is deleted on exit.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

COMMUNITY = "bench"
SNMPD_CONF = """\
agentAddress udp:{port}
rocommunity {community} 127.0.0.0/8
maxGetbulkResponses 2000
[snmp] serverRecvBuf 4194304
"""


def need_root() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if not shutil.which("snmpd", path="/usr/sbin:/usr/bin"):
        return "needs net-snmp snmpd (apt-get install snmpd)"
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@contextmanager
def namespace(name: str, interfaces: int) -> Iterator[str]:
    """A namespace with ``lo`` + ``interfaces - 1`` ifb links; deleted afterwards."""
    _ip("netns", "add", name)
    try:
        _ip("-n", name, "link", "set", "lo", "up")
        batch = "".join(f"link add ifb{i} type ifb\n" for i in range(1, interfaces))
        batch += "".join(f"link set ifb{i} up\n" for i in range(1, interfaces) if i % 5)
        subprocess.run(
            ["ip", "-n", name, "-batch", "-"], input=batch, text=True, check=True, capture_output=True
        )
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)


@contextmanager
def snmpd(ns: str, port: int, cpu: int | None = None) -> Iterator[int]:
    """Start snmpd in ``ns`` on ``port`` (pinned to ``cpu`` when given); yields its PID."""
    work = Path(tempfile.mkdtemp(prefix="netops-bench-snmpd-"))
    conf = work / "snmpd.conf"
    conf.write_text(SNMPD_CONF.format(port=port, community=COMMUNITY))
    cmd = [
        "ip",
        "netns",
        "exec",
        ns,
        "/usr/sbin/snmpd",
        "-f",
        "-C",
        "-c",
        str(conf),
        "-Lf",
        str(work / "log"),
        "-p",
        str(work / "pid"),
        "--persistentDir=" + str(work),
    ]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(ns, port)
        yield proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def _wait(ns: str, port: int) -> None:
    for _ in range(100):
        done = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                ns,
                "snmpget",
                "-v2c",
                "-c",
                COMMUNITY,
                "-On",
                "-t",
                "0.2",
                "-r",
                "0",
                f"127.0.0.1:{port}",
                "1.3.6.1.2.1.1.3.0",
            ],
            capture_output=True,
        )
        if done.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"snmpd on port {port} in {ns} did not answer")


def run_inside(ns: str, script: str, *args: str) -> int:
    """Run ``script --inner ARGS`` with this interpreter inside ``ns``; its stdout is ours."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(
        ["ip", "netns", "exec", ns, sys.executable, script, "--inner", *args], env=env, check=False
    ).returncode
