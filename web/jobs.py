"""The jobs page's model: run history joined with the scheduler's live view, and its controls.

The web never runs a collector. "Run now", "pause" and "resume" go through a
``SchedulerControl`` the service hands to ``create_app`` (``netops run`` passes its running
scheduler). Without one (``netops serve`` alone) the page shows history and the actions
answer 503.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from web.views import JobRunView

KNOWN_JOBS = ("status", "counters", "discovery", "ssh")
ACTIONS = ("run", "pause", "resume")


class ScheduledJob(Protocol):
    """What the scheduler knows about one job (``netops.scheduler.JobInfo`` fits)."""

    @property
    def job_id(self) -> str: ...
    @property
    def next_run(self) -> datetime | None: ...
    @property
    def paused(self) -> bool: ...


class SchedulerControl(Protocol):
    """The running scheduler's controls (``netops.scheduler.Scheduler`` fits)."""

    def jobs(self) -> Sequence[ScheduledJob]: ...
    def run_now(self, job: str) -> None: ...
    def pause(self, job: str) -> None: ...
    def resume(self, job: str) -> None: ...


class UnknownJob(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class JobOverview:
    name: str
    next_run_at: datetime | None
    paused: bool | None  # None: no scheduler attached, state unknown
    last: JobRunView | None
    overruns: int


def overview(
    last_runs: Mapping[str, JobRunView], overruns: Mapping[str, int], control: SchedulerControl | None
) -> list[JobOverview]:
    scheduled = {job.job_id: job for job in control.jobs()} if control is not None else {}
    names = sorted(
        set(KNOWN_JOBS) | set(last_runs) | set(scheduled),
        key=lambda n: (KNOWN_JOBS.index(n) if n in KNOWN_JOBS else len(KNOWN_JOBS), n),
    )
    return [
        JobOverview(
            name=name,
            next_run_at=scheduled[name].next_run if name in scheduled else None,
            paused=scheduled[name].paused if name in scheduled else None,
            last=last_runs.get(name),
            overruns=overruns.get(name, 0),
        )
        for name in names
    ]


def act(control: SchedulerControl, job: str, action: str) -> None:
    """Apply ``action`` to ``job``; raises UnknownJob for a job the scheduler does not have."""
    if action not in ACTIONS or job not in {j.job_id for j in control.jobs()}:
        raise UnknownJob(job)
    {"run": control.run_now, "pause": control.pause, "resume": control.resume}[action](job)
