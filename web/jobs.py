"""The jobs page's model: run history joined with the scheduler's view, and its controls.

The web never runs a collector. "Run now", "pause" and "resume" go through a
``SchedulerControl`` the service hands to ``create_app`` (``netops run`` passes its running
``netops.polling.scheduler.Scheduler``). Without one (``netops serve`` alone) next runs and paused
flags come from the stored job table (``netops.monitor.queries.job_statuses``) and the
actions answer 503.

The page's rows (``job_rows``) say what an operator can do and what is going on: the last
*cycle* (a trap's confirming poll of one device is not the job's last run), the progress of a
cycle that spreads its polls over the interval ("21 of 50 devices, the other 29 within 14
min") instead of "running" for minutes, and only the buttons that apply (Pause or Resume).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from netops.monitor.queries import JobRunView, JobStatus

ACTIONS = ("run", "pause", "resume")


class ScheduledJob(Protocol):
    """What the scheduler knows about one job (``netops.polling.scheduler.JobInfo`` fits)."""

    @property
    def job_id(self) -> str: ...
    @property
    def interval_s(self) -> int | None: ...
    @property
    def next_run(self) -> datetime | None: ...
    @property
    def paused(self) -> bool: ...


class SchedulerControl(Protocol):
    """The running scheduler's controls (``netops.polling.scheduler.Scheduler`` fits)."""

    def jobs(self) -> Sequence[ScheduledJob]: ...
    def run_now(self, job_id: str) -> None: ...
    def pause(self, job_id: str) -> None: ...
    def resume(self, job_id: str) -> None: ...


class UnknownJob(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class JobOverview:
    name: str
    interval_s: int | None
    next_run_at: datetime | None
    paused: bool
    last: JobRunView | None
    overruns: int


def overview(
    stored: Sequence[JobStatus], overruns: Mapping[str, int], control: SchedulerControl | None
) -> list[JobOverview]:
    """Stored jobs and their last runs; a live scheduler's next run and pause state win."""
    live = {job.job_id: job for job in control.jobs()} if control is not None else {}
    rows = []
    for status in stored:
        job = live.get(status.job)
        rows.append(
            JobOverview(
                name=status.job,
                interval_s=status.interval_s or (job.interval_s if job else None),
                next_run_at=job.next_run if job else status.next_run,
                paused=job.paused if job else status.paused,
                last=status.last_run,
                overruns=overruns.get(status.job, 0),
            )
        )
    known = {row.name for row in rows}
    rows += [
        JobOverview(
            name=j.job_id,
            interval_s=j.interval_s,
            next_run_at=j.next_run,
            paused=j.paused,
            last=None,
            overruns=overruns.get(j.job_id, 0),
        )
        for j in live.values()
        if j.job_id not in known
    ]
    return sorted(rows, key=lambda r: r.name)


def act(control: SchedulerControl, job: str, action: str) -> None:
    """Apply ``action`` to ``job``; raises UnknownJob for a job the scheduler does not have."""
    if action not in ACTIONS or job not in {j.job_id for j in control.jobs()}:
        raise UnknownJob(job)
    {"run": control.run_now, "pause": control.pause, "resume": control.resume}[action](job)


MAX_SPREAD = 0.9  # as netops.polling.jobs.spread_of: starts stay in the first 90 % of the interval


def window_of(interval_s: int | None, spread: float) -> float | None:
    """How long a cycle takes to start all its devices: the interval times the spread."""
    if not interval_s:
        return None
    return interval_s * min(max(spread, 0.0), MAX_SPREAD)


@dataclass(frozen=True, slots=True)
class Progress:
    """A running cycle: ``done`` devices polled of ``total`` (None: not known yet); the others
    start within ``left_s`` seconds (None: no window known; 0: only the last polls are out)."""

    done: int
    total: int | None
    left_s: float | None

    @property
    def remaining(self) -> int | None:
        return max(0, self.total - self.done) if self.total is not None else None


def cycle_progress(
    run: JobRunView, done: int, planned: int | None, window_s: float | None, now: datetime
) -> Progress:
    """Where a running cycle stands, from its stored poll runs and the job's spread window."""
    left = None if window_s is None else max(0.0, window_s - (now - run.started_at).total_seconds())
    planned = run.devices_planned if run.devices_planned is not None else planned  # the cycle's own plan
    total = max(planned, done) if planned else None
    return Progress(done=done, total=total, left_s=left)


@dataclass(frozen=True, slots=True)
class JobRow:
    """One job on the jobs page: its overview, last cycle, progress, trap polls and buttons."""

    job: JobOverview
    last: JobRunView | None
    progress: Progress | None
    trap_polls: int

    @property
    def running(self) -> bool:
        return self.progress is not None

    @property
    def actions(self) -> tuple[str, ...]:
        """The buttons that apply: run now (not while a cycle runs), and pause or resume."""
        toggle = "resume" if self.job.paused else "pause"
        return (toggle,) if self.running else ("run", toggle)


def job_rows(
    jobs: Sequence[JobOverview],
    cycles: Mapping[str, JobRunView],
    done: Mapping[int, int],
    planned: Mapping[str, int],
    traps: Mapping[str, int],
    spread: float,
    now: datetime,
) -> list[JobRow]:
    """The page's rows: ``cycles`` the last cycle per job, ``done`` devices polled per running
    run, ``planned`` the size of each job's last finished cycle, ``traps`` trap polls per job."""
    rows = []
    for job in jobs:
        last = cycles.get(job.name)
        progress = None
        if last is not None and last.result == "running":
            window = window_of(job.interval_s, spread)
            progress = cycle_progress(last, done.get(last.id, 0), planned.get(job.name), window, now)
        rows.append(JobRow(job=job, last=last, progress=progress, trap_polls=traps.get(job.name, 0)))
    return rows
