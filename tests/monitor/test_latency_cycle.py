"""The status cycle keeps each device's ICMP burst, and a burst never holds back other batches.

A fake poll function answers SNMP at once. In the first test ICMP is real (every device is a
loopback address, so each burst goes out and comes back) and a spread cycle must store one burst
per device with its poll. In the second the core's burst is held back by the test: the batches
after it must be recorded meanwhile (batches are collected as their polls and bursts come back,
not one after the other), and the core's once its burst is back.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from collectors.observations import PollKind, PollResult
from collectors.targets import Target
from inventory.db import session_scope
from inventory.models import Device, DeviceState, LatencySample
from netops.polling.cycle import CycleSummary, JobRunner
from netops.polling.executor import InProcessExecutor
from netops.polling.icmp import IcmpStats
from netops.polling.jobs import PlannedPoll, build_specs, specs_by_id
from netops.polling.targets import build_targets
from netops.settings import Settings
from tests.monitor.fakes import FakeNetwork
from tests.monitor.seed import seed

LEAVES = 11
DEVICES = [{"name": "core", "address": "127.0.4.1", "site": "Balai Kota", "role": "core"}] + [
    {"name": f"sd{i}", "address": f"127.0.4.{i + 2}", "site": f"SD {i}"} for i in range(LEAVES)]
LINKS = [("core", f"sfp{i}", f"sd{i}", "sfp1") for i in range(LEAVES)]


def test_a_spread_cycle_stores_every_burst_and_overlaps_them(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        seed(session, DEVICES, LINKS)
    settings = dataclasses.replace(settings, monitor=dataclasses.replace(
        settings.monitor, icmp=True, icmp_count=5, icmp_interval_s=0.2, icmp_timeout_s=1.0))
    ports = {f"sd{i}": {"sfp1": "up"} for i in range(LEAVES)}
    ports["core"] = {f"sfp{i}": "up" for i in range(LEAVES)}
    net = FakeNetwork(ports)
    executor = InProcessExecutor(settings, poll=net.poll)
    runner = JobRunner(settings, engine, executor, overrides={"status": 4}, bucket_s=0.2)
    spec = specs_by_id(build_specs([], settings, {"status": 4}))["status"]
    try:
        started = time.monotonic()
        summary = runner.run_cycle(spec)
        took = time.monotonic() - started
    finally:
        executor.close()
    assert summary.devices_polled == len(DEVICES) and not summary.errors
    with session_scope(engine) as session:
        rows = session.execute(select(Device.name, LatencySample.sent, LatencySample.received)
                               .join(Device, Device.id == LatencySample.device_id)).all()
        states = set(session.scalars(select(DeviceState.state)))
    assert sorted(name for name, _, _ in rows) == sorted(d["name"] for d in DEVICES)
    assert {(sent, received) for _, sent, received in rows} == {(5, 5)}
    assert states == {"up"}
    assert took < spec.window_s + 0.8 + 3.0, f"{took:.1f} s"


class GatedPings:
    """An executor whose ICMP bursts for ``gated`` addresses finish only when the test says so."""

    def __init__(self, inner: InProcessExecutor, gated: str) -> None:
        self.inner, self.gated, self.gate = inner, gated, threading.Event()

    def submit(self, targets: Sequence[Target], kinds: frozenset[PollKind],
               on_result: Callable[[PollResult], None] | None = None) -> Future[list[PollResult]]:
        return self.inner.submit(targets, kinds, on_result)

    def ping(self, addresses: Iterable[str]) -> Future[dict[str, IcmpStats | None]]:
        wanted, future = list(addresses), Future[dict[str, IcmpStats | None]]()

        def finish() -> None:
            if self.gated in wanted:
                self.gate.wait(10)
            future.set_result({a: IcmpStats(5, 5, 1.0, 1.5, 2.0) for a in wanted})

        threading.Thread(target=finish, daemon=True).start()
        return future

    def close(self) -> None:
        self.inner.close()


def test_a_slow_burst_does_not_hold_back_the_next_batches(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        seed(session, DEVICES[:3], LINKS[:2])
        targets = {t.device_key: t for t in build_targets(session, settings)}
    net = FakeNetwork({"core": {"sfp0": "up", "sfp1": "up"}, "sd0": {"sfp1": "up"}, "sd1": {"sfp1": "up"}})
    executor = GatedPings(InProcessExecutor(settings, poll=net.poll), gated=DEVICES[0]["address"])
    runner = JobRunner(settings, engine, executor, bucket_s=0.2)
    spec = specs_by_id(build_specs([], settings))["status"]
    plan = [PlannedPoll("core", 0.0), PlannedPoll("sd0", 0.3), PlannedPoll("sd1", 0.6)]
    summary = CycleSummary(job_run_id=runner._start_run(spec, "manual", datetime.now(UTC)), job="status")
    cycle = threading.Thread(target=runner._execute, args=(spec, plan, targets, time.monotonic(), summary))
    cycle.start()
    try:
        assert _wait(lambda: _sampled(engine) == {"sd0", "sd1"}, 3.0), (
            f"recorded {_sampled(engine)} while the core's burst was still out")
    finally:
        executor.gate.set()
        cycle.join(10)
        executor.close()
    assert _sampled(engine) == {"core", "sd0", "sd1"}


def _sampled(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        query = select(Device.name).join(LatencySample, LatencySample.device_id == Device.id)
        return set(session.scalars(query))


def _wait(probe: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.05)
    return False
