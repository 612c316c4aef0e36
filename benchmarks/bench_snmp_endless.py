"""Time, CPU and peak memory of one discovery poll of a device that walks for ever.

The agent (``tests/collectors/hostile_udp_agent.py``, mode ``endless``, its own process on
127.0.0.1) answers every ifTable/ifXTable GETBULK with ever-increasing OIDs, as a device found
in the field did. Before the SNMP hardening such a poll ran until ``ssh.deadline_s`` (120 s)
on one core while its rows piled up in memory; now the walk stops at its row cap (or the
SNMP deadline) and the device is reported ``malformed``. Prints wall s, CPU s, the process's
peak RSS and its growth over the poll, and the errors. Loopback only; no root needed.
Run: ``.venv/bin/python benchmarks/bench_snmp_endless.py [--mode endless] [--ports 48]``.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AGENT = ROOT / "tests" / "collectors" / "hostile_udp_agent.py"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


async def poll(port: int, good_port: int) -> None:
    from collectors.observations import PollKind
    from collectors.snmp import SnmpPoller
    from collectors.targets import Secret, SnmpV2c, Target, Timeouts

    kinds = frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.COUNTERS, PollKind.NEIGHBORS,
                       PollKind.OPTICS})
    timeouts = Timeouts(snmp_timeout_s=1.0, snmp_retries=1)
    poller = SnmpPoller()
    try:
        warm = Target(device_key="good", host="127.0.0.1", snmp_port=good_port, snmp=SnmpV2c(Secret("x")),
                      timeouts=timeouts)
        await poller.poll(warm, kinds)  # engine start-up and imports are not the endless device's cost
        target = Target(device_key="endless", host="127.0.0.1", snmp_port=port, snmp=SnmpV2c(Secret("x")),
                        timeouts=timeouts)
        rss_before, wall, cpu = current_rss_mib(), time.monotonic(), time.process_time()
        result = await poller.poll(target, kinds)
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    finally:
        poller.close()
    import collectors

    print(f"collectors from {Path(collectors.__file__).parent}")
    print(f"endless device discovery poll: wall {wall:.1f} s, CPU {cpu:.1f} s, "
          f"RSS {rss_before:.0f} MiB before, peak {peak_rss_mib():.0f} MiB "
          f"(+{peak_rss_mib() - rss_before:.0f} MiB)")
    print(f"completed: {sorted(str(k) for k in result.completed)}")
    for error in result.errors:
        print(f"  {error.poll_kind or 'poll'}: {error.kind}: {error.message}")


def start(mode: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen([sys.executable, str(AGENT), mode, "0"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    if not line or line[0] != "ready":
        proc.kill()
        raise SystemExit(f"agent {mode} did not start")
    return proc, int(line[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="endless")
    args = parser.parse_args()
    agent, port = start(args.mode)
    good, good_port = start("good")
    try:
        asyncio.run(poll(port, good_port))
    finally:
        for proc in (agent, good):
            proc.terminate()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
