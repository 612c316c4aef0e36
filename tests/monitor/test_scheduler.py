"""The scheduler on a fake network: cycles, job runs, pause/resume, overrun, notifications off-path.

The scheduler's time is a clock the tests turn (``scheduler_clock``): a job runs when the test
moves the clock past its interval, never because the machine happened to be fast or slow.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import JobRun, Outage
from netops.monitor.notifications import Notifier
from netops.polling.cycle import JobRunner
from netops.polling.executor import InProcessExecutor
from netops.polling.jobs import build_specs, specs_by_id
from netops.polling.scheduler import JobControl, Scheduler
from netops.settings import Settings
from tests.monitor.fakes import FakeNetwork
from tests.monitor.scheduler_clock import ManualClock
from tests.monitor.seed import seed
from tests.monitor.webhook import refusing_url

DEVICES = [{"name": "core", "address": "127.0.0.2", "site": "Balai Kota", "role": "core"},
           {"name": "school", "address": "127.0.0.3", "site": "SD 1"}]
LINKS = [("core", "sfp1", "school", "sfp1")]


@pytest.fixture
def net(engine: Engine) -> FakeNetwork:
    with session_scope(engine) as session:
        seed(session, DEVICES, LINKS)
    return FakeNetwork({"core": {"sfp1": "up"}, "school": {"sfp1": "up"}})


def _settings(settings: Settings, *, spread: bool = True, **notify: object) -> Settings:
    """No ICMP, no traps; ``spread=False``: a cycle polls at once (spreading is in real time)."""
    settings = dataclasses.replace(settings, monitor=dataclasses.replace(settings.monitor, icmp=False),
                                   traps=dataclasses.replace(settings.traps, enabled=False))
    if not spread:
        settings = dataclasses.replace(settings, polling=dataclasses.replace(settings.polling, spread=0.0))
    if notify:
        notifications = dataclasses.replace(settings.notifications, **notify)
        settings = dataclasses.replace(settings, notifications=notifications)
    return settings


@pytest.fixture
def make_scheduler(engine: Engine) -> Iterator:
    made: list[Scheduler] = []

    def make(settings: Settings, net: FakeNetwork, interval: int = 1, **kw: object) -> Scheduler:
        executor = InProcessExecutor(settings, poll=net.poll)
        scheduler = Scheduler(settings, engine, executor=executor, overrides={"status": interval}, **kw)
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler.shutdown(wait=True)


def _runs(engine: Engine, job: str = "status") -> list[JobRun]:
    with session_scope(engine) as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.id)))


def _wait(predicate, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """The scheduler's time, turned by the test (real time only bounds how long a cycle may take)."""
    manual = ManualClock(datetime(2026, 5, 1, 8, 0, tzinfo=UTC))
    manual.install(monkeypatch)
    return manual


def _finished(engine: Engine, trigger: str = "schedule") -> int:
    return len([r for r in _runs(engine) if r.finished_at and r.trigger == trigger])


def test_status_job_runs_once_per_interval_of_its_clock(engine: Engine, settings: Settings, net: FakeNetwork,
                                                        make_scheduler, clock: ManualClock) -> None:
    scheduler = make_scheduler(_settings(settings, spread=False), net, interval=60)
    scheduler.start()
    assert _wait(lambda: _finished(engine) == 1)  # the first cycle runs at start
    for expected in (2, 3):
        clock.advance(59, scheduler)
        assert not _wait(lambda n=expected: _finished(engine) >= n, 0.5), "not due yet"
        clock.advance(1, scheduler)
        assert _wait(lambda n=expected: _finished(engine) >= n)
    runs = [r for r in _runs(engine) if r.finished_at]
    assert len(runs) == 3
    assert all(r.devices_polled == 2 and r.devices_failed == 0 and r.result == "ok" for r in runs)
    assert {j.job_id for j in scheduler.jobs()} >= {"status", "counters", "discovery", "ssh", "maintenance"}


