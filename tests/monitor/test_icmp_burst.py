"""The ICMP burst on real sockets: round trips on loopback, loss and silence made by nftables.

Loss and silence are real: a network namespace made for the test, with nftables dropping 30 %
of the echo requests to one loopback address and all of them to another, and the burst run
inside it as a separate process (raw sockets as root, and the kernel's unprivileged ping
sockets). Without root, ``ip`` or ``nft`` those tests skip with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from netops.polling.icmp import BurstSettings, IcmpStats, burst

ROOT = Path(__file__).resolve().parents[2]
LOSSY, SILENT, CLEAN = "127.0.0.7", "127.0.0.9", "127.0.0.5"


def test_loopback_answers_every_echo_with_small_round_trips() -> None:
    how = BurstSettings(count=5, interval_s=0.05, timeout_s=1.0)
    started = time.monotonic()
    out = burst(["127.0.0.1", "::1", "localhost", "127.0.0.1"], how)
    took = time.monotonic() - started
    assert set(out) == {"127.0.0.1", "::1", "localhost"}
    for address, stats in out.items():
        assert stats is not None, address
        assert (stats.sent, stats.received, stats.loss_pct) == (5, 5, 0.0), address
        assert stats.rtt_min_ms is not None and stats.rtt_avg_ms is not None and stats.rtt_max_ms is not None
        assert 0.0 <= stats.rtt_min_ms <= stats.rtt_avg_ms <= stats.rtt_max_ms < 50.0
    assert took < how.duration_s, "every echo answered: the burst does not wait for the timeout"


def test_stats_of_a_burst() -> None:
    stats = IcmpStats.of(5, [2.0, 4.0, 9.0], at=IcmpStats(0, 0).at)
    assert (stats.sent, stats.received) == (5, 3)
    assert (stats.rtt_min_ms, stats.rtt_avg_ms, stats.rtt_max_ms) == (2.0, 5.0, 9.0)
    assert stats.loss_pct == 40.0 and stats.answered
    assert not IcmpStats.of(5, [], at=stats.at).answered


def test_a_thousand_addresses_in_one_burst_all_answer() -> None:
    addresses = [f"127.3.{i // 250}.{i % 250 + 1}" for i in range(1000)]
    out = burst(addresses, BurstSettings(count=3, interval_s=0.05, timeout_s=1.0))
    lost = {a: s for a, s in out.items() if s is None or s.received != 3}
    assert not lost, f"{len(lost)} addresses lost echoes, e.g. {list(lost.items())[:3]}"


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "nft"):
        if not shutil.which(tool):
            return f"{tool} missing (apt-get install iproute2 nftables)"
    return None


@pytest.fixture(scope="module")
def lossy_namespace() -> Iterator[str]:
    """A namespace whose loopback drops 30 % of the echoes to LOSSY and all to SILENT."""
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    name = f"lltest{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        def ns(*argv: str) -> None:
            subprocess.run(["ip", "netns", "exec", name, *argv], check=True, capture_output=True)

        ns("ip", "link", "set", "lo", "up")
        ns("sysctl", "-q", "net.ipv4.ping_group_range=0 2147483647")  # ping sockets for every group
        ns("nft", "add", "table", "inet", "lltest")
        ns("nft", "add", "chain", "inet", "lltest", "in", "{ type filter hook input priority 0 ; }")
        rule = ("nft", "add", "rule", "inet", "lltest", "in", "ip", "daddr")
        ns(*rule, SILENT, "icmp", "type", "echo-request", "drop")
        ns(*rule, LOSSY, "icmp", "type", "echo-request", "numgen", "random", "mod", "100", "<", "30", "drop")
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


def _burst_in(namespace: str, addresses: list[str], how: BurstSettings, *, privileged: bool) -> tuple[
        dict[str, dict[str, float | None] | None], float]:
    """Run ``burst`` inside the namespace as its own process; its answer and how long it took."""
    code = (
        "import json, sys, time\n"
        "from netops.polling import icmp\n"
        f"icmp.privileged = lambda: {privileged}\n"
        f"how = icmp.BurstSettings({how.count}, {how.interval_s}, {how.timeout_s})\n"
        "t = time.monotonic()\n"
        f"out = icmp.burst({addresses!r}, how)\n"
        "took = time.monotonic() - t\n"
        "print(json.dumps([{a: None if s is None else {'sent': s.sent, 'received': s.received,\n"
        "    'avg': s.rtt_avg_ms} for a, s in out.items()}, took]))\n"
    )
    proc = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", code], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    answer, took = json.loads(proc.stdout)
    return answer, took


@pytest.mark.parametrize("privileged", [True, False], ids=["raw-socket", "ping-socket"])
def test_loss_and_silence_are_measured_and_cost_no_extra_time(lossy_namespace: str, privileged: bool) -> None:
    how = BurstSettings(count=100, interval_s=0.004, timeout_s=0.5)
    answer, took = _burst_in(lossy_namespace, [LOSSY, SILENT, CLEAN], how, privileged=privileged)
    lossy, silent, clean = answer[LOSSY], answer[SILENT], answer[CLEAN]
    assert lossy is not None and silent is not None and clean is not None
    assert (clean["sent"], clean["received"]) == (100, 100)
    assert (silent["sent"], silent["received"], silent["avg"]) == (100, 0, None)
    lost = lossy["sent"] - lossy["received"]
    assert 12 <= lost <= 50, f"30 % dropped by nftables, measured {lost} of 100"  # > 3.9 sigma either side
    assert took < how.duration_s + 0.5, f"lost echoes must not add time: {took:.2f} s"
