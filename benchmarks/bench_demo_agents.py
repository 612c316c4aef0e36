"""Demo agents: start-up time, and varbinds per second / agent CPU per varbind for net-snmp walks.

Starts ``python -m simulator.process`` (50 simulated switches) on a free UDP port, walks every
switch completely with ``snmpbulkwalk`` (sequentially, then all 50 at once) and reads the agent
process's CPU time from /proc. Prints the figures; no assertions.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from simulator.network import generate


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def walk(endpoint: str) -> int:
    out = subprocess.run(["snmpbulkwalk", "-v2c", "-c", "demo", "-On", "-Cr25", endpoint, "1"],
                         capture_output=True, text=True, check=True).stdout
    return sum(1 for line in out.splitlines() if line.startswith("."))


def main() -> int:
    if not shutil.which("snmpbulkwalk"):
        print("snmpbulkwalk missing (apt-get install snmp)")
        return 1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.100.1", 0))
        port = sock.getsockname()[1]
    state = Path(tempfile.mkdtemp()) / "demo"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "simulator.process", "--state-dir", str(state),
                             "--snmp-port", str(port), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not (state / "demo.json").exists():
            time.sleep(0.01)
        print(f"start-up until 50 agents answer: {time.perf_counter() - started:.2f} s")
        endpoints = [f"{d.address}:{port}" for d in generate(1).devices]
        for label, workers in (("sequential", 1), ("50 at once", 50)):
            cpu0, t0 = cpu_s(proc.pid), time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                total = sum(pool.map(walk, endpoints))
            wall, cpu = time.perf_counter() - t0, cpu_s(proc.pid) - cpu0
            print(f"{label}: {len(endpoints)} full walks, {total} varbinds in {wall:.2f} s "
                  f"({total / wall:,.0f} varbinds/s); agent CPU {cpu:.2f} s "
                  f"= {cpu / total * 1e6:.1f} µs/varbind")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
