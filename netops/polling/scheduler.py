"""The polling scheduler: APScheduler 3 jobs in the service database, run through the executor.

One persistent APScheduler job per ``JobSpec`` (``status``, ``counters``, ``discovery``, ``ssh``,
``status@120s`` for an override group) plus ``maintenance`` (retention and rollups, hourly),
stored by ``SQLAlchemyJobStore`` in the service database so pause/resume and next run times
survive restarts and can be changed by another process (``netops jobs pause``). Every job has
``max_instances=1`` (a cycle never overlaps itself; an overrun is recorded on the job run),
``coalesce=True`` and no misfire limit, so after downtime each missed job runs once. The
callable stored in the job store is the module-level ``run_scheduled(job_id)``, which finds
the running ``Scheduler`` of this process; one-off polls (traps, "run now" of a single device)
go to an in-memory store. The scheduler records nothing about devices itself: ``JobRunner``
hands the polls to the executor.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import Device, Interface
from netops.monitor.notifications import Notifier
from netops.polling.cycle import CycleSummary, JobRunner, load_device_intervals, mark_aborted_runs
from netops.polling.executor import Executor, make_executor
from netops.polling.jobs import MAINTENANCE_INTERVAL_S, MAINTENANCE_JOB, JobSpec, build_specs, specs_by_id
from netops.settings import Settings

log = logging.getLogger(__name__)
JOBSTORE_TABLE = "apscheduler_jobs"
HEARTBEAT_S = 10
TRAP_POLLS = 5
TRAP_REPOLL_S = 1.0
_ACTIVE: Scheduler | None = None
_ACTIVE_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class JobInfo:
    job_id: str
    interval_s: int | None
    next_run: datetime | None
    paused: bool


def run_scheduled(job_id: str) -> None:
    """The callable stored in the job store: run one cycle of ``job_id`` in this process."""
    scheduler = _ACTIVE
    if scheduler is None:
        log.warning("job %s fired but no scheduler is active in this process", job_id)
        return
    scheduler.run_job(job_id)


def run_manual(job_id: str) -> None:
    """A one-off cycle of ``job_id`` asked for by an operator."""
    scheduler = _ACTIVE
    if scheduler is not None:
        scheduler.run_job(job_id, trigger="manual")


def run_devices(names: list[str], trigger: str, confirm: list[tuple[str, int, str]]) -> None:
    """One-off status poll of some devices (traps); re-polls until ``confirm`` holds (max 3 times)."""
    scheduler = _ACTIVE
    if scheduler is not None:
        scheduler.poll_devices(names, trigger=trigger, confirm=confirm)


def monthly_report() -> None:
    """On the 1st: last month's availability report, kept in the data directory and sent."""
    scheduler = _ACTIVE
    if scheduler is not None:
        from netops.reports.monthly import run_monthly

        run_monthly(scheduler.engine, scheduler.settings, datetime.now(UTC))


def heartbeat() -> None:
    """Wakes the scheduler regularly so jobs resumed by another process start on time."""


def make_jobstore(engine: Engine) -> SQLAlchemyJobStore:
    return SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)


