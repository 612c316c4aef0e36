"""Stopping the service while a spread-out cycle runs: prompt return, the job run marked aborted."""

from __future__ import annotations

import time

from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import JobRun
from netops.polling.executor import InProcessExecutor
from netops.polling.jobs import jitter_fraction
from netops.polling.service import MonitorService
from netops.settings import Settings
from tests.monitor.fakes import FakeNetwork
from tests.monitor.seed import seed
from tests.monitor.test_scheduler import _settings, _wait

HOUR = 3600
# "sd1594" starts within the first second of an hourly status cycle, "core" ~7 minutes in
DEVICES = [{"name": "core", "address": "127.0.0.2", "site": "Balai Kota", "role": "core"},
           {"name": "sd1594", "address": "127.0.0.3", "site": "SD 1"}]
LINKS = [("core", "sfp1", "sd1594", "sfp1")]


def _service(engine: Engine, settings: Settings, net: FakeNetwork, grace_s: float = 5.0) -> MonitorService:
    with session_scope(engine) as session:
        seed(session, DEVICES, LINKS)
    executor = InProcessExecutor(settings, poll=net.poll)
    service = MonitorService(settings, engine, overrides={"status": HOUR}, executor=executor, traps=False,
                             only=["status"])
    service.scheduler.runner.stop_grace_s = grace_s
    return service


def _status_runs(engine: Engine) -> list[JobRun]:
    with session_scope(engine) as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == "status").order_by(JobRun.id)))


def test_stop_during_a_spread_hourly_cycle_returns_promptly_and_marks_the_run_aborted(
        engine: Engine, settings: Settings) -> None:
    settings = _settings(settings)
    assert jitter_fraction("status", "sd1594") * HOUR * settings.polling.spread < 1.0
    assert jitter_fraction("status", "core") * HOUR * settings.polling.spread > 60.0
    net = FakeNetwork({"core": {"sfp1": "up"}, "sd1594": {"sfp1": "up"}})
    service = _service(engine, settings, net)
    service.start()
    try:
        assert _wait(lambda: any(device == "sd1594" for _, device in net.polls), 10)
        time.sleep(0.3)  # the cycle now waits ~7 minutes for its next device
        assert [r.result for r in _status_runs(engine)] == ["running"]
    finally:
        began = time.monotonic()
        service.stop()
        took = time.monotonic() - began
    assert took < 3.0, f"stop took {took:.1f} s"
    [run] = _status_runs(engine)
    assert run.result == "aborted" and run.finished_at is not None
    assert run.devices_polled == 1
    assert "stopped before 1 device(s) were polled" in (run.errors or "")
    assert [d for _, d in net.polls] == ["sd1594"]


def test_stop_with_a_poll_in_flight_waits_only_the_grace_and_cancels_it(
        engine: Engine, settings: Settings) -> None:
    settings = _settings(settings)
    net = FakeNetwork({"core": {"sfp1": "up"}, "sd1594": {"sfp1": "up"}}, delay_s=60.0)
    service = _service(engine, settings, net, grace_s=1.0)
    service.start()
    try:
        assert _wait(lambda: bool(_status_runs(engine)), 10)
        time.sleep(1.0)  # sd1594's poll is in flight (a minute long)
    finally:
        began = time.monotonic()
        service.stop()
        took = time.monotonic() - began
    assert 0.9 < took < 4.0, f"stop took {took:.1f} s"
    [run] = _status_runs(engine)
    assert run.result == "aborted" and run.finished_at is not None
    assert run.devices_polled == 0
    assert "still running" in (run.errors or "")


def test_a_stopped_scheduler_starts_no_new_cycle(engine: Engine, settings: Settings) -> None:
    settings = _settings(settings)
    net = FakeNetwork({"core": {"sfp1": "up"}, "sd1594": {"sfp1": "up"}})
    service = _service(engine, settings, net)
    service.start()
    assert _wait(lambda: bool(_status_runs(engine)), 10)
    service.stop()
    count = len(_status_runs(engine))
    assert service.scheduler.run_job("status") is None
    assert len(_status_runs(engine)) == count
