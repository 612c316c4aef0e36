"""SIGKILL the real ``netops scheduler`` process mid-cycle and start it again on the testbed.

Open outages stay open (same row, no duplicate), events are neither lost nor doubled, the job
run the kill interrupted is marked aborted, jobs continue on schedule, and the recovery after
the restart closes the original outage and is notified once.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import Event, JobRun, Outage
from netops.settings import Settings
from tests.integration.monitor_helpers import seed_testbed, wait_for
from tests.integration.test_monitor_outages import _describe
from tests.integration.testbed import Testbed
from tests.monitor.webhook import WebhookReceiver

pytestmark = [pytest.mark.testbed, pytest.mark.timing]
LINK = "acc-smpn1:sfp1--dist-utara:sfp1"
NETOPS = str(Path(sys.executable).with_name("netops"))


def _start(settings: Settings, hook: WebhookReceiver, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_TRAPS__ENABLED": "false",
           "NETOPS_SNMP__TIMEOUT_S": "1", "NETOPS_SNMP__RETRIES": "1",
           "NETOPS_NOTIFICATIONS__URLS": hook.url, "NETOPS_NOTIFICATIONS__RETRIES": "1"}
    env.pop("NETOPS_CONFIG", None)
    env.pop("NETOPS_DATABASE_URL", None)
    return subprocess.Popen([NETOPS, "scheduler", "--status-interval", "3"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _open(engine: Engine) -> list[tuple[int, str]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(Outage).where(Outage.ended_at.is_(None), Outage.root_cause == LINK))
        return [(o.id, o.root_cause) for o in rows]


def _runs(engine: Engine, result: str | None = None) -> list[JobRun]:
    with session_scope(engine) as session:
        query = select(JobRun).where(JobRun.job == "status").order_by(JobRun.id)
        if result:
            query = query.where(JobRun.result == result)
        return list(session.scalars(query))


def _link_events(engine: Engine) -> list[tuple[str | None, str]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(Event).where(Event.element == LINK).order_by(Event.id))
        return [(e.old_state, e.new_state) for e in rows]


@pytest.fixture
def proc_log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "scheduler.log"
    yield path
    if path.exists():
        sys.stderr.write(path.read_text(errors="replace")[-3000:])


def test_sigkill_mid_cycle_keeps_outages_events_and_schedule(testbed: Testbed, settings: Settings,
                                                             engine: Engine, proc_log: Path) -> None:
    seed_testbed(engine, testbed.inventory)
    with WebhookReceiver() as hook:
        proc = _start(settings, hook, proc_log)
        try:
            assert wait_for(lambda: len(_runs(engine, "ok")) >= 1, 40), "scheduler never completed a cycle"
            testbed.fail_link("dist-utara", "acc-smpn1")
            try:
                before = wait_for(lambda: _open(engine), 15)
                assert before and [c for _, c in before] == [LINK]
                assert wait_for(lambda: _runs(engine, "running"), 10, step_s=0.02)
                proc.send_signal(signal.SIGKILL)  # in the middle of a status cycle
                proc.wait(10)
                killed_at_runs = len(_runs(engine))
                assert _open(engine) == before
                proc = _start(settings, hook, proc_log)
                assert wait_for(lambda: len(_runs(engine, "ok")) >= killed_at_runs, 30)
                time.sleep(4)
                # the same outage row, still open, no duplicate
                assert _open(engine) == before, _describe(engine)
                assert _runs(engine, "aborted"), "the interrupted run is not marked aborted"
                # On schedule after the restart: the next run starts within an interval (and some
                # slack) of the previous one, or of its end when it overran (a loaded machine: the
                # scheduler skips the slots a running cycle still holds).
                # (after the aborted run comes the restart, bounded by the wait above)
                runs = _runs(engine)[-4:]
                late = [((b.started_at - a.started_at).total_seconds(), a.duration_s or 0.0)
                        for a, b in itertools.pairwise(runs) if a.result != "aborted"]
                assert late and all(gap < 3 + 2.5 + (took if took > 3 else 0.0) for gap, took in late), late
            finally:
                testbed.restore_link("dist-utara", "acc-smpn1")
            assert wait_for(lambda: not _open(engine), 20)
            # The outage closes as soon as the cut is no longer confirmed; the link's own up event
            # follows when both ends read up (net-snmp caches ifTable ~3 s, so that can be a poll later).
            assert wait_for(lambda: _link_events(engine)[-2:] == [("up", "down"), ("down", "up")], 15), \
                _link_events(engine)
            assert _link_events(engine).count(("up", "down")) == 1
            assert wait_for(lambda: len(hook.messages) >= 2, 15)
            time.sleep(1)
            mine = [m["title"].split(":")[0] for m in hook.messages if "acc-smpn1:sfp1" in m["title"]]
            assert mine == ["OUTAGE", "RECOVERED"]
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
    with session_scope(engine) as session:
        assert len(list(session.scalars(select(Outage).where(Outage.root_cause == LINK)))) == 1
