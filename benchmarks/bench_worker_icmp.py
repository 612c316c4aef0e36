"""ICMP bursts through a worker: ``CeleryExecutor.ping`` for 100 and 1,000 devices.

A fresh PostgreSQL database on 127.0.0.1:5432, the broker on Redis 127.0.0.1:6379/13 (flushed
before and after), one real ``netops worker`` process (concurrency 2) serving the devices'
group; the devices are loopback addresses (127.1.x.y), so every echo is answered and the burst
(5 echoes 0.2 s apart) takes 0.8 s. Reported: wall time from ``ping()`` to every address's
answer at the scheduler, three runs each; what is above 0.8 s is the distribution's cost (the
ping task, the worker's look-up, the rows written and taken). Needs root or ping sockets for
the worker. Run: ``.venv/bin/python benchmarks/bench_worker_icmp.py [--devices 100,1000]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, insert, select

from inventory.db import make_engine, session_scope, upgrade_schema
from inventory.models import Device, PollWorker
from netops.polling.celery_executor import CeleryExecutor
from netops.settings import load_settings

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_DB = 13
RUNS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", default="100,1000")
    sizes = [int(n) for n in parser.parse_args().devices.split(",")]
    import psycopg
    import redis

    name = f"netops_bench_icmp_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    broker = redis.Redis("127.0.0.1", 6379, db=REDIS_DB)
    broker.flushdb()
    data = Path(f"/tmp/{name}")
    data.mkdir()
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    config = data / "netops.toml"
    config.write_text(f'data_dir = "{data}"\ndatabase_url = "{url}"\n[executor]\nkind = "celery"\n'
                      f'broker_url = "redis://127.0.0.1:6379/{REDIS_DB}"\nworker_seen_s = 6\n'
                      '[traps]\nenabled = false\n', encoding="utf-8")
    settings = load_settings(config, environ={})
    engine = make_engine(url)
    upgrade_schema(engine)
    env = {**os.environ, "NETOPS_CONFIG": str(config), "NETOPS_DATA_DIR": str(data)}
    env.pop("NETOPS_DATABASE_URL", None)
    worker = subprocess.Popen([str(Path(sys.executable).with_name("netops")), "worker", "--queue", "bench",
                               "--concurrency", "2"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with session_scope(engine) as session:
                if session.scalars(select(PollWorker)).first() is not None:
                    break
            time.sleep(0.2)
        else:
            raise SystemExit("the worker did not register within 30 s")
        executor = CeleryExecutor(settings, engine)
        try:
            for size in sizes:
                addresses = [f"127.1.{i // 250}.{i % 250 + 1}" for i in range(size)]
                with engine.begin() as conn:
                    conn.execute(delete(Device))
                    conn.execute(insert(Device), [{"name": f"d{i}", "address": a, "poll_group": "bench"}
                                                  for i, a in enumerate(addresses)])
                for run in range(RUNS):
                    started = time.monotonic()
                    answers = executor.ping(addresses).result(timeout=60)
                    took = time.monotonic() - started
                    full = sum(1 for s in answers.values() if s is not None and s.received == s.sent)
                    print(f"{size:>5} devices, run {run + 1}: {took:.2f} s, "
                          f"{full}/{size} answered every echo")
        finally:
            executor.close()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        engine.dispose()
        broker.flushdb()
        shutil.rmtree(data, ignore_errors=True)
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
