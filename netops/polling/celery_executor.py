"""``CeleryExecutor``: poll tasks on ``netops worker`` processes, results through the database.

``submit`` splits the targets by poll group, sends each group's device names and kinds to the
group's queue (``send_task``; the job run id rides along so outcomes can be traced to their run)
and returns one future. The outcome collector (``netops.polling.outcome_collector``) takes the
workers' rows and hands each result on as it arrives. The future ends when every device is back,
or with ``NotPolled`` naming the devices that cannot be: a group whose queue has no live worker
is not sent at all ("no worker for group X"), a broker that refuses the message (and, for
``BROKER_AWAY_S`` after that, every message: ``netops.polling.broker_gate``) and a task not back
within ``executor.task_deadline_s`` name their devices too. Nothing waits longer than the
deadline; a publish waits at most a few socket timeouts (``netops.polling.celery_app``). ICMP
bursts are sent by the worker of each device's group, from inside its network
(``netops.polling.remote_icmp``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from collectors.observations import PollKind, PollResult
from collectors.targets import Target
from inventory.db import session_scope
from inventory.models import Device
from netops.polling.broker_gate import BrokerGate
from netops.polling.celery_app import DISCOVER_TASK, POLL_TASK, make_app, queue_name
from netops.polling.executor import CURRENT_JOB_RUN, NotPolled, ResultSink
from netops.polling.icmp import IcmpStats
from netops.polling.outcome_collector import OutcomeCollector
from netops.polling.outcomes import NOT_POLLED, live_workers
from netops.polling.remote_icmp import RemotePings
from netops.polling.result_codec import decode
from netops.settings import Settings

log = logging.getLogger(__name__)
LIVE_CACHE_S = 2.0  # the live workers' queues are read at most this often
TASK_DEVICES = 100  # devices per task: a big batch is shared among a group's workers


@dataclass
class _Task:
    task_id: str
    devices: dict[str, str]  # name -> group (for the messages)
    deadline: float
    request: _Request


@dataclass
class _Request:
    order: list[str]
    future: Future[list[PollResult]]
    on_result: ResultSink | None
    results: dict[str, PollResult] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    open_tasks: int = 0


class CeleryExecutor:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self._settings = settings
        self._engine = engine
        self.app = make_app(settings)
        self._lock = threading.Lock()
        self._tasks: dict[str, _Task] = {}
        self._live: tuple[float, set[str]] = (-1e9, set())
        self._gate = BrokerGate()
        self._collector = OutcomeCollector(engine)
        self._pings = RemotePings(settings, engine, self.app, self._live_queues, self._collector, self._gate)
        self._collector.add(self)

    # -- the Executor protocol
    def submit(self, targets: Sequence[Target], kinds: frozenset[PollKind],
               on_result: ResultSink | None = None) -> Future[list[PollResult]]:
        request = _Request([t.device_key for t in targets], Future(), on_result)
        kind_names = sorted(k.value for k in kinds)
        return self._send(request, POLL_TASK, self._groups(request.order),
                          lambda names, run_id: [names, kind_names, run_id])

    def submit_addresses(self, addresses: Sequence[str], lender: str, group: str | None,
                         kinds: frozenset[PollKind], on_result: ResultSink | None = None
                         ) -> Future[list[PollResult]]:
        """Poll addresses that are no device yet (scheduled discovery's new neighbors) on a worker
        of ``group``, with the SNMP credential and port of the known device ``lender``
        (``netops.polling.discovery_task``); results are keyed by address."""
        request = _Request(list(dict.fromkeys(addresses)), Future(), on_result)
        kind_names = sorted(k.value for k in kinds)
        return self._send(request, DISCOVER_TASK, dict.fromkeys(request.order, group),
                          lambda names, run_id: [names, lender, kind_names, run_id])

    def ping(self, addresses: Iterable[str]) -> Future[dict[str, IcmpStats | None]]:
        """Each group's worker pings its devices; a group with no live worker: unknown (None)."""
        return self._pings.ping(addresses)

    def close(self) -> None:
        self._collector.close()
        self._pings.close()
        with self._lock:
            tasks, self._tasks = list(self._tasks.values()), {}
        for task in tasks:
            task.request.missing.update({n: "the scheduler stopped" for n in task.devices
                                         if n not in task.request.results})
            task.request.open_tasks = 0
            self._end(task.request)

    # -- inside
    def _send(self, request: _Request, task: str, groups: dict[str, str | None],
              args: Callable[[list[str], int | None], list[object]]) -> Future[list[PollResult]]:
        """Send ``request``'s keys to their groups' queues as tasks of ``args(keys, run id)``."""
        future = request.future
        future.set_running_or_notify_cancel()
        live = self._live_queues()
        by_queue: dict[str, list[str]] = {}
        for name in request.order:
            group = groups.get(name)
            queue = queue_name(group, self._settings)
            if queue not in live:
                default = self._settings.executor.default_queue
                request.missing[name] = f"no worker for group {group or default}"
            else:
                by_queue.setdefault(queue, []).append(name)
        run_id = CURRENT_JOB_RUN.get()
        deadline = time.monotonic() + self._settings.executor.task_deadline_s
        sent: list[_Task] = []
        chunks = [(queue, names[i:i + TASK_DEVICES]) for queue, names in by_queue.items()
                  for i in range(0, len(names), TASK_DEVICES)]
        for queue, names in chunks:
            task_id = f"r{run_id or 0}-{uuid.uuid4().hex}"
            away = self._gate.away()
            if away is not None:  # one failed publish per BROKER_AWAY_S, not one per task
                request.missing.update({n: away for n in names})
                continue
            try:
                self.app.send_task(task, args=args(names, run_id), task_id=task_id, queue=queue, retry=True)
            except Exception as exc:  # broker away: these devices are not polled this time
                log.warning("could not send poll task to %s: %s", queue, exc)
                request.missing.update(dict.fromkeys(names, self._gate.failed(exc)))
                continue
            sent.append(_Task(task_id, {n: groups.get(n) or "" for n in names}, deadline, request))
        request.open_tasks = len(sent)
        with self._lock:
            self._tasks.update({t.task_id: t for t in sent})
        if not sent:
            self._end(request)
        self._collector.wake()
        return future

    def _groups(self, names: Sequence[str]) -> dict[str, str | None]:
        with session_scope(self._engine) as session:
            rows = session.execute(select(Device.name, Device.poll_group).where(Device.name.in_(list(names))))
            return {r.name: r.poll_group for r in rows}

    def _live_queues(self) -> set[str]:
        at, queues = self._live
        if time.monotonic() - at > LIVE_CACHE_S:
            workers = live_workers(self._engine, self._settings.executor.worker_seen_s)
            queues = {q for qs in workers.values() for q in qs}
            self._live = (time.monotonic(), queues)
        return queues

    # -- the outcome collector's side (``netops.polling.outcome_collector.Watcher``)
    def pending(self) -> list[str]:
        with self._lock:
            return list(self._tasks)

    def arrived(self, task_id: str, device: str, payload: str) -> None:
        with self._lock:
            task = self._tasks.get(task_id)
        if task is None or device not in task.devices:
            return
        request = task.request
        if device in request.results or device in request.missing:
            return
        if payload.startswith("{\"" + NOT_POLLED):
            request.missing[device] = json.loads(payload)[NOT_POLLED]
        else:
            result = decode(payload)
            request.results[device] = result
            if request.on_result is not None:
                try:
                    request.on_result(result)
                except Exception:
                    log.exception("result handler failed")
        if all(n in request.results or n in request.missing for n in task.devices):
            self._task_done(task)

    def expire(self, now: float) -> None:
        with self._lock:
            late = [t for t in self._tasks.values() if now >= t.deadline]
        for task in late:
            deadline = self._settings.executor.task_deadline_s
            for name, group in task.devices.items():
                if name not in task.request.results and name not in task.request.missing:
                    task.request.missing[name] = (f"no result within {deadline:g} s from group "
                                                  f"{group or self._settings.executor.default_queue}")
            self._task_done(task)

    def _task_done(self, task: _Task) -> None:
        with self._lock:
            if self._tasks.pop(task.task_id, None) is None:
                return
            task.request.open_tasks -= 1
            last = task.request.open_tasks == 0
        if last:
            self._end(task.request)

    @staticmethod
    def _end(request: _Request) -> None:
        if request.future.done():
            return
        if request.missing:
            request.future.set_exception(NotPolled(request.missing))
        else:
            request.future.set_result([request.results[n] for n in request.order if n in request.results])
