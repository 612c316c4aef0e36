"""Two schedulers on one PostgreSQL database: exactly one leads (the lease row), the other takes
over within 15 s of the leader's SIGKILL, and the status job goes on without a double run;
a follower's traps reach the leader through the database."""

from __future__ import annotations

import signal
import time
from dataclasses import replace
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from inventory.db import make_engine, session_scope
from inventory.models import Device, ForwardedTrap, JobRun, SchedulerLease
from netops.polling.ha import LeadingService
from netops.polling.leader import Lease, leadership
from netops.polling.traps import Trap
from netops.settings import Settings
from simulator.inventory import write_inventory
from simulator.network import generate
from tests.integration.scale_helpers import install, stop_group, until

pytestmark = pytest.mark.timing  # a takeover within 15 s: run alone, not beside the parallel part

INTERVAL = 5


def holder(engine: Engine) -> str | None:
    lead = leadership(engine)
    return lead.holder if lead is not None and lead.live else None


def status_starts(engine: Engine) -> list[datetime]:
    with session_scope(engine) as session:
        return list(session.scalars(select(JobRun.started_at).where(JobRun.job == "status",
                                                                    JobRun.trigger == "schedule")
                                    .order_by(JobRun.started_at)))


@pytest.mark.postgres
@pytest.mark.timeout(150)
def test_the_follower_takes_over_within_15_s_of_the_leaders_sigkill(tmp_path: Path, pg_url: str,
                                                                     cleanup: list) -> None:
    inventory = write_inventory(generate(1), tmp_path / "inventory.yaml", 9, declare_links=False)
    inst = install(tmp_path, pg_url, inventory)
    engine = make_engine(pg_url)
    cleanup.append(engine.dispose)
    with session_scope(engine) as session:  # no device polled: the jobs still run, on time, cheaply
        session.execute(update(Device).values(enabled=False))
    args = ("scheduler", "--no-traps", "--status-interval", str(INTERVAL))
    env = {"NETOPS_EXECUTOR__KIND": "inprocess"}
    first = inst.start(*args, log=tmp_path / "a.log", extra_env={**env, "NETOPS_INSTANCE": "sched-a"})
    cleanup.append(lambda: stop_group(first, signal.SIGKILL))
    until(lambda: (holder(engine) or "").startswith("sched-a:"), 60, "the first scheduler leads")
    second = inst.start(*args, log=tmp_path / "b.log", extra_env={**env, "NETOPS_INSTANCE": "sched-b"})
    cleanup.append(lambda: stop_group(second))
    until(lambda: b"following" in (tmp_path / "b.log").read_bytes(), 60, "the second scheduler follows")
    until(lambda: len(status_starts(engine)) >= 1, 30, "a status cycle")
    assert (holder(engine) or "").startswith("sched-a:")  # the follower did not take over meanwhile
    stop_group(first, signal.SIGKILL)
    killed = time.monotonic()
    last_before = status_starts(engine)[-1]
    until(lambda: (holder(engine) or "").startswith("sched-b:"), 20, "the second scheduler leads", every=0.05)
    takeover = time.monotonic() - killed
    until(lambda: len([s for s in status_starts(engine) if s > last_before]) >= 2, 40,
          "two status cycles under the new leader")
    starts = status_starts(engine)
    after = [s for s in starts if s > last_before]
    gaps = [(b - a).total_seconds() for a, b in pairwise(starts)]
    print(f"\ntakeover {takeover:.1f} s after SIGKILL; status starts every {gaps} s")
    assert takeover < 15
    with session_scope(engine) as session:  # never two at once: two leaders would run one slot together
        done = session.execute(select(JobRun.started_at, JobRun.finished_at).where(
            JobRun.job == "status", JobRun.result != "aborted").order_by(JobRun.started_at)).all()
    assert all(b.started_at >= a.finished_at for a, b in pairwise(done)), done
    span = (starts[-1] - starts[0]).total_seconds()
    assert len(starts) <= span / INTERVAL + 2  # a missed slot runs once at take-over, then on schedule
    assert (after[0] - last_before).total_seconds() <= takeover + INTERVAL + 3  # at most one interval lost
    with session_scope(engine) as session:
        aborted = session.scalars(select(JobRun.result).where(JobRun.started_at <= last_before)).all()
    assert "running" not in aborted  # the dead leader's cycles were closed by the new leader
    stop_group(second)
    assert b"scheduler stopped" in (tmp_path / "b.log").read_bytes()
    with session_scope(engine) as session:
        assert session.get(SchedulerLease, "scheduler").expires_at == 0.0  # released on a clean stop


def test_the_lease_is_taken_only_when_it_lapsed(engine: Engine, settings: Settings) -> None:
    now = [1000.0]
    a = Lease(engine, settings, holder="elsewhere-a:1:x", clock=lambda: now[0])
    b = Lease(engine, settings, holder="elsewhere-b:2:y", clock=lambda: now[0])
    assert a.hold() and not b.hold()
    now[0] += settings.leader.lease_s - 0.5
    assert not b.hold() and a.hold()  # renewed in time: still a's
    now[0] += settings.leader.lease_s + 0.5
    assert b.hold() and not a.hold()  # a stopped renewing: b leads, a knows it does not
    b.release()
    assert a.hold()


def test_a_followers_trap_is_handled_by_the_leader(engine: Engine, settings: Settings) -> None:
    settings = replace(settings, leader=replace(settings.leader, lease_s=4, renew_s=1),
                       monitor=replace(settings.monitor, icmp=False))
    with session_scope(engine) as session:
        session.add(Device(name="sw1", address="127.0.0.1", enabled=True))
    leader = LeadingService(settings, engine, traps=False, only=("status",))
    follower = LeadingService(settings, engine, traps=False, only=("status",))
    leader.start()
    try:
        assert leader.wait_leading(30)
        follower.start()
        assert not follower.wait_leading(10) and not follower.leading
        follower.on_trap(Trap("sw1", "127.0.0.1", "linkDown", 3))

        def trap_polls() -> list[str]:
            with session_scope(engine) as session:
                return list(session.scalars(select(JobRun.trigger).where(JobRun.trigger == "trap")))
        until(trap_polls, 20, "the leader polled the device the follower's trap named")
        with session_scope(engine) as session:
            assert session.scalars(select(ForwardedTrap)).all() == []  # taken from the queue
    finally:
        follower.stop()
        leader.stop()
