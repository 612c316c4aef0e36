"""Client CPU per varbind walking ifTable + ifXTable of a 400-interface net-snmp agent.

Compares, round by round (interleaved), on the same snmpd in a namespace we create:
  (a) net-snmp C ``snmpbulkwalk -Cr50 -On`` (two processes, ifTable then ifXTable),
  (c) pysnmp written the default way: a new SnmpEngine per walk, ``bulk_walk_cmd`` with
      lookupMib on (numeric OIDs: Debian ships no IF-MIB text), max-repetitions 25,
  (d) pysnmp hlapi tuned: one engine, lookupMib off, lexicographicMode off, max-repetitions 50,
  (p) netops' walker (``collectors.snmp.walk.walk_columns``) on pysnmp (``SnmpEngineHost``): every
      column of the table in each GETBULK, max-repetitions 50, no MIB resolution,
  (n) the same walker on netops' own v1/v2c codec (``fastsession.FastSnmpHost``), what the
      poller uses for community targets.
Prints CPU µs per varbind (median of rounds) and the ratios to C and to default pysnmp.
Run as root: ``.venv/bin/python benchmarks/bench_snmp_walk.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.snmpd_netns import COMMUNITY, namespace, need_root, run_inside, snmpd

PORT = 16100
TABLES = ("1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1")  # IF-MIB::ifTable, IF-MIB::ifXTable


def c_walk() -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    count = 0
    for table in TABLES:
        out = subprocess.run(
            [
                "snmpbulkwalk",
                "-v2c",
                "-c",
                COMMUNITY,
                "-Cr50",
                "-On",
                "-m",
                "",
                "-t",
                "5",
                f"127.0.0.1:{PORT}",
                table,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        count += out.count("\n")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), count


async def default_walk() -> tuple[float, int]:
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData,
        ContextData,
        ObjectIdentity,
        ObjectType,
        SnmpEngine,
        UdpTransportTarget,
        bulk_walk_cmd,
    )

    start, count = time.process_time(), 0
    for table in TABLES:
        engine = SnmpEngine()
        target = await UdpTransportTarget.create(("127.0.0.1", PORT), timeout=5, retries=1)
        async for err, status, _i, binds in bulk_walk_cmd(
            engine,
            CommunityData(COMMUNITY),
            target,
            ContextData(),
            0,
            25,
            ObjectType(ObjectIdentity(table)),
            lexicographicMode=False,
        ):
            if err or status:
                raise RuntimeError(str(err or status))
            count += len(binds)
        engine.close_dispatcher()
    return time.process_time() - start, count


class Tuned:
    def __init__(self) -> None:
        from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

        self.engine = SnmpEngine()
        self.target: object = None

    async def walk(self) -> tuple[float, int]:
        from pysnmp.hlapi.v3arch.asyncio import (
            CommunityData,
            ContextData,
            ObjectIdentity,
            ObjectType,
            UdpTransportTarget,
            bulk_walk_cmd,
        )

        if self.target is None:
            self.target = await UdpTransportTarget.create(("127.0.0.1", PORT), timeout=5, retries=1)
        start, count = time.process_time(), 0
        for table in TABLES:
            async for err, status, _i, binds in bulk_walk_cmd(
                self.engine,
                CommunityData(COMMUNITY),
                self.target,
                ContextData(),
                0,
                50,
                ObjectType(ObjectIdentity(table)),
                lexicographicMode=False,
                lookupMib=False,
            ):
                if err or status:
                    raise RuntimeError(str(err or status))
                count += len(binds)
        return time.process_time() - start, count


class Netops:
    def __init__(self, columns: dict[str, list[str]], fast: bool = True) -> None:
        from collectors.snmp.fastsession import FastSnmpHost
        from collectors.snmp.session import SnmpEngineHost

        self.host: FastSnmpHost | SnmpEngineHost = FastSnmpHost() if fast else SnmpEngineHost()
        self.columns = columns

    async def walk(self) -> tuple[float, int]:
        from collectors.snmp.walk import walk_columns
        from collectors.targets import Secret, SnmpV2c, Target, Timeouts

        ep = await self.host.endpoint(
            Target(
                device_key="bench",
                host="127.0.0.1",
                snmp_port=PORT,
                snmp=SnmpV2c(Secret(COMMUNITY)),
                timeouts=Timeouts(5.0, 1),
            )
        )
        start, count = time.process_time(), 0
        for table in TABLES:
            result = await walk_columns(self.host, ep, self.columns[table], 50, row_hint="1.3.6.1.2.1.2.1.0")
            count += sum(len(rows) for rows in result.columns.values())
        return time.process_time() - start, count


def table_columns() -> dict[str, list[str]]:
    """The columns the agent really has (from one C walk), as netops would list them in a profile."""
    columns: dict[str, list[str]] = {}
    for table in TABLES:
        out = subprocess.run(
            ["snmpbulkwalk", "-v2c", "-c", COMMUNITY, "-Cr50", "-On", "-m", "", f"127.0.0.1:{PORT}", table],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found = {
            ".".join(line.split()[0].lstrip(".").split(".")[: len(table.split(".")) + 2])
            for line in out.splitlines()
            if line.startswith(".")
        }
        columns[table] = sorted(found, key=lambda o: tuple(int(x) for x in o.split(".")))
    return columns


async def inner(rounds: int) -> None:
    os.sched_setaffinity(0, {0})
    columns = table_columns()
    tuned, ours, ours_pysnmp = Tuned(), Netops(columns), Netops(columns, fast=False)
    await tuned.walk()
    await ours.walk()  # warm-up: target registration, first-use costs
    await ours_pysnmp.walk()
    per_vb: dict[str, list[float]] = {"C": [], "default": [], "tuned": [], "pysnmp": [], "netops": []}
    ratios_c, ratios_default = [], []
    counts = {}
    for _ in range(rounds):
        c_cpu, c_n = c_walk()
        d_cpu, d_n = await default_walk()
        t_cpu, t_n = await tuned.walk()
        p_cpu, p_n = await ours_pysnmp.walk()
        n_cpu, n_n = await ours.walk()
        counts = {"C": c_n, "default": d_n, "tuned": t_n, "pysnmp": p_n, "netops": n_n}
        for key, cpu, n in (
            ("C", c_cpu, c_n),
            ("default", d_cpu, d_n),
            ("tuned", t_cpu, t_n),
            ("pysnmp", p_cpu, p_n),
            ("netops", n_cpu, n_n),
        ):
            per_vb[key].append(cpu / n * 1e6)
        ratios_c.append((n_cpu / n_n) / (c_cpu / c_n))
        ratios_default.append((d_cpu / d_n) / (n_cpu / n_n))
    tuned.engine.close_dispatcher()
    ours.host.close()
    ours_pysnmp.host.close()
    labels = {
        "C": "(a) snmpbulkwalk -Cr50 (C, 2 processes)",
        "default": "(c) pysnmp default (new engine per walk, lookupMib on, maxrep 25)",
        "tuned": "(d) pysnmp hlapi tuned (one engine, lookupMib off, maxrep 50)",
        "pysnmp": "(p) netops walk_columns on pysnmp (all columns per GETBULK, maxrep 50)",
        "netops": "(n) netops walk_columns on its own codec (the poll path for v1/v2c)",
    }
    print(f"ifTable + ifXTable of a 400-interface snmpd, {rounds} interleaved rounds, client on CPU 0")
    print("CPU = user+sys of this process (process_time) or of the C children (RUSAGE_CHILDREN), "
          "not wall time")
    print(f"{'client':<72} {'varbinds':>8} {'CPU µs/vb':>10}")
    for key, label in labels.items():
        print(f"{label:<72} {counts[key]:>8} {statistics.median(per_vb[key]):>10.2f}")
    print(
        f"netops / C        : {statistics.median(ratios_c):6.1f}x   (target <= 3x; on pysnmp it was 29x)"
    )
    print(f"default / netops  : {statistics.median(ratios_default):6.1f}x   (netops is this much cheaper)")
    print(f"netops µs/varbind : {statistics.median(per_vb['netops']):6.2f}    (on pysnmp: "
          f"{statistics.median(per_vb['pysnmp']):.1f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        asyncio.run(inner(args.rounds))
        return 0
    reason = need_root()
    if reason:
        print(f"bench_snmp_walk: skipped, {reason}")
        return 0
    ns = f"nbw{os.getpid() % 100000}"
    with namespace(ns, 400), snmpd(ns, PORT, cpu=1):
        return run_inside(ns, __file__, "--rounds", str(args.rounds))


if __name__ == "__main__":
    raise SystemExit(main())
