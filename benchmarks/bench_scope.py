"""What a scope costs: the same views for an unscoped and a scoped token on the bench_web network.

The network of ``benchmarks/bench_web.py`` (1,000 devices, 1,200 links, 17 districts); the scoped
user sees the schools of one district (``district=District 3``, ``kind=school``). Prints p50/p95 per
view for both, server time through the WSGI test client.

    .venv/bin/python benchmarks/bench_scope.py [--devices 1000] [--links 1200] [--runs 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time

from benchmarks.bench_web import generate, percentile
from inventory.db import session_scope
from netops.accounts import add_user, create_token
from netops.runtime import open_database
from netops.scope import Scope
from netops.settings import load_settings
from web import create_app

VIEWS = ("/api/v1/sites", "/api/v1/devices", "/api/v1/outages", "/api/v1/events", "/api/v1/links",
         "/api/v1/topology", "/api/v1/topology.geojson")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--links", type=int, default=1200)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={"NETOPS_DATA_DIR": tmp})
        generate(settings, args.devices, args.links)
        engine = open_database(settings)
        with session_scope(engine) as s:
            add_user(s, "all", "bench-password", "engineer")
            add_user(s, "one", "bench-password", "engineer",
                     scope=Scope.parse(["district=District 3", "kind=school"]))
            tokens = {"unscoped": create_token(s, "all"), "scoped": create_token(s, "one")}
        client = create_app(settings, engine=engine).test_client()
        print(f"{'view':28} {'who':9} {'items':>6} {'p50':>8} {'p95':>8}   (ms, {args.runs} runs)")
        for path in VIEWS:
            for who, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}"}
                first = client.get(path, headers=headers)
                assert first.status_code == 200, (path, who, first.status_code)
                body = first.get_json()
                items = len(body.get("features", body.get("nodes", [])) if isinstance(body, dict) else body)
                times = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    client.get(path, headers=headers)
                    times.append((time.perf_counter() - t0) * 1000)
                p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
                print(f"{path:28} {who:9} {items:6d} {p50:8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
