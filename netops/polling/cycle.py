"""One cycle of one job: plan, hand polls to the executor, persist, evaluate the monitor, record the run.

``JobRunner`` holds what every cycle needs (settings, engine, executor, notifier, one lock that
serialises monitor evaluations in this process). A cycle writes a ``JobRun`` row first (so a
crash leaves a visible ``running`` row that the next start marks ``aborted``), submits the
devices in buckets at their jittered offsets, and as each bucket's results come back persists
them (``netops.store.persist.persist``) with the status poll's ICMP burst to every device (sent
beside SNMP: round trip and loss, and whether a silent device still pings), runs one monitor
evaluation and commits: a fiber cut is detected when the device behind it is polled, not at
the end of the cycle. It finishes the row with counts, errors and ``overrun`` when the cycle
took longer than its interval. Notifications are only queued here; sending is elsewhere.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from collectors.observations import PollResult
from collectors.targets import Target
from inventory.db import session_scope
from inventory.models import Device, JobRun, utcnow
from netops.apply import STATUS_JOB, apply_results, probes_of
from netops.monitor.monitor import Evaluation, Monitor, Probe
from netops.monitor.notifications import Notifier
from netops.polling.confirm import confirmation
from netops.polling.executor import Executor, burst_settings
from netops.polling.icmp import IcmpStats
from netops.polling.jobs import DeviceIntervals, JobSpec, PlannedPoll, plan_cycle
from netops.settings import Settings

log = logging.getLogger(__name__)
SNMP_JOBS = frozenset({"status", "counters", "discovery"})
MAX_ERRORS_KEPT = 20
STOP_GRACE_S = 5.0  # after a stop request, in-flight polls get this long to return their results
STOP_CHECK_S = 0.25  # a running cycle looks at the stop flag at least this often


Pings = Mapping[str, IcmpStats | None]  # by address: the batch's ICMP burst


@dataclass(frozen=True, slots=True)
class _Held:
    results: list[PollResult]
    pings: Pings
    until: float


@dataclass
class _Batch:
    """Polls in flight; a confirmation round carries the first round's answered results."""

    pings: Future[dict[str, IcmpStats | None]] | None
    retry: bool
    held: list[PollResult] = field(default_factory=list)
    held_pings: Pings = field(default_factory=dict)
    hold_until: float = 0.0
    pings_until: float = 0.0  # past this, a burst that has not finished is given up (ICMP unknown)

    def pings_ready(self, now: float) -> bool:
        return self.pings is None or self.pings.done() or now >= self.pings_until

    def pings_left(self) -> float:
        """How long collecting may still wait for the burst (none once it is ready)."""
        return min(STOP_GRACE_S, max(0.0, self.pings_until - time.monotonic()))


@dataclass
class CycleSummary:
    job_run_id: int
    job: str
    devices_polled: int = 0
    devices_failed: int = 0
    duration_s: float = 0.0
    overrun: bool = False
    errors: list[str] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    events: int = 0
    stopped: bool = False


def load_device_intervals(session: Session) -> list[DeviceIntervals]:
    rows = session.scalars(select(Device).where(Device.enabled.is_(True)).order_by(Device.name))
    return [DeviceIntervals(name=d.name, poll_group=d.poll_group, status_interval_s=d.status_interval_s,
                            counters_interval_s=d.counters_interval_s,
                            discovery_interval_s=d.discovery_interval_s, ssh_interval_s=d.ssh_interval_s)
            for d in rows]


