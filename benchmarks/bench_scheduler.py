"""Scheduler overhead per device per cycle at 1,000 simulated devices.

A fake poll task answers instantly (so the figures are our overhead, not SNMP): 1,000 devices
(a core, 20 distribution switches, 979 access switches, 1,000 links) in a fresh SQLite database.
Measured: planning + targets (with secrets resolved), handing work to the in-process executor,
``netops.store.persist.persist`` of every result, and the monitor evaluation (states, impact, events,
outages); once with all devices in one batch, and once spread over a 20 s status cycle (10
one-second buckets; a bucket whose results changed nothing takes the monitor's quick path).
Then the same with ICMP on: every device's address is a loopback address (127.x), so each
status poll's burst of echoes really goes out and comes back, and its round trips are stored
and judged (``--no-icmp`` skips that part). CPU time is reported beside wall time because other
work may share the machine.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collectors.observations import InterfaceState, OperStatus, PollKind, PollResult
from collectors.targets import Target
from inventory.db import make_engine, session_scope, upgrade_schema
from netops.monitor.monitor import Monitor
from netops.polling.cycle import JobRunner
from netops.polling.executor import InProcessExecutor
from netops.polling.jobs import build_specs, specs_by_id
from netops.settings import Settings, load_settings
from tests.monitor.seed import seed

N = 1000
DISTS = 20
SPREAD_INTERVAL_S = 20


def network() -> tuple[list[dict[str, str]], list[tuple[str, str, str, str]], dict[str, list[str]]]:
    devices = [{"name": "core", "address": "127.0.0.1", "site": "core", "role": "core"}]
    links, ports = [], {"core": []}
    for d in range(DISTS):
        name = f"dist-{d:02d}"
        devices.append({"name": name, "address": f"127.0.1.{d + 1}", "site": name, "role": "distribution"})
        links.append(("core", f"xe{d}", name, "xe0"))
        ports["core"].append(f"xe{d}")
        ports[name] = ["xe0"]
    for a in range(N - 1 - DISTS):
        name, dist = f"acc-{a:04d}", f"dist-{a % DISTS:02d}"
        devices.append({"name": name, "address": f"127.1.{a // 250}.{a % 250 + 1}", "site": name})
        links.append((dist, f"sfp{a}", name, "sfp0"))
        ports[dist].append(f"sfp{a}")
        ports[name] = ["sfp0"]
    return devices, links, ports


def fake_poll(ports: dict[str, list[str]]):
    async def poll(targets: Sequence[Target], kinds: frozenset[PollKind],
                   settings: Settings) -> list[PollResult]:
        await asyncio.sleep(0)
        now = datetime.now(UTC)
        return [PollResult(device_key=t.device_key, profile="generic", transport="snmp", started_at=now,
                           finished_at=now, completed=frozenset(kinds),
                           interfaces=tuple(InterfaceState(name=p, if_index=i + 1, oper_status=OperStatus.UP)
                                            for i, p in enumerate(ports[t.device_key])))
                for t in targets]
    return poll


def main() -> None:
    devices, links, ports = network()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-sched-"))
    base = load_settings(environ={"NETOPS_DATA_DIR": str(data_dir)})
    print(f"scheduler overhead, {N} simulated devices (instant fake poll), {len(links)} links, SQLite:")
    for icmp in (False, True) if "--no-icmp" not in sys.argv else (False,):
        settings = dataclasses.replace(base, data_dir=data_dir / ("icmp" if icmp else "plain"),
                                       monitor=dataclasses.replace(base.monitor, icmp=icmp))
        settings.data_dir.mkdir(parents=True)
        measure(settings, devices, links, ports, "ICMP burst on (loopback)" if icmp else "ICMP off")


def measure(settings: Settings, devices: list[dict[str, str]], links: list[tuple[str, str, str, str]],
            ports: dict[str, list[str]], label: str) -> None:
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        seed(session, devices, links)
    spec = specs_by_id(build_specs([], settings))["status"]
    spread_spec = specs_by_id(build_specs([], settings, {"status": SPREAD_INTERVAL_S}))["status"]
    executor = InProcessExecutor(settings, poll=fake_poll(ports))
    full = JobRunner(settings, engine, executor)
    spread = JobRunner(settings, engine, executor, overrides={"status": SPREAD_INTERVAL_S})
    try:
        full.run_cycle(spec, spread=False)  # warm-up: interfaces and states created
        trials = [_timed(lambda: full.run_cycle(spec, spread=False)) for _ in range(3)]
        wall_s, cpu_s = statistics.median_low(trials)
        wall, cpu = _timed(lambda: spread.run_cycle(spread_spec))
        with session_scope(engine) as session:
            _, one_eval = _timed(lambda: Monitor(settings).evaluate(session, {}, datetime.now(UTC)))
    finally:
        executor.close()
        engine.dispose()
    print(f"  [{label}]")
    print(f"  one batch, full: store, link sync, assessment {wall_s:5.2f} s wall, {cpu_s:5.2f} s CPU "
          f"= {1000 * cpu_s / N:4.2f} ms CPU per device per cycle")
    buckets = int(spread_spec.window_s)
    print(f"  spread cycle ({SPREAD_INTERVAL_S} s interval, {buckets} one-second buckets, full):"
          f" {wall:5.2f} s wall, {cpu:5.2f} s CPU = {1000 * cpu / N:4.2f} ms CPU per device per cycle")
    print(f"  one full monitor evaluation of the network: {1000 * one_eval:.0f} ms CPU "
          f"(buckets without changes take the quick path)")
    print(f"  => at the default 60 s status interval: {100 * cpu / 60:.1f} % of one core for {N} devices")


def _timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


if __name__ == "__main__":
    main()
