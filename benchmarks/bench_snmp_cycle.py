"""A status-poll cycle of N 48-port devices through netops' SnmpPoller, against real snmpd.

Two snmpd instances in a namespace we create (lo + 47 ifb links each, agent pinned to CPU 1)
answer for N inventory devices: every device is its own 127.0.x.y address, hence its own
registered target in the one pysnmp engine, polled with the status job's kinds (sysUpTime,
ifOperStatus, ifAdminStatus, ifLastChange, plus ifName in the first cycle: one GETBULK) through
``SnmpPoller.poll_many`` with bounded concurrency. Prints for N = 100, 1,000, 5,000: wall time
per cycle, poller CPU per device poll, devices per second per core and what that means for a
60 s cycle on 2 cores (one poller process per core); target registration (a one-off per
process, ``SnmpPoller.prepare``) is shown apart. Then the same with 10 % of the devices silent
(timeout 1 s, 1 retry): the cycle may grow by at most timeout x (retries + 1) = 2 s.
CPU is this process's user+sys time (``process_time``), not wall time: the machine may be busy.
``--codec pysnmp`` polls through pysnmp (the reference) instead of netops' own v1/v2c codec.
Run as root: ``.venv/bin/python benchmarks/bench_snmp_cycle.py [--sizes 100,1000,5000] [--codec fast]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.snmpd_netns import COMMUNITY, namespace, need_root, run_inside, snmpd

PORTS = (16100, 16101)
DEAD_PORT = 16199  # nothing listens there: the device stays silent
TIMEOUT_S, RETRIES = 1.0, 1


def targets(n: int, dead_every: int = 0) -> list[object]:
    from collectors.targets import Secret, SnmpV2c, Target, Timeouts

    cred, timeouts = SnmpV2c(Secret(COMMUNITY)), Timeouts(snmp_timeout_s=TIMEOUT_S, snmp_retries=RETRIES)
    out = []
    for i in range(n):
        dead = dead_every and i % dead_every == dead_every - 1
        out.append(
            Target(
                device_key=f"dev{i:05d}",
                host=f"127.0.{i // 250}.{i % 250 + 1}",
                profile="generic",
                snmp=cred,
                snmp_port=DEAD_PORT if dead else PORTS[i % len(PORTS)],
                timeouts=timeouts,
            )
        )
    return out


async def cycle(poller: object, devices: list[object], columns: int = 3) -> tuple[float, float, int, int]:
    """One cycle; ``columns`` per interface in the answer (3 once names are cached, else 4)."""
    from collectors.observations import PollKind

    start_wall, start_cpu, ok, vbs = time.perf_counter(), time.process_time(), 0, 0
    errors: Counter[str] = Counter()
    async for result in poller.poll_many(devices, {PollKind.INTERFACES}):  # type: ignore[attr-defined]
        if result.completed:
            ok += 1
            vbs += columns * len(result.interfaces) + 1
        for error in result.errors[:1]:
            errors[f"{error.kind}: {error.message}"] += 1
    if errors and os.environ.get("BENCH_VERBOSE"):
        print("   errors:", errors.most_common(3))
    return time.perf_counter() - start_wall, time.process_time() - start_cpu, ok, vbs


async def inner(sizes: list[int], dead_sizes: list[int], codec: str) -> None:
    from collectors.snmp import SnmpPoller

    os.sched_setaffinity(0, {0})
    limit = SnmpPoller(codec=codec).active_limit(TIMEOUT_S, 200)
    print(
        f"status poll cycle, 48-port devices, timeout {TIMEOUT_S:g} s, {RETRIES} retry, max in flight 200 "
        f"(adaptive active limit <= {limit}), codec {codec}, poller on CPU 0, 2 snmpd on CPU 1; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'N':>6} {'dead':>5} {'answered':>9} {'wall s':>8} {'CPU s':>7} {'CPU ms/dev':>11} {'µs/vb':>6} "
        f"{'dev/s/core':>10} {'2 cores/60s':>11} {'register ms/dev':>15} {'1st cycle ms/dev':>16}"
    )
    for n in sorted(set(sizes) | set(dead_sizes)):
        # a fresh engine per size: registration is measured
        poller = SnmpPoller(max_in_flight=200, codec=codec)
        devices, dead = targets(n), targets(n, dead_every=10) if n in dead_sizes else []
        start = time.process_time()
        await poller.prepare(devices + dead)
        register = (time.process_time() - start) / max(1, len(devices) + len(dead)) * 1000
        first = await cycle(poller, devices, columns=4)  # reads ifName, fills the name cache
        wall, cpu, ok, vbs = await cycle(poller, devices)  # steady state: names cached
        print(
            f"{n:>6} {'0%':>5} {ok:>9} {wall:>8.2f} {cpu:>7.2f} {cpu / n * 1000:>11.2f}"
            f" {cpu / max(vbs, 1) * 1e6:>6.1f} {n / cpu:>10.0f} {int(2 * 60 * n / cpu):>11} {register:>15.2f}"
            f" {first[1] / n * 1000:>16.2f}"
        )
        if dead:
            await cycle(poller, dead)  # names of the live ones are cached already; dead stay dead
            d_wall, d_cpu, d_ok, d_vbs = await cycle(poller, dead)
            print(
                f"{n:>6} {'10%':>5} {d_ok:>9} {d_wall:>8.2f} {d_cpu:>7.2f} {d_cpu / n * 1000:>11.2f}"
                f" {d_cpu / max(d_vbs, 1) * 1e6:>6.1f} {n / d_cpu:>10.0f}   cycle grew {d_wall - wall:+.2f} s"
                f" (limit {TIMEOUT_S * (RETRIES + 1):.0f} s)"
            )
        poller.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--dead-sizes", default="1000,5000")
    parser.add_argument("--codec", choices=("fast", "pysnmp"), default="fast")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x]
    dead = [int(x) for x in args.dead_sizes.split(",") if x]
    if args.inner:
        asyncio.run(inner(sizes, dead, args.codec))
        return 0
    reason = need_root()
    if reason:
        print(f"bench_snmp_cycle: skipped, {reason}")
        return 0
    ns = f"nbc{os.getpid() % 100000}"
    with namespace(ns, 48), snmpd(ns, PORTS[0], cpu=1), snmpd(ns, PORTS[1], cpu=1):
        return run_inside(ns, __file__, "--sizes", args.sizes, "--dead-sizes", args.dead_sizes,
                          "--codec", args.codec)


if __name__ == "__main__":
    raise SystemExit(main())