class JobRunner:
    """Runs cycles of job specs; safe to call from several scheduler threads at once."""

    def __init__(self, settings: Settings, engine: Engine, executor: Executor, *,
                 notifier: Notifier | None = None, overrides: Mapping[str, int] | None = None,
                 bucket_s: float = 1.0, stop_grace_s: float = STOP_GRACE_S,
                 clock: Callable[[], datetime] = utcnow, monitor: Monitor | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.executor = executor
        self.notifier = notifier
        self.overrides = dict(overrides or {})
        self.monitor = monitor or Monitor(settings)
        self._monitor_lock = threading.Lock()
        self._bucket_s = bucket_s
        self._stop = threading.Event()
        self.stop_grace_s = stop_grace_s
        self._now = clock  # wall clock of evaluations and events (a fake one in unit tests)

    def stop(self) -> None:
        """Service shutdown: running cycles skip the devices not started yet and return promptly.

        A cycle notices the flag within ``STOP_CHECK_S``, waits at most ``stop_grace_s`` for
        polls in flight (each is bounded by its own timeouts anyway), cancels the rest and
        finishes its job run as ``aborted``. Cycles started after this return at once.
        """
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def sleep(self, seconds: float) -> bool:
        """Sleep unless stopped; True when a stop was requested."""
        return self._stop.wait(seconds)

    def run_cycle(self, spec: JobSpec, *, trigger: str = "schedule", devices: Sequence[str] | None = None,
                  spread: bool = True) -> CycleSummary:
        """Poll the spec's devices (or just ``devices``), persist, evaluate; return what happened."""
        started = utcnow()
        clock = time.monotonic()
        run_id = self._start_run(spec, trigger, started)
        summary = CycleSummary(job_run_id=run_id, job=spec.job_id)
        try:
            plan, targets = self._plan(spec, devices, spread)
            self._execute(spec, plan, targets, clock, summary)
            if spec.name in SNMP_JOBS and summary.devices_polled and not summary.stopped:
                self.evaluate_only()  # time-based transitions (flapping, settling) once per cycle
            result = _result(summary)
        except Exception as exc:
            if self._stop.is_set():  # e.g. the executor closed under a cycle that was stopping
                summary.stopped = True
                result = "aborted"
            else:
                log.exception("job %s failed", spec.job_id)
                result = "error"
            summary.errors.append(f"internal error: {exc}")
        summary.duration_s = time.monotonic() - clock
        summary.overrun = summary.duration_s > spec.interval_s and trigger == "schedule"
        self._finish_run(summary, started, result)
        return summary

    def _start_run(self, spec: JobSpec, trigger: str, started: datetime) -> int:
        with session_scope(self.engine) as session:
            row = JobRun(job=spec.job_id, started_at=started, trigger=trigger, result="running",
                         devices_polled=0, devices_failed=0, overrun=False)
            session.add(row)
            session.flush()
            return row.id

    def _finish_run(self, summary: CycleSummary, started: datetime, result: str) -> None:
        errors = "\n".join(summary.errors[:MAX_ERRORS_KEPT]) or None
        with session_scope(self.engine) as session:
            session.execute(update(JobRun).where(JobRun.id == summary.job_run_id).values(
                finished_at=utcnow(), duration_s=summary.duration_s, devices_polled=summary.devices_polled,
                devices_failed=summary.devices_failed, overrun=summary.overrun, result=result, errors=errors))
        if summary.overrun:
            log.warning("job %s overran its interval: %.1f s", summary.job, summary.duration_s)

    def _plan(self, spec: JobSpec, devices: Sequence[str] | None,
              spread: bool) -> tuple[list[PlannedPoll], dict[str, Target]]:
        from netops.polling.targets import build_targets

        with session_scope(self.engine) as session:
            if devices is not None:
                plan = [PlannedPoll(name, 0.0) for name in devices]
            else:
                plan = plan_cycle(spec, load_device_intervals(session), self.settings, self.overrides)
            targets = {t.device_key: t for t in build_targets(session, self.settings)}
        if not spread:
            plan = [PlannedPoll(p.device, 0.0) for p in plan]
        return [p for p in plan if p.device in targets], targets

    def _execute(self, spec: JobSpec, plan: list[PlannedPoll], targets: Mapping[str, Target], clock: float,
                 summary: CycleSummary) -> None:
        buckets = _buckets(plan, self._bucket_s)
        pending: dict[Future[list[PollResult]], _Batch] = {}
        while buckets or pending:
            if self._stop.is_set():
                self._abandon(spec, buckets, pending, targets, summary)
                return
            now = time.monotonic() - clock
            while buckets and buckets[0][0] <= now:
                _, names = buckets.pop(0)
                self._submit(spec, [targets[n] for n in names], pending, retry=False)
            timeout = max(0.0, buckets[0][0] - now) if buckets else STOP_CHECK_S
            if not pending:
                self._stop.wait(timeout)  # a stop request wakes this at once
                continue
            # in slices, so a stop request is noticed while polls are in flight; a batch is
            # collected once its SNMP polls and its ICMP burst are both back, so the cycle goes on
            # submitting and collecting other batches meanwhile
            wait(_waitables(pending), timeout=min(timeout, STOP_CHECK_S), return_when=FIRST_COMPLETED)
            now_s = time.monotonic()
            for future in [f for f, b in pending.items() if f.done() and b.pings_ready(now_s)]:
                self._collect(spec, future, pending, targets, summary)
            self._release_expired_holds(spec, pending, targets, summary)

    def _collect(self, spec: JobSpec, future: Future[list[PollResult]],
                 pending: dict[Future[list[PollResult]], _Batch], targets: Mapping[str, Target],
                 summary: CycleSummary) -> None:
        batch = pending.pop(future)
        results = _results_of(future, summary)
        answers = dict(_answers(batch.pings, batch.pings_left()))
        if spec.name == STATUS_JOB and not batch.retry:
            answered = [r for r in results if r.reachable]  # stopping: no second try, so no verdict
            silent = [r.device_key for r in results if not r.reachable]
            confirm = confirmation(self.monitor.last, silent, answered) if silent or answered else set()
            again = [targets[n] for n in sorted(confirm) if n in targets]
            if again and not self._stop.is_set():  # down only if silent on a second try, upstream seen too
                self._submit(spec, again, pending, retry=True,
                             held=_Held(answered, answers, time.monotonic() + self.settings.monitor.hold_s))
                return
            results = answered
        elif batch.held:  # the confirmation round is back: the first round's answers go with it
            retried = {r.device_key for r in results}
            results = [r for r in batch.held if r.device_key not in retried] + results
            answers = {**batch.held_pings, **answers}
        self._process(spec, results, targets, answers, summary)

    def _release_expired_holds(self, spec: JobSpec, pending: dict[Future[list[PollResult]], _Batch],
                               targets: Mapping[str, Target], summary: CycleSummary) -> None:
        """A confirmation round slower than ``monitor.hold_s`` no longer holds the answers back."""
        now = time.monotonic()
        for batch in pending.values():
            if batch.held and now >= batch.hold_until:
                held, pings = batch.held, batch.held_pings
                batch.held, batch.held_pings = [], {}
                self._process(spec, held, targets, pings, summary)

    def _abandon(self, spec: JobSpec, buckets: list[tuple[float, list[str]]],
                 pending: dict[Future[list[PollResult]], _Batch], targets: Mapping[str, Target],
                 summary: CycleSummary) -> None:
        """Stopping: skip devices not started, give polls in flight a short grace, cancel the rest."""
        summary.stopped = True
        skipped = sum(len(names) for _, names in buckets)
        if skipped:
            summary.errors.append(f"stopped before {skipped} device(s) were polled")
        deadline = time.monotonic() + self.stop_grace_s
        while pending and (left := deadline - time.monotonic()) > 0:
            done, _ = wait(list(pending), timeout=left, return_when=FIRST_COMPLETED)
            for future in done:
                self._collect(spec, future, pending, targets, summary)
        if pending:
            summary.errors.append(f"stopped while {len(pending)} poll batch(es) were still running")
            for future in pending:
                future.cancel()  # cancels the poll task on the executor's loop

    def _submit(self, spec: JobSpec, batch: list[Target], pending: dict[Future[list[PollResult]], _Batch], *,
                retry: bool, held: _Held | None = None) -> None:
        # ICMP runs beside SNMP, so a silent device's ping answer is ready with its timeout
        use_icmp = self.settings.monitor.icmp and spec.name == STATUS_JOB
        pings = self.executor.ping([t.host for t in batch]) if use_icmp else None
        entry = _Batch(pings, retry, pings_until=time.monotonic() + self._ping_wait_s)
        if held is not None:
            entry.held, entry.held_pings, entry.hold_until = held.results, held.pings, held.until
        pending[self.executor.submit(batch, spec.kinds)] = entry

    @property
    def _ping_wait_s(self) -> float:
        """How long after its submission a batch waits for its burst: the burst's longest, and a grace."""
        return burst_settings(self.settings).duration_s + STOP_GRACE_S

    def _process(self, spec: JobSpec, results: list[PollResult], targets: Mapping[str, Target],
                 answers: Pings, summary: CycleSummary) -> None:
        if not results:
            return
        bursts = {r.device_key: answers.get(targets[r.device_key].host)
                  for r in results if r.device_key in targets}
        icmp = {name: None if stats is None else stats.answered for name, stats in bursts.items()}
        latency = {name: stats for name, stats in bursts.items() if stats is not None}
        summary.devices_polled += len(results)
        summary.devices_failed += sum(1 for r in results if not r.reachable)
        summary.errors.extend(f"{r.device_key}: {e.kind}: {e.message}" for r in results for e in r.errors)
        source = f"{spec.name} poll (job run {summary.job_run_id})"
        probes = probes_of(results, icmp, source) if spec.name == STATUS_JOB else {}
        evaluation = self.record(results, probes, spec.name, summary.job_run_id, latency)
        summary.opened += evaluation.outages.opened
        summary.closed += evaluation.outages.closed
        summary.events += len(evaluation.events)

    def record(self, results: Sequence[PollResult], probes: Mapping[str, Probe], job: str,
               job_run_id: int | None, latency: Mapping[str, IcmpStats] | None = None) -> Evaluation:
        """Apply results and their ICMP bursts (``netops.apply``) in one transaction; queue notifications."""
        with self._monitor_lock, session_scope(self.engine) as session:
            applied = apply_results(session, self.monitor, results, job=job, now=self._now(), probes=probes,
                                    job_run_id=job_run_id, latency=latency)
        self._notify(applied.evaluation)
        return applied.evaluation

    def evaluate_only(self) -> Evaluation:
        """Re-evaluate on stored state (after a restart, or to close flapping outages)."""
        return self.record([], {}, "monitor", None)

    def _notify(self, evaluation: Evaluation) -> None:
        if self.notifier is None:
            return
        for outage_id in evaluation.outages.opened:
            self.notifier.enqueue(outage_id, "open")
        for outage_id in evaluation.outages.flapping:
            self.notifier.enqueue(outage_id, "flapping")
        for outage_id in evaluation.outages.closed:
            self.notifier.enqueue(outage_id, "close")


def _result(summary: CycleSummary) -> str:
    if summary.stopped:
        return "aborted"
    if summary.devices_polled and summary.devices_failed == summary.devices_polled:
        return "failed"
    return "ok" if not summary.devices_failed else "partial"


def _buckets(plan: list[PlannedPoll], bucket_s: float) -> list[tuple[float, list[str]]]:
    buckets: dict[int, list[str]] = {}
    for poll in plan:
        buckets.setdefault(int(poll.offset_s // bucket_s), []).append(poll.device)
    return [(index * bucket_s, names) for index, names in sorted(buckets.items())]


def _waitables(pending: Mapping[Future[list[PollResult]], _Batch]) -> list[Future[Any]]:
    """What a cycle waits on: polls still running, and the bursts of batches whose polls are back."""
    out: list[Future[Any]] = [f for f in pending if not f.done()]
    out += [b.pings for b in pending.values() if b.pings is not None and not b.pings.done()]
    return out


def _results_of(future: Future[list[PollResult]], summary: CycleSummary) -> list[PollResult]:
    try:
        return list(future.result())
    except Exception as exc:  # the poll task must return results, but never trust that blindly
        log.exception("poll task failed")
        summary.errors.append(f"poll task failed: {exc}")
        return []


def _answers(pings: Future[dict[str, IcmpStats | None]] | None, wait_s: float) -> Pings:
    if pings is None:
        return {}
    try:
        return pings.result(timeout=wait_s)
    except Exception:  # no ICMP answer is "unknown", never "down"
        log.warning("ICMP echo failed", exc_info=True)
        return {}


def mark_aborted_runs(engine: Engine) -> int:
    """Job runs left ``running`` by a process that died are marked ``aborted`` at start-up."""
    with session_scope(engine) as session:
        outcome = session.execute(update(JobRun).where(JobRun.result == "running").values(result="aborted"))
        return int(getattr(outcome, "rowcount", 0) or 0)
