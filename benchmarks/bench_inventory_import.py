"""Inventory import/export speed on a city-sized generated network (SQLite, one process).

Prints validation, first import, idempotent re-import and export times for N devices, so a
change to the validator or the upsert shows its cost.
Run: ``python benchmarks/bench_inventory_import.py [N]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from inventory.db import make_engine, session_scope, upgrade_schema
from inventory.files import export_inventory, import_inventory_file, read_inventory


def generate(devices: int) -> str:
    sites = max(1, devices // 2)
    lines = [
        "credentials:",
        "  snmp: {type: snmp, version: 2c, community: {env: NETOPS_SNMP_COMMUNITY}}",
        "sites:",
    ]
    lines += [f"  - {{name: Site {i}, kind: school, district: D{i % 3}}}" for i in range(sites)]
    lines.append("devices:")
    lines += [
        f"  - {{name: sw-{i}, address: 10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}, "
        f"site: Site {i % sites}, platform: huawei, snmp: snmp}}"
        for i in range(devices)
    ]
    lines.append("links:")
    lines += [
        f"  - {{a: sw-{i}:Gi0/0/1, b: sw-{(i - 1) // 2}:Gi0/0/{i % 2 + 2}, length_m: {100 + i}}}"
        for i in range(1, devices)
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    devices = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory.yaml"
        path.write_text(generate(devices))
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade_schema(engine)
        t0 = time.perf_counter()
        read_inventory(path)
        t1 = time.perf_counter()
        with session_scope(engine) as s:
            first = import_inventory_file(s, path)
        t2 = time.perf_counter()
        with session_scope(engine) as s:
            again = import_inventory_file(s, path)
        t3 = time.perf_counter()
        with session_scope(engine) as s:
            text = export_inventory(s).text
        t4 = time.perf_counter()
        engine.dispose()
    print(
        f"inventory of {devices} devices, {devices // 2} sites, {devices - 1} links "
        f"({len(text)} bytes exported)"
    )
    print(f"  validate only      {t1 - t0:7.2f} s")
    print(f"  first import       {t2 - t1:7.2f} s  ({first.totals['created']} created)")
    print(f"  re-import          {t3 - t2:7.2f} s  ({again.totals['unchanged']} unchanged)")
    print(f"  export (yaml)      {t4 - t3:7.2f} s")


if __name__ == "__main__":
    main()
