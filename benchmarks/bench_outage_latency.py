"""Fiber cut on the namespace testbed -> open outage: several trials with traps and without.

Brings up its own bed (``--trap-sink``; prefix ``hb`` unless ``--prefix``), seeds a fresh SQLite
database from the bed's inventory and runs the monitor service in this process. Each trial cuts
a different single-homed uplink (``testbed fail-link``), measures the time until the outage is
open in the database, restores the fiber and waits for the outage to close.
- with traps: status polling every 60 s (the default), the trap receiver on; a trap triggers
  the confirming poll.
- without traps: status polling every ``--status-interval`` seconds (default 10), no receiver;
  the target is at most one status interval + one SNMP timeout (2 s: 1 s x 2 tries).
Needs root and the testbed's agents; prints median and worst per mode.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inventory.db import make_engine, session_scope, upgrade_schema  # noqa: E402
from netops.monitor.queries import active_outages  # noqa: E402
from netops.polling.service import MonitorService  # noqa: E402
from netops.settings import Settings, load_settings  # noqa: E402
from tests.monitor.seed import from_testbed, seed  # noqa: E402

TESTBED = ROOT.parent / "shared" / "testbed" / "testbed"
TOPOLOGY = ROOT.parent / "shared" / "testbed" / "magelang.json"


def bed(*args: str, prefix: str) -> str:
    return subprocess.run([str(TESTBED), *args, "--prefix", prefix], check=True, capture_output=True,
                          text=True, timeout=240).stdout


def single_homed(inventory: dict) -> list[tuple[str, str]]:
    """(upstream, access) pairs of access nodes with one fiber to a core/distribution node."""
    degree: dict[str, list[str]] = {}
    for link in inventory["links"]:
        a, b = link["a"].split(":")[0], link["b"].split(":")[0]
        degree.setdefault(a, []).append(b)
        degree.setdefault(b, []).append(a)
    nodes = inventory["nodes"]
    return sorted((peers[0], name) for name, peers in degree.items()
                  if nodes[name]["role"] == "access" and len(peers) == 1
                  and nodes[peers[0]]["role"] in ("core", "distribution"))


def fresh_db(inventory: dict, settings: Settings):
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    devices, links = from_testbed(inventory)
    with session_scope(engine) as session:
        seed(session, devices, links)
    return engine


def wait(predicate, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def trials(mode: str, inventory: dict, prefix: str, trap_port: int, count: int, interval: int) -> list[float]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-latency-{mode}-"))
    settings = load_settings(environ={"NETOPS_DATA_DIR": str(data_dir)})
    settings = dataclasses.replace(settings, polling=dataclasses.replace(settings.polling,
                                                                         status_interval_s=interval))
    engine = fresh_db(inventory, settings)
    service = MonitorService(settings, engine, only=("status",), traps=mode == "traps", trap_port=trap_port)
    service.start()

    def active() -> list:
        with session_scope(engine) as session:
            return active_outages(session)

    results = []
    try:
        time.sleep(min(interval, 12) + 3)  # first cycle: every device known and up
        pairs = single_homed(inventory)
        for trial in range(count):
            upstream, access = pairs[trial % len(pairs)]
            cut = time.monotonic()
            bed("fail-link", upstream, access, prefix=prefix)
            opened = wait(lambda: bool(active()), interval + 30)
            latency = time.monotonic() - cut
            bed("restore-link", upstream, access, prefix=prefix)
            if not opened:
                print(f"  {mode} trial {trial + 1}: no outage within {interval + 30} s", flush=True)
                continue
            results.append(latency)
            print(f"  {mode} trial {trial + 1}: {upstream} -- {access}: {latency:.2f} s", flush=True)
            wait(lambda: not active(), interval + 30)
            time.sleep(2)
    finally:
        service.stop()
        engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="hb")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--status-interval", type=int, default=10)
    args = parser.parse_args()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("0.0.0.0", 0))
        port = sock.getsockname()[1]
    bed("up", str(TOPOLOGY), "--trap-sink", str(port), prefix=args.prefix)
    try:
        inventory = json.loads(bed("inventory", prefix=args.prefix))
        report = {}
        for mode, interval in (("traps", 60), ("polling", args.status_interval)):
            report[mode] = (interval, trials(mode, inventory, args.prefix, port, args.trials, interval))
    finally:
        bed("down", prefix=args.prefix)
    print("fiber cut -> open outage (testbed, SNMP timeout 1 s x 2 tries):")
    for mode, (interval, values) in report.items():
        if not values:
            print(f"  {mode:<8} no successful trial")
            continue
        target = "median < 5 s" if mode == "traps" else f"<= {interval + 2} s: interval + timeout"
        print(f"  {mode:<8} status every {interval:>2} s: n={len(values)} "
              f"median {statistics.median(values):.2f} s, worst {max(values):.2f} s (target {target})")


if __name__ == "__main__":
    main()
