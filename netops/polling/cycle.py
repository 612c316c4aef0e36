"""One cycle of one job: plan, hand polls to the executor, apply the results, record the run.

``JobRunner`` holds what every cycle needs (settings, engine, executor, notifier, the monitor
and one lock that serialises its evaluations in this process). A cycle writes a ``JobRun`` row
first (so a crash leaves a visible ``running`` row that the next start marks ``aborted``),
submits the devices in buckets at their jittered offsets, and applies results as they come
back (``netops.apply``: persist, link sync, assess, record), in one transaction per tick: a
fiber cut is detected when the device behind it is polled, not at the end of the cycle, and a
slow device holds no other back. A status batch sends an ICMP burst to every device beside
SNMP (round trip and loss, and whether a silent device still pings); its results are applied
with their burst, which is over within two seconds.

The evidence of a status batch settles before it is recorded. A device silent on the first try
is polled again with the devices between it and the core, and a device answering again after a
failure together with the devices its outage cut off; the answers are held until that
confirmation round is back (at most ``monitor.hold_s``). So a dead distribution switch is seen
together with the schools behind it (one outage, not one per school that later merges) and a
recovery never blames a school for silence that the dead switch caused. The run ends with
counts, errors and ``overrun`` when the cycle took longer than its interval. Notifications are
only queued here; sending is elsewhere.
"""

from __future__ import annotations

import logging
import queue
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
from netops.polling.executor import CURRENT_JOB_RUN, Executor, NotPolled, burst_settings
from netops.polling.icmp import IcmpStats
from netops.polling.jobs import DeviceIntervals, JobSpec, PlannedPoll, plan_cycle
from netops.settings import Settings

log = logging.getLogger(__name__)
SNMP_JOBS = frozenset({"status", "counters", "discovery"})
MAX_ERRORS_KEPT = 20
STOP_GRACE_S = 5.0  # after a stop request, in-flight polls get this long to return their results
STOP_CHECK_S = 0.25  # a running cycle looks at the stop flag at least this often


Pings = Mapping[str, IcmpStats | None]  # by address: a batch's ICMP burst


