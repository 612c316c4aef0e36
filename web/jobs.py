"""The jobs page's model: run history joined with the scheduler's view, and its controls.

The web never runs a collector. "Run now", "pause" and "resume" go through a
``SchedulerControl`` the service hands to ``create_app`` (``netops run`` passes its running
``netops.polling.scheduler.Scheduler``). Without one (``netops serve`` alone) next runs and paused
flags come from the stored job table (``netops.monitor.queries.job_statuses``) and the
actions answer 503.
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
                interval_s=status.interval_s,
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
            interval_s=None,
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