class Scheduler:
    """The service's scheduler: owns the APScheduler instance, the runner and the notifier."""

    def __init__(self, settings: Settings, engine: Engine, *, executor: Executor | None = None,
                 notifier: Notifier | None = None, overrides: Mapping[str, int] | None = None,
                 only: Sequence[str] | None = None, guard: Callable[[], bool] | None = None) -> None:
        self.settings = settings
        self._guard = guard  # two schedulers: a cycle starts only while this one still leads
        self.only = frozenset(only) if only is not None else None
        self.engine = engine
        self.executor = executor or make_executor(settings, engine)
        self.notifier = notifier if notifier is not None else Notifier(engine, settings)
        self.runner = JobRunner(settings, engine, self.executor, notifier=self.notifier, overrides=overrides)
        self.specs: dict[str, JobSpec] = {}
        self._aps = BackgroundScheduler(
            jobstores={"default": make_jobstore(engine), "memory": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=12)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )

    def start(self) -> None:
        global _ACTIVE
        with _ACTIVE_LOCK:
            if _ACTIVE is not None and _ACTIVE is not self:
                raise RuntimeError("another scheduler is already active in this process")
            _ACTIVE = self
        aborted = mark_aborted_runs(self.engine)
        if aborted:
            log.warning("marked %d job run(s) of a previous process as aborted", aborted)
        self.notifier.start()
        self._aps.start(paused=True)
        self.sync_jobs()
        self._aps.add_job(heartbeat, "interval", seconds=HEARTBEAT_S, id="heartbeat", jobstore="memory",
                          replace_existing=True)
        if self.settings.reports.monthly:
            self._aps.add_job(monthly_report, "cron", day=1, hour=6, timezone=self.settings.web.timezone,
                              id="monthly-report", jobstore="memory", replace_existing=True)
        self.runner.evaluate_only()
        self.notifier.enqueue_pending()
        self._aps.resume()

    def shutdown(self, wait: bool = True) -> None:
        """Stop promptly: running cycles return within the runner's stop grace (a few seconds),
        however long their spread-out interval, and record their job runs as ``aborted``."""
        global _ACTIVE
        self.runner.stop()
        if self._aps.running:
            self._aps.shutdown(wait=wait)
        self.notifier.stop()
        self.executor.close()
        with _ACTIVE_LOCK:
            if _ACTIVE is self:
                _ACTIVE = None

    def sync_jobs(self) -> None:
        """Make the stored jobs match the specs (keeps pause state and next run of unchanged jobs)."""
        with session_scope(self.engine) as session:
            specs = build_specs(load_device_intervals(session), self.settings, self.runner.overrides)
        self.specs = specs_by_id(specs)
        wanted = {spec.job_id: spec.interval_s for spec in specs
                  if self.only is None or spec.name in self.only}
        if self.only is None or MAINTENANCE_JOB in self.only:
            wanted[MAINTENANCE_JOB] = MAINTENANCE_INTERVAL_S
        for job in self._aps.get_jobs(jobstore="default"):
            if job.id not in wanted:
                job.remove()
        for job_id, interval in wanted.items():
            self._ensure_job(job_id, interval)

    def _ensure_job(self, job_id: str, interval: int) -> None:
        job = self._aps.get_job(job_id, jobstore="default")
        if job is not None and getattr(job.trigger, "interval_length", None) == interval:
            return
        paused = job is not None and job.next_run_time is None
        first = datetime.now(UTC) if job_id != MAINTENANCE_JOB else None
        self._aps.add_job(run_scheduled, "interval", seconds=interval, id=job_id, name=job_id, args=[job_id],
                          jobstore="default", replace_existing=True,
                          **({"next_run_time": first} if first else {}))
        if paused:
            self._aps.pause_job(job_id, jobstore="default")

    def run_job(self, job_id: str, trigger: str = "schedule") -> CycleSummary | None:
        """Run one cycle now in the calling thread (the scheduler's or a CLI's); None when stopping."""
        if self.runner.stopping:
            return None
        if self._guard is not None and not self._guard():
            log.warning("job %s not started: this scheduler no longer leads", job_id)
            return None
        if job_id == MAINTENANCE_JOB:
            self.run_maintenance()
            return None
        spec = self.specs.get(job_id)
        if spec is None:
            self.sync_jobs()
            spec = self.specs.get(job_id)
        if spec is None:
            raise KeyError(f"unknown job {job_id!r}")
        return self.runner.run_cycle(spec, trigger=trigger)

    def run_maintenance(self) -> None:
        from netops.monitor.retention import run_retention

        run_retention(self.engine, self.settings)
        self.sync_jobs()

    def run_now(self, job_id: str) -> None:
        """Start one cycle of ``job_id`` now in the background (the web's "run now").

        A paused job stays paused; the cycle is recorded with trigger ``manual``.
        """
        if self._aps.get_job(job_id, jobstore="default") is None:
            raise JobLookupError(job_id)
        self._aps.add_job(run_manual, "date", args=[job_id], jobstore="memory", misfire_grace_time=None)

    def pause(self, job_id: str) -> None:
        self._aps.pause_job(job_id, jobstore="default")

    def resume(self, job_id: str) -> None:
        self._aps.resume_job(job_id, jobstore="default")

    def jobs(self) -> list[JobInfo]:
        return [_info(job) for job in self._aps.get_jobs(jobstore="default")]

    def poll_now(self, names: Sequence[str], *, trigger: str = "trap",
                 confirm: Sequence[tuple[str, int, str]] = ()) -> None:
        """Queue an immediate status poll of ``names`` (returns at once)."""
        self._aps.add_job(run_devices, "date", args=[list(names), trigger, list(confirm)], jobstore="memory",
                          misfire_grace_time=None)

    def poll_devices(self, names: Sequence[str], *, trigger: str,
                     confirm: Sequence[tuple[str, int, str]] = ()) -> None:
        """Status poll now, repeated every second while the trap's news is not visible yet.

        Agents serve ifTable from a cache (net-snmp: ~3 s), so the first poll after a trap may
        still read the old state. With ``confirm`` (device, ifIndex, expected ifOperStatus) the
        poll repeats until the stored state agrees; without, until a poll changed some state;
        at most ``TRAP_POLLS`` polls either way.
        """
        spec = self.specs.get("status") or next(s for s in self.specs.values() if s.name == "status")
        if self.runner.stopping:
            return
        for attempt in range(1, TRAP_POLLS + 1):
            summary = self.runner.run_cycle(spec, trigger=trigger, devices=list(names), spread=False)
            seen = _confirmed(self.engine, confirm) if confirm else summary.events > 0
            if seen or attempt == TRAP_POLLS or self.runner.sleep(TRAP_REPOLL_S):
                return


def _confirmed(engine: Engine, confirm: Sequence[tuple[str, int, str]]) -> bool:
    with session_scope(engine) as session:
        for device, if_index, expected in confirm:
            query = (select(Interface.oper_status).join(Device, Interface.device_id == Device.id)
                     .where(Device.name == device, Interface.if_index == if_index))
            status = session.scalar(query)
            if status is not None and status != expected:
                return False
    return True


def _info(job: object) -> JobInfo:
    trigger = getattr(job, "trigger", None)
    interval = getattr(trigger, "interval_length", None)
    next_run = getattr(job, "next_run_time", None)
    return JobInfo(job_id=str(getattr(job, "id", "")), interval_s=int(interval) if interval else None,
                   next_run=next_run, paused=next_run is None)


class JobControl:
    """Pause, resume and inspect stored jobs from another process (the CLI) without running them."""

    def __init__(self, engine: Engine) -> None:
        self._aps = BackgroundScheduler(jobstores={"default": make_jobstore(engine)}, timezone=UTC)

    def __enter__(self) -> JobControl:
        self._aps.start(paused=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self._aps.shutdown(wait=False)

    def jobs(self) -> list[JobInfo]:
        return [_info(job) for job in self._aps.get_jobs()]

    def pause(self, job_id: str) -> None:
        try:
            self._aps.pause_job(job_id)
        except JobLookupError:
            raise KeyError(job_id) from None

    def resume(self, job_id: str) -> None:
        try:
            self._aps.resume_job(job_id)
        except JobLookupError:
            raise KeyError(job_id) from None