@dataclass
class _Batch:
    """Polls in flight. Results arrive one by one (``arrived``, filled on the executor's thread)
    and are taken as they come, so one slow device never holds the others back; they wait only
    for the batch's ICMP burst (``waiting``). A confirmation round carries the first round's
    answers it must be recorded with (``held``)."""

    pings: Future[dict[str, IcmpStats | None]] | None
    retry: bool
    arrived: queue.SimpleQueue[PollResult] = field(default_factory=queue.SimpleQueue)
    got: list[PollResult] = field(default_factory=list)
    waiting: list[PollResult] = field(default_factory=list)
    held: list[PollResult] = field(default_factory=list)
    held_pings: Pings = field(default_factory=dict)
    hold_until: float = 0.0
    pings_until: float = 0.0  # past this, a burst that has not finished is given up (ICMP unknown)

    def take(self) -> list[PollResult]:
        out = []
        while True:
            try:
                out.append(self.arrived.get_nowait())
            except queue.Empty:
                return out

    def pings_ready(self, now: float) -> bool:
        return self.pings is None or self.pings.done() or now >= self.pings_until

    def burst(self) -> Pings:
        """The burst's answers (empty while it runs, when there is none, or when it failed)."""
        return _answers(self.pings, 0.0) if self.pings is not None and self.pings.done() else {}


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
    not_polled: dict[str, str] = field(default_factory=dict)  # device -> why (no worker, no result in time)


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
        token = CURRENT_JOB_RUN.set(run_id)  # a distributed executor tags its tasks with the run
        try:
            plan, targets = self._plan(spec, devices, spread)
            self._record_plan(run_id, len(plan))
            self._execute(spec, plan, targets, clock, summary)
            if spec.name == "discovery" and devices is None and not summary.stopped:
                self._follow_new(summary)
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
        finally:
            CURRENT_JOB_RUN.reset(token)
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

    def _record_plan(self, run_id: int, devices: int) -> None:
        """How many devices this cycle polls, so the jobs page can say "21 of 50"."""
        with session_scope(self.engine) as session:
            session.execute(update(JobRun).where(JobRun.id == run_id).values(devices_planned=devices))

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
            # in slices, so a stop request is noticed and results are taken while polls are in flight
            wait(_waitables(pending), timeout=min(timeout, STOP_CHECK_S), return_when=FIRST_COMPLETED)
            self._collect(spec, pending, targets, summary)

    def _collect(self, spec: JobSpec, pending: dict[Future[list[PollResult]], _Batch],
                 targets: Mapping[str, Target], summary: CycleSummary) -> None:
        """Take every result that arrived and apply it now (with its burst), or after its
        confirmation round."""
        now = time.monotonic()
        answered: list[PollResult] = []
        silent: list[str] = []
        pings: dict[str, IcmpStats | None] = {}
        for future, batch in list(pending.items()):
            done = future.done()  # before taking: a finished task has handed on every result
            fresh = batch.take()
            if batch.retry:
                batch.got += fresh
                self._collect_confirmation(spec, future, batch, done, now, pending, targets, summary)
                continue
            batch.waiting += fresh
            if not batch.pings_ready(now):
                continue  # the burst is still out (under two seconds): its results wait for it
            if done:
                del pending[future]
                self._finish(future, summary)
            ready, batch.waiting = batch.waiting, []
            pings.update(batch.burst())
            if spec.name != STATUS_JOB:
                answered += ready
                continue
            answered += [r for r in ready if r.answered]
            silent += [r.device_key for r in ready if not r.answered]
        self._confirm_or_process(spec, answered, silent, pings, pending, targets, summary)

    def _collect_confirmation(self, spec: JobSpec, future: Future[list[PollResult]], batch: _Batch,
                              done: bool, now: float, pending: dict[Future[list[PollResult]], _Batch],
                              targets: Mapping[str, Target], summary: CycleSummary) -> None:
        if done and batch.pings_ready(now):  # back: record it with what it held
            del pending[future]
            self._finish(future, summary)
            retried = {r.device_key for r in batch.got}
            held = [r for r in batch.held if r.device_key not in retried]
            self._process(spec, held + batch.got, targets, {**batch.held_pings, **batch.burst()}, summary)
        elif batch.held and now >= batch.hold_until:  # slower than monitor.hold_s: the answers go alone
            held, held_pings = batch.held, batch.held_pings
            batch.held, batch.held_pings = [], {}
            self._process(spec, held, targets, held_pings, summary)

    def _confirm_or_process(self, spec: JobSpec, answered: list[PollResult], silent: list[str], pings: Pings,
                            pending: dict[Future[list[PollResult]], _Batch], targets: Mapping[str, Target],
                            summary: CycleSummary) -> None:
        if spec.name == STATUS_JOB and (silent or answered):
            confirm = confirmation(self.monitor.last, silent, answered)
            again = [targets[n] for n in sorted(confirm) if n in targets]
            if again and not self._stop.is_set():  # down only if silent on a second try, upstream seen too
                self._submit(spec, again, pending, retry=True, held=answered, held_pings=pings)
                return
        self._process(spec, answered, targets, pings, summary)

    def _finish(self, future: Future[list[PollResult]], summary: CycleSummary) -> None:
        """A batch ended: its results came one by one; only an error of the task is left to note,
        or the devices it could not poll (recorded as not polled: their state stays as it was)."""
        error = future.exception() if not future.cancelled() else None
        if isinstance(error, NotPolled):
            fresh = {n: why for n, why in error.devices.items() if n not in summary.not_polled}
            summary.not_polled.update(fresh)
            if fresh:
                summary.errors.insert(0, str(NotPolled(fresh)))
            return
        _results_of(future, summary)

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
            waitables = _waitables(pending) or list(pending)
            wait(waitables, timeout=min(left, STOP_CHECK_S), return_when=FIRST_COMPLETED)
            self._collect(spec, pending, targets, summary)
        if pending:
            summary.errors.append(f"stopped while {len(pending)} poll batch(es) were still running")
            for future in pending:
                future.cancel()  # cancels the poll task on the executor's loop

    def _submit(self, spec: JobSpec, batch: list[Target], pending: dict[Future[list[PollResult]], _Batch], *,
                retry: bool, held: list[PollResult] | None = None, held_pings: Pings | None = None) -> None:
        # the ICMP burst runs beside SNMP, so round trips, loss and a silent device's ping are
        # ready with the polls
        use_icmp = self.settings.monitor.icmp and spec.name == STATUS_JOB
        pings = self.executor.ping([t.host for t in batch]) if use_icmp else None
        now = time.monotonic()
        entry = _Batch(pings, retry, held=list(held or ()), held_pings=dict(held_pings or {}),
                       hold_until=now + self.settings.monitor.hold_s, pings_until=now + self._ping_wait_s)
        pending[self.executor.submit(batch, spec.kinds, on_result=entry.arrived.put)] = entry

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
        summary.devices_failed += sum(1 for r in results if not r.answered)
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

    def apply_locked(self, apply: Callable[[Session, Monitor], Evaluation]) -> Evaluation:
        """Run ``apply`` in one transaction, serialised with the cycles' evaluations; notify."""
        with self._monitor_lock, session_scope(self.engine) as session:
            evaluation = apply(session, self.monitor)
        self._notify(evaluation)
        return evaluation

    def _follow_new(self, summary: CycleSummary) -> None:
        """A discovery cycle also adds new neighbors of known devices (``discovery.follow_new``)."""
        from netops.polling.discovery_follow import follow_new

        try:
            followed = follow_new(self.settings, self.engine, self.executor, self.apply_locked)
        except Exception as exc:
            log.exception("following new neighbors failed")
            summary.errors.append(f"following new neighbors: {exc}")
            return
        summary.events += followed.events
        summary.errors += followed.errors

    def evaluate_only(self) -> Evaluation:
        """Re-evaluate on stored state (after a restart, or to close flapping outages)."""
        return self.record([], {}, "monitor", None)

    def _notify(self, evaluation: Evaluation) -> None:
        if self.notifier is None:
            return
        for outage_id in (*evaluation.outages.opened, *evaluation.outages.unplanned):
            self.notifier.enqueue(outage_id, "open")  # a planned one is marked notified: nothing is sent
        for outage_id in evaluation.outages.flapping:
            self.notifier.enqueue(outage_id, "flapping")
        for outage_id in evaluation.outages.closed:
            self.notifier.enqueue(outage_id, "close")


def _result(summary: CycleSummary) -> str:
    if summary.stopped:
        return "aborted"
    if summary.devices_polled and summary.devices_failed == summary.devices_polled:
        return "failed"
    return "ok" if not summary.devices_failed and not summary.not_polled else "partial"


def _buckets(plan: list[PlannedPoll], bucket_s: float) -> list[tuple[float, list[str]]]:
    buckets: dict[int, list[str]] = {}
    for poll in plan:
        buckets.setdefault(int(poll.offset_s // bucket_s), []).append(poll.device)
    return [(index * bucket_s, names) for index, names in sorted(buckets.items())]


def _results_of(future: Future[list[PollResult]], summary: CycleSummary) -> list[PollResult]:
    try:
        return list(future.result())
    except Exception as exc:  # the poll task must return results, but never trust that blindly
        log.exception("poll task failed")
        summary.errors.append(f"poll task failed: {exc}")
        return []


def _waitables(pending: Mapping[Future[list[PollResult]], _Batch]) -> list[Future[Any]]:
    """What a cycle waits on: polls still running, and the bursts still out."""
    out: list[Future[Any]] = [f for f in pending if not f.done()]
    out += [b.pings for b in pending.values() if b.pings is not None and not b.pings.done()]
    return out


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
