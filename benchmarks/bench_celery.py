"""The status cycle through Celery with 1, 2 and 4 workers, against the in-process executor.

1,000 simulated devices (``bench_scheduler``'s network) in a fresh PostgreSQL database on
127.0.0.1:5432, the broker on Redis 127.0.0.1:6379/9. Every worker is a real ``netops worker``
process (``run_worker``, concurrency 2) whose poll is the benchmark's instant fake, so the
figures are the distribution's cost (message, worker, result rows, the scheduler taking them),
not SNMP. The scheduler applies every result (persist, assess) as it would in-process. Reported:
wall time of a full cycle (one batch), devices per 60 s, and the overhead per device against
the in-process executor. Run: ``.venv/bin/python benchmarks/bench_celery.py [--workers 1,2,4]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scheduler as base
from sqlalchemy import select, update

from inventory.db import make_engine, session_scope, upgrade_schema
from inventory.models import Device, PollWorker
from netops.polling.celery_executor import CeleryExecutor
from netops.polling.cycle import JobRunner
from netops.polling.executor import Executor, InProcessExecutor
from netops.polling.jobs import build_specs, specs_by_id
from netops.settings import Settings, load_settings
from tests.monitor.seed import seed

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BROKER = "redis://127.0.0.1:6379/9"


def settings_for(url: str, data_dir: Path) -> Settings:
    s = load_settings(environ={"NETOPS_DATA_DIR": str(data_dir)})
    return dataclasses.replace(s, database_url=url, monitor=dataclasses.replace(s.monitor, icmp=False),
                               executor=dataclasses.replace(s.executor, kind="celery", broker_url=BROKER,
                                                            task_deadline_s=120))


def worker_main(url: str, group: str, data_dir: str) -> None:
    from netops.polling.worker import TaskPoller as Poller
    from netops.polling.worker import run_worker, worker_name

    settings = settings_for(url, Path(data_dir))
    engine = make_engine(url)
    poller = Poller(settings, engine, worker_name())
    poller._executor = InProcessExecutor(settings, poll=base.fake_poll(base.network()[2]))
    run_worker(settings, engine, [group], 2, poller=poller)


def timed_cycles(settings: Settings, engine, executor: Executor, trials: int = 3) -> float:
    spec = specs_by_id(build_specs([], settings))["status"]
    runner = JobRunner(settings, engine, executor)
    runner.run_cycle(spec, spread=False)  # warm-up
    walls = []
    for _ in range(trials):
        started = time.perf_counter()
        summary = runner.run_cycle(spec, spread=False)
        walls.append(time.perf_counter() - started)
        assert summary.devices_polled == base.N and not summary.not_polled, summary.errors[:3]
    return statistics.median(walls)


def timed_polls(settings: Settings, engine, executor: Executor, trials: int = 3) -> float:
    """All devices' polls handed to the executor until every result is back (nothing applied)."""
    from collectors.observations import PollKind
    from netops.polling.targets import build_targets

    with session_scope(engine) as session:
        targets = build_targets(session, settings)
    executor.submit(targets, frozenset({PollKind.INTERFACES})).result(timeout=300)
    walls = []
    for _ in range(trials):
        started = time.perf_counter()
        results = executor.submit(targets, frozenset({PollKind.INTERFACES})).result(timeout=300)
        walls.append(time.perf_counter() - started)
        assert len(results) == base.N
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--worker", nargs=3, metavar=("URL", "GROUP", "DATA_DIR"))
    args = parser.parse_args()
    if args.worker:
        worker_main(*args.worker)
        return
    import psycopg
    import redis

    token = uuid.uuid4().hex[:8]
    name, group = f"netops_bench_{token}", f"bench{token}"
    data_dir = Path(f"/tmp/{name}")
    data_dir.mkdir()
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    engine = make_engine(url)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        upgrade_schema(engine)
        devices, links, ports = base.network()
        with session_scope(engine) as session:
            seed(session, devices, links)
            session.execute(update(Device).values(poll_group=group))
        settings = settings_for(url, data_dir)
        local = InProcessExecutor(settings, poll=base.fake_poll(ports))
        in_process = timed_cycles(settings, engine, local)
        polls_here = timed_polls(settings, engine, local)
        local.close()
        print(f"status cycle, {base.N} devices (instant fake poll), PostgreSQL; "
              "cycle = polls + results applied:")
        rate = 60 * base.N / in_process
        print(f"  in-process      cycle {in_process:6.2f} s = {rate:6.0f} devices per 60 s;"
              f" polls alone {polls_here:5.2f} s")
        for count in [int(c) for c in args.workers.split(",")]:
            while len(procs) < count:
                argv = [sys.executable, __file__, "--worker", url, group, str(data_dir)]
                procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                              start_new_session=True))
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with session_scope(engine) as session:
                    if len(session.scalars(select(PollWorker.name)).all()) >= count:
                        break
                time.sleep(0.5)
            executor = CeleryExecutor(settings, engine)
            wall = timed_cycles(settings, engine, executor)
            polls = timed_polls(settings, engine, executor)
            executor.close()
            print(f"  celery {count} worker{'s' if count > 1 else ' '} cycle {wall:6.2f} s = "
                  f"{60 * base.N / wall:6.0f} devices per 60 s; polls alone {polls:5.2f} s, "
                  f"broker overhead {1000 * (polls - polls_here) / base.N:5.2f} ms per device")
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(30)
        engine.dispose()
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        client = redis.Redis.from_url(BROKER)
        for key in client.scan_iter(match=f"*{token}*"):
            client.delete(key)


if __name__ == "__main__":
    main()
