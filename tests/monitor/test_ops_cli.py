"""The ops commands: jobs list/pause/resume, outages and events as text and JSON, scheduler stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from cli import main
from cli.ops_cmds import parse_since
from inventory.db import session_scope
from inventory.models import Event, Outage
from netops.polling.executor import InProcessExecutor
from netops.polling.scheduler import Scheduler
from netops.settings import Settings
from tests.monitor.fakes import FakeNetwork

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _run(settings: Settings, *args: str) -> tuple[int, str]:
    env = {"NETOPS_DATA_DIR": str(settings.data_dir)}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_outages_and_events_as_json(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        session.add(
            Outage(
                root_cause_type="link",
                root_cause="a:x1--b:x2",
                started_at=T0,
                ended_at=T0 + timedelta(seconds=90),
                affected_sites=["SD 1"],
                affected_devices=["b"],
            )
        )
        session.add(
            Outage(
                root_cause_type="device",
                root_cause="dist",
                started_at=T0 + timedelta(hours=1),
                affected_sites=[],
                affected_devices=["dist"],
            )
        )
        session.add(
            Event(
                at=T0,
                element_type="link",
                element="a:x1--b:x2",
                old_state="up",
                new_state="down",
                evidence="b:x2 ifOperStatus=down",
            )
        )
    code, out = _run(settings, "outages", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["root_cause"] for r in rows] == [
        {"type": "device", "name": "dist"},
        {"type": "link", "name": "a:x1--b:x2"},
    ]
    assert rows[1]["duration_s"] == 90.0 and rows[1]["ended_at"] == "2026-05-01T08:01:30Z"
    assert set(rows[0]) == {
        "id",
        "root_cause",
        "affected_sites",
        "affected_devices",
        "degraded_sites",
        "cause",
        "evidence",
        "started_at",
        "ended_at",
        "duration_s",
        "flapping",
        "planned",
        "maintenance_id",
        "acknowledged_by",
        "acknowledged_at",
        "assignee",
        "notes",
    }
    code, out = _run(settings, "outages", "--active")
    assert code == 0 and "device dist" in out and "a:x1--b:x2" not in out
    code, out = _run(settings, "events", "--json")
    assert json.loads(out)[0]["evidence"] == "b:x2 ifOperStatus=down"
    code, out = _run(settings, "outages", "--since", "yesterday")
    assert code != 0 and "--since" in out


def test_jobs_pause_resume_and_list(engine: Engine, settings: Settings) -> None:
    code, out = _run(settings, "jobs", "pause", "status")
    assert code != 0 and "unknown job" in out
    executor = InProcessExecutor(settings, poll=FakeNetwork({}).poll)
    scheduler = Scheduler(settings, engine, executor=executor)
    scheduler.start()
    scheduler.shutdown(wait=True)  # the job store now holds the jobs
    assert _run(settings, "jobs", "pause", "counters") == (0, "counters: paused\n")
    code, out = _run(settings, "jobs", "list")
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "paused" in lines["counters"] and "paused" not in lines["status"]
    assert _run(settings, "jobs", "resume", "counters")[0] == 0
    code, out = _run(settings, "jobs", "list", "--json")
    assert not next(j for j in json.loads(out) if j["job"] == "counters")["paused"]


def test_since_accepts_spans_and_times() -> None:
    now = datetime(2026, 5, 2, tzinfo=UTC)
    assert parse_since("24h", now) == datetime(2026, 5, 1, tzinfo=UTC)
    assert parse_since("2026-05-01T08:00", now) == T0


@pytest.mark.timeout(60)
def test_scheduler_command_stops_cleanly_on_sigterm(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    env = {**os.environ, "NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_TRAPS__ENABLED": "false"}
    env.pop("NETOPS_DATABASE_URL", None)
    log = tmp_path / "out.log"
    netops = str(Path(sys.executable).with_name("netops"))
    proc = subprocess.Popen(
        [netops, "scheduler", "--status-interval", "2"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while "scheduler running" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "scheduler stopped" in log.read_text()
