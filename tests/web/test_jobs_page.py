"""The jobs page: progress of a cycle that spreads its polls, buttons that follow the state,
trap-triggered confirming polls apart from the cycles, times to the second, one job's history."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, JobRun, PollRun
from tests.web.conftest import FakeScheduler, csrf_from
from web.jobs import JobOverview, cycle_progress, job_rows, window_of

Client = Callable[[str | None], FlaskClient]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _row(html: str, job: str) -> str:
    return html.split(f'<tr data-job="{job}"', 1)[1].split("</tr>", 1)[0]


def _running_cycle(session: Session, polled: int, started_s_ago: float) -> JobRun:
    """A status cycle running for ``started_s_ago`` seconds whose first ``polled`` devices are in."""
    now = datetime.now(UTC)
    run = JobRun(job="status", started_at=now - timedelta(seconds=started_s_ago), trigger="schedule",
                 result="running", devices_polled=0, devices_failed=0)
    session.add(run)
    session.flush()
    for device in session.scalars(select(Device).order_by(Device.name).limit(polled)):
        session.add(PollRun(job_run_id=run.id, device_id=device.id, job="status", transport="snmp",
                            started_at=now, duration_s=0.1, ok=True, completed="interfaces"))
    return run


def _trap_polls(session: Session, n: int) -> None:
    now = datetime.now(UTC)
    for i in range(n):
        session.add(JobRun(job="status", started_at=now - timedelta(seconds=5 + i), finished_at=now,
                           duration_s=0.4, devices_polled=1, devices_failed=0, trigger="trap", result="ok"))


def test_a_running_cycle_shows_its_progress(client_as: Client, session: Session) -> None:
    _running_cycle(session, polled=2, started_s_ago=20)
    session.commit()
    html = client_as("engineer").get("/jobs").get_data(as_text=True)
    row = _row(html, "status")
    assert 'data-running="yes"' in row and "running" in _text(row)
    # 60 s interval, spread 0.5: every device starts within 30 s; the last cycle polled 5
    assert re.search(r"2 of 5 devices, the other 3 within (9|10|11) seconds", _text(row)), _text(row)
    assert "– s" not in row
    history = html.split('id="history"', 1)[1]
    assert re.search(r"2 of 5 devices, the other 3 within", _text(history))


def test_progress_after_the_window_and_without_a_previous_cycle() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    from netops.monitor.queries import JobRunView

    run = JobRunView(1, "counters", now - timedelta(minutes=4), None, None, 0, 0, False, "schedule",
                     "running", None)
    late = cycle_progress(run, done=48, planned=50, window_s=150.0, now=now)
    assert (late.done, late.total, late.remaining, late.left_s) == (48, 50, 2, 0.0)
    first = cycle_progress(run, done=7, planned=None, window_s=None, now=now)
    assert first.total is None and first.remaining is None and first.left_s is None
    more = cycle_progress(run, done=60, planned=50, window_s=900.0, now=now)
    assert more.total == 60 and more.remaining == 0 and more.left_s == 660.0  # never "of 50" below done
    assert window_of(900, 0.5) == 450.0 and window_of(100, 5.0) == 90.0 and window_of(None, 0.5) is None


def test_buttons_follow_the_state(client_as: Client, session: Session, scheduler: FakeScheduler) -> None:
    scheduler._jobs = [replace(j, paused=j.job_id == "counters") for j in scheduler._jobs]
    _running_cycle(session, polled=1, started_s_ago=5)
    session.commit()
    html = client_as("engineer").get("/jobs").get_data(as_text=True)

    def buttons(job: str) -> list[str]:
        return re.findall(r'data-action="(\w+)"', _row(html, job))

    assert buttons("counters") == ["run", "resume"]  # paused: Resume, not Pause
    assert buttons("discovery") == ["run", "pause"]
    assert buttons("status") == ["pause"]  # a cycle is running: no second Run now
    assert "paused" in _text(_row(html, "counters"))
    client = client_as("engineer")
    token = csrf_from(client.get("/jobs").get_data(as_text=True))
    done = client.post("/jobs/counters/resume", data={"csrf_token": token}, follow_redirects=True)
    assert "Job counters resumed." in done.get_data(as_text=True)
    assert scheduler.calls == [("resume", "counters")]


def test_trap_polls_are_apart_from_the_cycles(client_as: Client, session: Session) -> None:
    _trap_polls(session, 12)
    session.commit()
    client = client_as("engineer")
    html = client.get("/jobs").get_data(as_text=True)
    assert "Trap polls (24 h)" in html and 'href="/jobs?job=status&amp;runs=traps#history">12</a>' in html
    history = html.split('id="history"', 1)[1]
    assert re.findall(r'data-trigger="(\w+)"', history) == ["schedule"]  # the cycle, not 12 traps
    row = _row(html, "status")
    assert "3.2 s" in row  # the last cycle, not the last trap poll's 0.4 s
    traps = client.get("/jobs?runs=traps").get_data(as_text=True).split('id="history"', 1)[1]
    assert re.findall(r'data-trigger="(\w+)"', traps) == ["trap"] * 12
    every = client.get("/jobs?runs=all").get_data(as_text=True).split('id="history"', 1)[1]
    assert len(re.findall(r'data-trigger="', every)) == 13


def test_one_jobs_history_has_a_heading_and_a_way_back(client_as: Client) -> None:
    client = client_as("engineer")
    html = client.get("/jobs?job=status").get_data(as_text=True)
    assert "Run history of status" in html
    assert 'href="/jobs#history" class="clear">Clear filter: all jobs</a>' in html
    runs = html.split('id="history"', 1)[1]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", runs)  # times to the second
    assert "Run history of" not in client.get("/jobs").get_data(as_text=True)
    assert "None." in client.get("/jobs?job=counters").get_data(as_text=True)
    indonesian = client.get("/jobs?job=status", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Riwayat jalan status" in indonesian and "Hapus filter: semua job" in indonesian


def test_job_rows_logic() -> None:
    from netops.monitor.queries import JobRunView

    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    jobs = [JobOverview("status", 60, now, False, None, 0), JobOverview("ssh", None, None, True, None, 0)]
    running = JobRunView(7, "status", now - timedelta(seconds=10), None, None, 0, 0, False, "schedule",
                         "running", None)
    rows = job_rows(jobs, {"status": running}, {7: 3}, {"status": 9}, {"status": 4}, 0.5, now)
    assert rows[0].running and rows[0].actions == ("pause",) and rows[0].trap_polls == 4
    assert rows[0].progress is not None and (rows[0].progress.done, rows[0].progress.total) == (3, 9)
    assert rows[0].progress.left_s == 20.0
    assert not rows[1].running and rows[1].actions == ("run", "resume") and rows[1].last is None


def test_the_dashboard_lists_cycles_not_trap_polls(client_as: Client, session: Session) -> None:
    _trap_polls(session, 12)
    session.commit()
    html = client_as("engineer").get("/").get_data(as_text=True)
    cycles = html.split("Last poll cycles", 1)[1]
    assert "3.2 s" in cycles and "0.4 s" not in cycles


def test_run_history_is_paged(client_as: Client, session: Session) -> None:
    now = datetime.now(UTC)
    for i in range(30):
        started = now - timedelta(minutes=5 * (i + 1))
        session.add(JobRun(job="counters", started_at=started, finished_at=now, duration_s=1.0,
                           devices_polled=5, devices_failed=0, trigger="schedule", result="ok"))
    session.commit()
    client = client_as("engineer")
    first = client.get("/jobs").get_data(as_text=True).split('id="history"', 1)[1]
    assert len(re.findall(r"<tr data-run=", first)) == 25 and "Page 1 of 2" in first
    assert 'href="/jobs?page=2#history"' in first
    second = client.get("/jobs?page=2").get_data(as_text=True).split('id="history"', 1)[1]
    assert len(re.findall(r"<tr data-run=", second)) == 6  # 31 cycles: the seed's and these 30


def test_a_running_cycle_counts_against_its_own_plan(client_as: Client, session: Session) -> None:
    """The cycle records how many devices it plans (three here: a group of the network), and the
    page counts against that, not against the last cycle's size."""
    run = _running_cycle(session, polled=2, started_s_ago=20)
    run.devices_planned = 3
    session.commit()
    row = _row(client_as("engineer").get("/jobs").get_data(as_text=True), "status")
    assert re.search(r"2 of 3 devices, the other 1 within", _text(row)), _text(row)
