"""The broker restarts or is away: a cycle completes, or ends as partial naming the devices it
could not have polled; nothing hangs.

Real parts: a redis-server of this test's own (on a free port, no persistence, so a restart
loses what was queued; the machine's shared Redis is never restarted), PostgreSQL (a database
of this test), ``netops worker`` subprocesses and the demo's SNMP agents on loopback. The
scheduler side is a ``JobRunner`` with the ``CeleryExecutor`` in this process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inventory.db import make_engine, session_scope
from inventory.models import Device, JobRun, Outage, PollOutcome, PollRun
from netops.polling.celery_executor import CeleryExecutor
from netops.polling.cycle import CycleSummary, JobRunner
from netops.polling.jobs import JobSpec, job_kinds
from netops.polling.outcomes import live_workers
from netops.settings import Settings, load_settings
from simulator.network import generate
from tests.integration.scale_helpers import Installation, PrivateRedis, install, stop_group, until

pytestmark = [pytest.mark.postgres, pytest.mark.timing, pytest.mark.timeout(150)]
COUNTERS = JobSpec("counters", 300, job_kinds("counters"))  # no confirmation round: one task per group
STATUS = JobSpec("status", 60, job_kinds("status"))
DEADLINE_S = 10.0  # the executor's task deadline in these tests
SILENT = "127.0.100.250"  # no agent answers here: a task holding it runs for the SNMP timeouts


class City:
    """The installation, its two groups of four devices, and the scheduler's side."""

    def __init__(self, inst: Installation, cleanup: list[Callable[[], None]]) -> None:
        self.inst = inst
        self.engine = make_engine(inst.database_url)
        cleanup.append(self.engine.dispose)
        net = generate(1)
        access = [d.name for d in net.devices if d.role == "access"]
        self.north, self.south = access[:4], access[4:8]
        with session_scope(self.engine) as session:
            for device in session.scalars(select(Device)):
                device.poll_group = inst.north if device.name in self.north else inst.south
        settings = load_settings(inst.config, environ={})
        executor = replace(settings.executor, task_deadline_s=DEADLINE_S)
        self.settings: Settings = replace(settings, executor=executor)
        self.spec = COUNTERS
        self.cleanup = cleanup
        self.runner = self._runner()

    def _runner(self) -> JobRunner:
        runner = JobRunner(self.settings, self.engine, CeleryExecutor(self.settings, self.engine))
        self.cleanup.append(runner.executor.close)
        return runner

    def status_with_icmp(self) -> None:
        """Cycles of the status job with ICMP bursts (sent by the workers): the job that opens outages."""
        self.settings = replace(self.settings, monitor=replace(self.settings.monitor, icmp=True))
        self.spec, self.runner = STATUS, self._runner()

    @property
    def devices(self) -> list[str]:
        return self.north + self.south

    def worker(self, group: str, log: Path, cleanup: list[Callable[[], None]]) -> subprocess.Popen[bytes]:
        proc = self.inst.start("worker", "--queue", group, "--concurrency", "2", log=log)
        cleanup.append(lambda: stop_group(proc))
        return proc

    def cycle(self, spec: JobSpec | None = None) -> CycleSummary:
        return self.runner.run_cycle(spec or self.spec, trigger="manual", devices=self.devices, spread=False)

    def run(self, summary: CycleSummary) -> JobRun:
        with session_scope(self.engine) as session:
            run = session.get(JobRun, summary.job_run_id)
            assert run is not None
            session.expunge(run)
            return run

    def outages(self, but: str | None = None) -> int:
        """Outages opened, but any whose root cause is the device ``but``."""
        with session_scope(self.engine) as session:
            query = select(func.count()).select_from(Outage)
            if but is not None:
                query = query.where(Outage.root_cause != but)
            return int(session.scalar(query) or 0)


@pytest.fixture
def city(tmp_path: Path, pg_url: str, demo_agents: Path, broker: PrivateRedis,
         cleanup: list[Callable[[], None]]) -> City:
    return City(install(tmp_path, pg_url, demo_agents, broker_url=broker.url), cleanup)


