"""A flapping fiber through the whole cycle path (fake network, fake clock): closed once stable.

The stable window is ``monitor.flap_window_s``: a flapping outage closes once its element has
not changed state for that long, with its end time at the last recovery.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import Outage
from netops.polling.cycle import JobRunner
from netops.polling.executor import InProcessExecutor
from netops.polling.jobs import JobSpec, build_specs, specs_by_id
from netops.settings import Settings
from tests.monitor.fakes import FakeNetwork
from tests.monitor.seed import seed
from tests.monitor.test_scheduler import DEVICES, LINKS, _settings

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclasses.dataclass
class Rig:
    runner: JobRunner
    net: FakeNetwork
    clock: FakeClock
    spec: JobSpec

    def cycle(self, after_s: float, link: str | None = None, far_silent: bool = False) -> None:
        self.clock.now += timedelta(seconds=after_s)
        if link is not None:
            self.net.ports["core"]["sfp1"] = self.net.ports["school"]["sfp1"] = link
            if far_silent and link == "down":  # the school's management traffic used the cut fiber
                self.net.silent.add("school")
            else:
                self.net.silent.discard("school")
        self.runner.run_cycle(self.spec, spread=False)


def _rig(engine: Engine, settings: Settings, flap_changes: int, flap_window_s: int) -> Iterator[Rig]:
    settings = _settings(settings)
    settings = dataclasses.replace(settings, monitor=dataclasses.replace(
        settings.monitor, flap_changes=flap_changes, flap_window_s=flap_window_s))
    with session_scope(engine) as session:
        seed(session, DEVICES, LINKS)
    net = FakeNetwork({"core": {"sfp1": "up"}, "school": {"sfp1": "up"}})
    executor = InProcessExecutor(settings, poll=net.poll)
    clock = FakeClock()
    runner = JobRunner(settings, engine, executor, overrides={"status": 60},
                       clock=clock)
    spec = specs_by_id(build_specs([], settings, {"status": 60}))["status"]
    try:
        yield Rig(runner, net, clock, spec)
    finally:
        executor.close()


def _outages(engine: Engine) -> list[Outage]:
    with session_scope(engine) as session:
        return list(session.scalars(select(Outage).order_by(Outage.id)))


@pytest.mark.parametrize("flaps", [3, 6])
@pytest.mark.parametrize("far_silent", [False, True])
def test_a_flapping_link_kept_up_closes_after_the_stable_window(engine: Engine, settings: Settings,
                                                                flaps: int, far_silent: bool) -> None:
    for rig in _rig(engine, settings, flap_changes=4, flap_window_s=300):
        rig.cycle(0)
        for _ in range(flaps):  # down and up again, one status cycle each, 30 s apart
            rig.cycle(30, "down", far_silent)
            rig.cycle(30, "up")
        recovered = rig.clock.now
        [flap] = [o for o in _outages(engine) if o.flapping]
        assert flap.ended_at is None
        assert len(_outages(engine)) <= 2
        for _ in range(4):  # stable, but for less than the 300 s window
            rig.cycle(60)
        assert _outages(engine)[-1].ended_at is None
        for _ in range(3):
            rig.cycle(60)
        rows = _outages(engine)
        assert all(o.ended_at is not None for o in rows), [(o.id, o.flapping, o.ended_at) for o in rows]
        closed = next(o for o in rows if o.id == flap.id)
        assert closed.ended_at == recovered
