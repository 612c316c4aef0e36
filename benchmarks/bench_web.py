"""Server time of every main web page and API route on a generated network (SQLite).

Generates the network straight into a fresh SQLite database (a core pair, a ring of district
switches, access sites in trees below them, some dual-homed; states, outages, events and job
runs as a running service would leave them), then times every main page and ``/api/v1`` route
through the WSGI test client (server time, no network). Prints a table of p50/p95 per route
with PASS/FAIL against the 200 ms target (wall time), and the CPU time of the request thread
beside it: on a machine shared with other work the CPU time shows what the view costs when the
wall time shows the queue. ``--profile ROUTE`` prints the cProfile of one route.

    .venv/bin/python benchmarks/bench_web.py [--devices 1000] [--links 1200] [--runs 30]
        [--only SUBSTRING] [--profile SUBSTRING]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from inventory.db import session_scope
from inventory.models import (
    Device,
    DeviceState,
    Event,
    Interface,
    JobRun,
    Link,
    LinkState,
    Outage,
    Site,
)
from netops.accounts import add_user, create_token
from netops.runtime import open_database
from netops.settings import Settings, load_settings
from web import create_app
from web.readers import list_links

NOW = datetime.now(UTC)


def _topology(
    devices: int, links: int, rng: random.Random
) -> tuple[list[tuple[str, str, int | None]], list[tuple[int, int]]]:
    """(name, role, parent index) per device and the device index pairs of every link."""
    districts = max(4, devices // 16)
    nodes: list[tuple[str, str, int | None]] = [("core-1", "core", None), ("core-2", "core", 0)]
    edges = [(0, 1)]
    for d in range(districts):
        nodes.append((f"dist-{d:03d}", "distribution", d % 2))
        edges.append((d % 2, len(nodes) - 1))
    for d in range(districts):  # the ring
        edges.append((2 + d, 2 + (d + 1) % districts))
    while len(nodes) < devices:
        parent = rng.randrange(2, len(nodes)) if rng.random() < 0.8 else rng.randrange(2, 2 + districts)
        nodes.append((f"acc-{len(nodes):04d}", "access", parent))
        edges.append((parent, len(nodes) - 1))
    existing = {tuple(sorted(e)) for e in edges}
    while len(edges) < links:  # dual-homing
        a, b = rng.randrange(2, 2 + districts), rng.randrange(2 + districts, devices)
        if (a, b) not in existing:
            existing.add((a, b))
            edges.append((a, b))
    return nodes, edges


def generate(settings: Settings, devices: int, links: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    nodes, edges = _topology(devices, links, rng)
    engine = open_database(settings)
    with session_scope(engine) as s:
        kinds = ["school"] * 5 + ["health", "agency", "other"]
        s.execute(
            insert(Site),
            [
                {
                    "id": i + 1,
                    "name": f"Site {i:04d} {name}",
                    "kind": "core"
                    if role == "core"
                    else "district"
                    if role == "distribution"
                    else rng.choice(kinds),
                    "district": f"District {i % 17}",
                    "contact_name": f"Contact {i}",
                    "contact_phone": f"0812-{i:04d}",
                }
                for i, (name, role, _) in enumerate(nodes)
            ],
        )
        s.execute(
            insert(Device),
            [
                {
                    "id": i + 1,
                    "name": name,
                    "address": f"10.{i // 250}.{i % 250}.1",
                    "role": role,
                    "site_id": i + 1,
                    "platform": "linux",
                    "enabled": True,
                    "source": "declared",
                    "snmp_port": 161,
                    "ssh_port": 22,
                }
                for i, (name, role, _) in enumerate(nodes)
            ],
        )
        ports: list[dict[str, object]] = []
        count = [0] * len(nodes)
        link_rows, state_rows = [], []
        for n, (a, b) in enumerate(edges):
            ends = []
            for dev in (a, b):
                count[dev] += 1
                ports.append(
                    {
                        "id": len(ports) + 1,
                        "device_id": dev + 1,
                        "name": f"sfp{count[dev]}",
                        "if_index": 10 + count[dev],
                        "oper_status": "up",
                        "admin_status": "up",
                        "speed_bps": 10**9,
                        "in_bps": rng.random() * 5e8,
                        "out_bps": rng.random() * 5e8,
                        "utilization_pct": rng.random() * 90,
                    }
                )
                ends.append(len(ports))
            down = n % 97 == 5
            link_rows.append(
                {
                    "id": n + 1,
                    "a_interface_id": min(ends),
                    "b_interface_id": max(ends),
                    "medium": "fiber",
                    "source": "declared",
                    "declared": True,
                }
            )
            state_rows.append(
                {"link_id": n + 1, "state": "down" if down else "up", "since": NOW - timedelta(hours=1)}
            )
        s.execute(insert(Interface), ports)
        s.execute(insert(Link), link_rows)
        s.execute(insert(LinkState), state_rows)
        s.execute(
            insert(DeviceState),
            [
                {
                    "device_id": i + 1,
                    "state": "up",
                    "since": NOW - timedelta(days=3),
                    "last_poll_at": NOW,
                    "consecutive_failures": 0,
                }
                for i in range(len(nodes))
            ],
        )
        s.execute(
            insert(Outage),
            [
                {
                    "root_cause_type": "link",
                    "root_cause": f"x:{k}--y:{k}",
                    "started_at": NOW - timedelta(hours=k + 1),
                    "ended_at": None if k < 5 else NOW - timedelta(hours=k),
                    "affected_sites": [f"Site {k:04d}"],
                    "affected_devices": [nodes[k][0]],
                    "flapping": False,
                }
                for k in range(300)
            ],
        )
        s.execute(
            insert(Event),
            [
                {
                    "at": NOW - timedelta(minutes=k),
                    "element_type": "link",
                    "element": f"x:{k}--y:{k}",
                    "old_state": "up",
                    "new_state": "down",
                    "evidence": "ifOperStatus down",
                }
                for k in range(3000)
            ],
        )
        s.execute(
            insert(JobRun),
            [
                {
                    "job": job,
                    "started_at": NOW - timedelta(minutes=k),
                    "finished_at": NOW - timedelta(minutes=k),
                    "duration_s": 4.2,
                    "devices_polled": devices,
                    "devices_failed": 3,
                    "overrun": False,
                    "trigger": "schedule",
                    "result": "ok",
                }
                for k in range(200)
                for job in ("status", "counters")
            ],
        )
        add_user(s, "bench", "bench-password", "admin")
        assert s.scalar(select(Device.id).where(Device.name == "core-1"))
    engine.dispose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


TARGET_MS = 200.0


def routes(token: str, fiber: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Label -> (path, headers) of every main GET page and API route."""
    api = {"Authorization": f"Bearer {token}"}
    pages = [
        "/", "/schools", "/schools?sort=state&q=site+0042", "/schools?kind=&page=3",
        "/sites/Site 0400 acc-0400", "/outages", "/outages/1", "/outages.csv", "/topology",
        "/topology?spof=1", "/topology?level=district", "/topology?level=device",
        "/topology?level=device&district=District 3",
        "/topology/spof", "/devices/dist-001", "/inventory", "/inventory?show=links",
        "/inventory?show=sites",
        "/inventory?q=acc-04",
        "/map", "/jobs", "/credentials", "/users", "/maintenance", "/reports", "/reports?month=2026-11",
        "/reports/download?month=2026-11&format=csv", "/reports/download?month=2026-11&format=pdf",
        "/audit", "/notifications/routes", f"/map/fiber/{fiber}",
    ]
    apis = [
        "/api/v1/sites", "/api/v1/sites?limit=100", "/api/v1/devices", "/api/v1/devices/dist-001/latency",
        "/api/v1/interfaces?device=dist-001", "/api/v1/interfaces", "/api/v1/links", "/api/v1/topology",
        "/api/v1/topology?level=district", "/api/v1/topology/spof",
        "/api/v1/topology/impact?device=dist-001",
        "/api/v1/topology/overlay", "/api/v1/topology.geojson", "/api/v1/outages", "/api/v1/events",
        "/api/v1/jobs", "/api/v1/users", "/api/v1/audit", "/api/v1/maintenance", "/api/v1/outages/1/timeline",
        "/api/v1/reports/availability?month=2026-11", "/api/v1/openapi.json", "/healthz", "/metrics",
    ]
    return {p: (p, {}) for p in pages} | {p: (p, api) for p in apis}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--links", type=int, default=1200)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", default=None, help="time only routes whose path contains this")
    parser.add_argument("--profile", default=None,
                        help="print the cProfile of the first route containing this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={"NETOPS_DATA_DIR": tmp})
        started = time.perf_counter()
        generate(settings, args.devices, args.links)
        print(
            f"generated {args.devices} devices, {args.links} links in {time.perf_counter() - started:.1f} s"
        )
        engine = open_database(settings)
        app = create_app(settings, engine=engine)
        with session_scope(engine) as s:
            token = create_token(s, "bench")
            links = list_links(s)
            fiber = links[len(links) // 2].name  # a fiber card in the middle
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        csrf = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        assert (
            client.post(
                "/auth/login", data={"name": "bench", "password": "bench-password", "csrf_token": csrf}
            ).status_code
            == 302
        )
        views = routes(token, fiber)
        if args.profile:
            import cProfile
            import pstats

            path, headers = next(v for k, v in views.items() if args.profile in k)
            client.get(path, headers=headers)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                client.get(path, headers=headers)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            return
        print(f"{'route':48} {'status':>6} {'first':>8} {'p50':>8} {'p95':>8} {'cpu p50':>8} "
              f"{'cpu p95':>8}"
              f"  (ms, {args.runs} runs, target p95 < 200)")
        failed = 0
        for label, (path, headers) in views.items():
            if args.only and args.only not in label:
                continue
            t0 = time.perf_counter()
            status = client.get(path, headers=headers).status_code
            first = (time.perf_counter() - t0) * 1000
            times, cpu = [], []
            for _ in range(args.runs):
                t0, c0 = time.perf_counter(), time.thread_time()
                response = client.get(path, headers=headers)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
                assert response.status_code == status
            p95 = percentile(times, 0.95)
            verdict = "PASS" if p95 < TARGET_MS and status < 400 else "FAIL"
            failed += verdict == "FAIL"
            print(f"{label[:48]:48} {status:6} {first:8.1f} {statistics.median(times):8.1f} {p95:8.1f} "
                  f"{statistics.median(cpu):8.1f} {percentile(cpu, 0.95):8.1f}  {verdict}", flush=True)
        print(f"{'all pass' if not failed else f'{failed} FAIL'} (target p95 < {TARGET_MS:.0f} ms)")
        engine.dispose()


if __name__ == "__main__":
    main()