def complete(city: City, summary: CycleSummary) -> None:
    assert not summary.not_polled, summary.not_polled
    assert summary.devices_polled == len(city.devices), summary.errors
    assert city.run(summary).result in ("ok", "partial")  # partial only when a simulated agent was slow


def completes(city: City, what: str) -> None:
    """Cycles until one has every device polled (workers reconnect within Celery's back-off)."""
    complete(city, until(lambda: (s := city.cycle()) and not s.not_polled and s, 40, what))


def test_redis_restarted_between_cycles_the_next_cycle_completes(city: City, broker: PrivateRedis,
                                                                 tmp_path: Path, cleanup: list) -> None:
    north = city.worker(city.inst.north, tmp_path / "north.log", cleanup)
    south = city.worker(city.inst.south, tmp_path / "south.log", cleanup)
    completes(city, "workers serving")
    broker.restart()
    started = time.monotonic()
    summary = city.cycle(STATUS)
    took = time.monotonic() - started
    print(f"\nafter the restart: cycle in {took:.2f} s")
    complete(city, summary)  # workers reconnected, and the scheduler's executor publishes again
    assert took < DEADLINE_S, took
    assert north.poll() is None and south.poll() is None
    assert city.outages() == 0


@pytest.mark.parametrize("job", ["counters", "status"])
def test_redis_restarted_mid_cycle_the_lost_tasks_devices_are_named(
        city: City, broker: PrivateRedis, tmp_path: Path, cleanup: list, job: str) -> None:
    """North's task is running on its worker (one silent device keeps it busy); south's task is
    still queued (its worker was just SIGKILLed: its liveness row is still fresh, so the task is
    sent, and nobody takes it) when Redis restarts without persistence: south's message is lost.
    North's results still come through the database; south's devices are named at the task
    deadline; no outage is opened; a new south worker starts and the next cycle completes. The
    status cycle (with ICMP) tries the silent device a second time (its confirmation round, one
    more task and deadline) and, like every device of south, opens no outage for it."""
    if job == "status":
        city.status_with_icmp()
    rounds = 2 if job == "status" else 1
    with session_scope(city.engine) as session:
        slow = session.scalar(select(Device).where(Device.name == city.north[0]))
        assert slow is not None
        address, slow.address = slow.address, SILENT
    north = city.worker(city.inst.north, tmp_path / "north.log", cleanup)
    south = city.worker(city.inst.south, tmp_path / "south.log", cleanup)
    until(lambda: city.cycle().devices_polled == len(city.devices), 40, "both workers serving")
    stop_group(south, signal.SIGKILL)
    client = broker.client()
    with session_scope(city.engine) as session:
        before = int(session.scalar(select(func.max(PollOutcome.id))) or 0)
    summaries: list[CycleSummary] = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: summaries.append(city.cycle()))
    thread.start()
    until(lambda: client.llen(f"netops.{city.inst.south}"), 5, "south's task queued")

    def north_answered() -> int:
        with session_scope(city.engine) as session:
            return int(session.scalar(select(func.count()).select_from(PollOutcome).where(
                PollOutcome.id > before, PollOutcome.device.in_(city.north))) or 0)
    until(north_answered, 10, "north's task running on its worker")
    broker.restart()
    city.worker(city.inst.south, tmp_path / "south-2.log", cleanup)
    thread.join(rounds * DEADLINE_S + 10)
    took = time.monotonic() - started
    assert summaries, "the cycle did not end"
    print(f"\nrestarted mid-cycle: cycle ended in {took:.1f} s (task deadline {DEADLINE_S:g} s)")
    summary = summaries[0]
    assert took < rounds * DEADLINE_S + 5, took
    assert set(summary.not_polled) == set(city.south), summary.not_polled
    lost = f"no result within {DEADLINE_S:g} s from group {city.inst.south}"
    assert set(summary.not_polled.values()) == {lost}
    run = city.run(summary)
    assert run.result == "partial"
    assert all(name in (run.errors or "") for name in city.south)
    with session_scope(city.engine) as session:
        polled = set(session.scalars(select(Device.name).join(PollRun, PollRun.device_id == Device.id)
                                     .where(PollRun.job_run_id == summary.job_run_id)))
    assert polled == set(city.north)  # the task in flight finished through the database
    # not polled is not down. The silent device does not answer: when its confirmation round got
    # through after the restart, it is rightly down; whether it did is a matter of timing
    assert city.outages(but=city.north[0]) == 0

    with session_scope(city.engine) as session:
        slow = session.scalar(select(Device).where(Device.name == city.north[0]))
        assert slow is not None
        slow.address = address
    completes(city, "the next cycle completes")
    started = time.monotonic()
    stop_group(north)
    assert north.returncode == 0 and time.monotonic() - started < 10


