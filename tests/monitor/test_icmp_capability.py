"""ICMP as the systemd units run it: a user that is not root, holding ``CAP_NET_RAW`` (the
units' ``AmbientCapabilities``), on a host whose unprivileged ping sockets are off
(``net.ipv4.ping_group_range = 1 0``, the kernel's default). The burst must use a raw socket
then; without the capability it is unknown (None), never a lost echo.

Real processes: a network namespace made for the test (its own ping_group_range), ``setpriv``
to become ``nobody`` with exactly the capabilities given. Needs root, ``ip`` and ``setpriv``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("import json; from netops.polling.icmp import BurstSettings, burst, privileged\n"
         "s = burst(['127.0.0.1'], BurstSettings(3, 0.05, 0.5))['127.0.0.1']\n"
         "print(json.dumps([privileged(), None if s is None else [s.sent, s.received]]))\n")


@pytest.fixture(scope="module")
def no_ping_sockets() -> Iterator[str]:
    if os.geteuid() != 0:
        pytest.skip("needs root (a network namespace, setpriv)")
    for program in ("ip", "setpriv"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed")
    name = f"wicmp-cap-{uuid.uuid4().hex[:6]}"
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, capture_output=True)
        subprocess.run(["ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv4.ping_group_range=1 0"],
                       check=True, capture_output=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def _burst_as_nobody(namespace: str, caps: str) -> list[object]:
    # dac_read_search only so that nobody can read this checkout and its virtualenv
    done = subprocess.run(
        ["ip", "netns", "exec", namespace, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         f"--inh-caps={caps}", f"--ambient-caps={caps}", sys.executable, "-c", PROBE],
        capture_output=True, text=True, timeout=30, env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]})
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_cap_net_raw_without_root_sends_the_burst_on_a_raw_socket(no_ping_sockets: str) -> None:
    assert _burst_as_nobody(no_ping_sockets, "+net_raw,+dac_read_search") == [True, [3, 3]]


def test_without_the_capability_or_ping_sockets_icmp_is_unknown(no_ping_sockets: str) -> None:
    assert _burst_as_nobody(no_ping_sockets, "+dac_read_search") == [False, None]