def test_pause_from_another_process_stops_the_job_and_resume_restarts_it(
        engine: Engine, settings: Settings, net: FakeNetwork, make_scheduler, clock: ManualClock) -> None:
    scheduler = make_scheduler(_settings(settings, spread=False), net, interval=60)
    scheduler.start()
    assert _wait(lambda: _finished(engine) == 1)
    with JobControl(engine) as control:
        control.pause("status")
        assert next(j for j in control.jobs() if j.job_id == "status").paused
    for _ in range(3):  # three intervals pass: nothing runs
        clock.advance(60, scheduler)
    assert not _wait(lambda: len(_runs(engine)) > 1, 1.0)
    with JobControl(engine) as control:
        control.resume("status")
    clock.advance(60, scheduler)  # the heartbeat (every 10 s) re-reads the store; the job is due again
    assert _wait(lambda: _finished(engine) == 2, 15)


def test_a_cycle_longer_than_its_interval_is_recorded_as_overrun(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        seed(session, DEVICES, LINKS)
    net = FakeNetwork({"core": {"sfp1": "up"}, "school": {"sfp1": "up"}}, delay_s=1.3)
    settings = _settings(settings)
    executor = InProcessExecutor(settings, poll=net.poll)
    try:
        spec = specs_by_id(build_specs([], settings, {"status": 1}))["status"]
        runner = JobRunner(settings, engine, executor, overrides={"status": 1})
        summary = runner.run_cycle(spec)
    finally:
        executor.close()
    assert summary.devices_polled == 2 and summary.overrun
    assert _runs(engine)[-1].overrun


@pytest.mark.timing
def test_refusing_notification_target_does_not_delay_polling(engine: Engine, settings: Settings,
                                                             net: FakeNetwork, make_scheduler,
                                                             clock: ManualClock) -> None:
    settings = _settings(settings, spread=False, urls=(refusing_url(),), retries=5)
    notifier = Notifier(engine, settings, backoff_s=2.0)  # ~60 s of retries in the background
    scheduler = make_scheduler(settings, net, notifier=notifier, interval=60)
    try:
        scheduler.start()
        assert _wait(lambda: _finished(engine) == 1)
        net.silent.add("school")
        clock.advance(60, scheduler)
        assert _wait(lambda: _count_outages(engine) == 1 and _finished(engine) == 2, 5)
        for expected in (3, 4, 5):  # while the notifier retries, every due cycle runs at once
            clock.advance(60, scheduler)
            assert _wait(lambda n=expected: _finished(engine) >= n, 3), [
                (r.trigger, r.started_at, r.finished_at, r.result) for r in _runs(engine)]
        assert max(r.duration_s or 0 for r in _runs(engine)) < 0.8
    finally:
        started = time.monotonic()
        notifier.stop()  # must cut the back-off short: no retries leak into later tests
        assert time.monotonic() - started < 2.0


def _count_outages(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(list(session.scalars(select(Outage))))


def test_run_now_runs_one_manual_cycle_and_keeps_a_paused_job_paused(
        engine: Engine, settings: Settings, net: FakeNetwork, make_scheduler, clock: ManualClock) -> None:
    scheduler = make_scheduler(_settings(settings, spread=False), net, interval=60)
    scheduler.start()
    assert _wait(lambda: _finished(engine) == 1)
    scheduler.pause("status")
    scheduler.run_now("status")
    assert _wait(lambda: _finished(engine, "manual") == 1)
    clock.advance(120, scheduler)  # two intervals: the paused job stays paused
    assert not _wait(lambda: _finished(engine) > 1, 1.0)
    assert next(j for j in scheduler.jobs() if j.job_id == "status").paused
    with pytest.raises(LookupError):
        scheduler.run_now("nonexistent")


def test_a_cycle_records_its_plan_before_it_polls(engine: Engine, settings: Settings,
                                                  net: FakeNetwork) -> None:
    settings = _settings(settings, spread=False)
    executor = InProcessExecutor(settings, poll=net.poll)
    try:
        spec = specs_by_id(build_specs([], settings))["status"]
        summary = JobRunner(settings, engine, executor).run_cycle(spec, devices=["school"])
    finally:
        executor.close()
    [run] = _runs(engine)
    assert run.id == summary.job_run_id and run.devices_planned == 1 and run.devices_polled == 1