def test_the_broker_down_at_submit_the_run_is_partial_at_once(city: City, broker: PrivateRedis,
                                                              tmp_path: Path, cleanup: list) -> None:
    city.worker(city.inst.north, tmp_path / "north.log", cleanup)
    city.worker(city.inst.south, tmp_path / "south.log", cleanup)
    completes(city, "workers serving")
    broker.stop()
    started = time.monotonic()
    summary = city.cycle()
    took = time.monotonic() - started
    print(f"\nbroker down: cycle ended in {took:.2f} s")
    assert took < 5, took  # no connection retry loop in the scheduler
    assert set(summary.not_polled) == set(city.devices)
    reasons = set(summary.not_polled.values())
    assert all(why.startswith("broker unreachable") for why in reasons), reasons
    run = city.run(summary)
    assert run.result == "partial" and all(name in (run.errors or "") for name in city.devices)
    assert city.outages() == 0
    broker.start()
    completes(city, "polling again")


def test_a_frozen_broker_at_submit_hangs_nothing(city: City, broker: PrivateRedis, tmp_path: Path,
                                                 cleanup: list) -> None:
    """Redis SIGSTOPped: connections are accepted by the kernel and never answered."""
    city.worker(city.inst.north, tmp_path / "north.log", cleanup)
    city.worker(city.inst.south, tmp_path / "south.log", cleanup)
    completes(city, "workers serving")
    assert broker.process is not None
    pid = broker.process.pid
    os.kill(pid, signal.SIGSTOP)
    cleanup.append(lambda: os.kill(pid, signal.SIGCONT))
    started = time.monotonic()
    summary = city.cycle()
    took = time.monotonic() - started
    print(f"\nfrozen broker: cycle ended in {took:.1f} s")
    assert took < DEADLINE_S + 2, took
    assert set(summary.not_polled) == set(city.devices)
    os.kill(pid, signal.SIGCONT)
    completes(city, "polling again")


def test_a_worker_cut_off_from_the_broker_serves_no_queue(city: City, broker: PrivateRedis, tmp_path: Path,
                                                          cleanup: list) -> None:
    """A worker counts as serving its queue only while it consumes: one that cannot reach the
    broker (here: configured with a broker nobody listens on) never registers, so its group is
    "no worker" at once instead of "no result" at the deadline; workers that lose the broker
    age out after worker_seen_s and come back by themselves when it returns."""
    nowhere = PrivateRedis(tmp_path / "nowhere")  # a free port, no server
    city.worker(city.inst.north, tmp_path / "north.log", cleanup)
    cut = city.inst.start("worker", "--queue", city.inst.south, "--concurrency", "2",
                          log=tmp_path / "cut.log", extra_env={"NETOPS_EXECUTOR__BROKER_URL": nowhere.url})
    cleanup.append(lambda: stop_group(cut))
    north = [f"netops.{city.inst.north}"]
    until(lambda: north in live_workers(city.engine, 6).values(), 30, "north registered")
    until(lambda: b"Cannot connect" in (tmp_path / "cut.log").read_bytes(), 30, "the cut worker retrying")
    assert cut.poll() is None
    started = time.monotonic()
    summary = city.cycle()
    assert time.monotonic() - started < 5
    assert set(summary.not_polled) == set(city.south)
    assert set(summary.not_polled.values()) == {f"no worker for group {city.inst.south}"}
    assert summary.devices_polled == len(city.north)
    stop_group(cut)

    city.worker(city.inst.south, tmp_path / "south.log", cleanup)
    completes(city, "both groups served")
    broker.stop()
    until(lambda: not live_workers(city.engine, city.settings.executor.worker_seen_s), 15,
          "the workers age out while the broker is away")
    broker.start()
    completes(city, "the workers are back")
