"""The scheduler on a fake network: cycles, job runs, pause/resume, overrun, notifications off-path."""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Iterator

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


def _settings(settings: Settings, **notify: object) -> Settings:
    settings = dataclasses.replace(settings, monitor=dataclasses.replace(settings.monitor, icmp=False),
                                   traps=dataclasses.replace(settings.traps, enabled=False))
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


def test_status_job_runs_every_interval_and_records_runs(engine: Engine, settings: Settings, net: FakeNetwork,
                                                         make_scheduler) -> None:
    scheduler = make_scheduler(_settings(settings), net)
    scheduler.start()
    assert _wait(lambda: len([r for r in _runs(engine) if r.finished_at]) >= 3, 8)
    runs = [r for r in _runs(engine) if r.finished_at]
    assert all(r.devices_polled == 2 and r.devices_failed == 0 and r.result == "ok" for r in runs)
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(runs)]
    assert all(0.5 < g < 1.6 for g in gaps), gaps
    assert {j.job_id for j in scheduler.jobs()} >= {"status", "counters", "discovery", "ssh", "maintenance"}


def test_pause_from_another_process_stops_the_job_and_resume_restarts_it(
        engine: Engine, settings: Settings, net: FakeNetwork, make_scheduler) -> None:
    scheduler = make_scheduler(_settings(settings), net)
    scheduler.start()
    assert _wait(lambda: len(_runs(engine)) >= 1)
    with JobControl(engine) as control:
        control.pause("status")
        assert next(j for j in control.jobs() if j.job_id == "status").paused
    time.sleep(1.5)
    count = len(_runs(engine))
    time.sleep(2.0)
    assert len(_runs(engine)) == count
    with JobControl(engine) as control:
        control.resume("status")
    assert _wait(lambda: len(_runs(engine)) > count, 15)  # picked up by the heartbeat wake-up


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


def test_refusing_notification_target_does_not_delay_polling(engine: Engine, settings: Settings,
                                                             net: FakeNetwork, make_scheduler) -> None:
    settings = _settings(settings, urls=(refusing_url(),), retries=5)
    notifier = Notifier(engine, settings, backoff_s=2.0)  # ~60 s of retries in the background
    scheduler = make_scheduler(settings, net, notifier=notifier)
    try:
        scheduler.start()
        assert _wait(lambda: len(_runs(engine)) >= 1)
        net.silent.add("school")
        assert _wait(lambda: _count_outages(engine) == 1, 5)
        before = len(_runs(engine))
        time.sleep(3.2)
        runs = [r for r in _runs(engine) if r.finished_at][before - 1:]
        gaps = [(b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(runs)]
        assert len(gaps) >= 2 and max(gaps) < 1.6, gaps
        assert max(r.duration_s or 0 for r in runs) < 0.8
    finally:
        started = time.monotonic()
        notifier.stop()  # must cut the back-off short: no retries leak into later tests
        assert time.monotonic() - started < 2.0


def _count_outages(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(list(session.scalars(select(Outage))))


def test_run_now_runs_one_manual_cycle_and_keeps_a_paused_job_paused(
        engine: Engine, settings: Settings, net: FakeNetwork, make_scheduler) -> None:
    scheduler = make_scheduler(_settings(settings), net, interval=2)
    scheduler.start()
    assert _wait(lambda: len([r for r in _runs(engine) if r.finished_at]) >= 1)
    scheduler.pause("status")
    time.sleep(2.5)  # a running scheduled cycle ends; no new one starts
    scheduled = len([r for r in _runs(engine) if r.trigger == "schedule"])
    scheduler.run_now("status")
    assert _wait(lambda: any(r.trigger == "manual" and r.finished_at for r in _runs(engine)))
    time.sleep(2.5)
    assert len([r for r in _runs(engine) if r.trigger == "schedule"]) == scheduled
    assert next(j for j in scheduler.jobs() if j.job_id == "status").paused
    with pytest.raises(LookupError):
        scheduler.run_now("nonexistent")
