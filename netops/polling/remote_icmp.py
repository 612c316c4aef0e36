"""ICMP bursts sent by the workers, from inside the network of the group they serve.

With the Celery executor the scheduler's host may not reach a city's devices at all (the poller
sits behind the city's router), so a burst sent from there would read 100 % loss for every
school. ``RemotePings.ping(addresses)`` finds each address's device and poll group and sends the
addresses (and the burst's shape, and the job run id; nothing else) to the group's queue as a
ping task. The worker serving the group sends the burst from where it is and writes each
address's ``IcmpStats`` as a ``poll_outcomes`` row of the task, the way poll results come back.
The future resolves when every address is back, or ``PING_GRACE_S`` after the burst's longest
time with None (unknown) for the rest; an address whose group has no live worker, or that is
no device's address, is None at once. Unknown is never "down": the state comes from SNMP alone.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from celery import Celery
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import Device
from netops.polling.broker_gate import BrokerGate
from netops.polling.celery_app import queue_name
from netops.polling.executor import CURRENT_JOB_RUN, burst_settings
from netops.polling.icmp import BurstSettings, IcmpStats
from netops.polling.outcome_collector import OutcomeCollector
from netops.polling.result_codec import decode_icmp
from netops.settings import Settings

log = logging.getLogger(__name__)
PING_TASK = "netops.ping"
PING_GRACE_S = 2.0  # delivery, the worker's look-up and the rows' way back, beyond the burst itself
BOUNDS = {"count": (1, 100), "interval_s": (0.01, 10.0), "timeout_s": (0.05, 10.0)}  # as [monitor]
Pings = dict[str, IcmpStats | None]


def shape_of(how: BurstSettings) -> list[float]:
    """The burst's shape as it travels in a ping task."""
    return [how.count, how.interval_s, how.timeout_s]


def burst_of(shape: Sequence[float] | None, default: BurstSettings) -> BurstSettings:
    """The burst a ping task asks for, held to the bounds ``[monitor]`` accepts (a task from the
    broker is not trusted to ask for a flood)."""
    if not shape or len(shape) != 3:
        return default

    def held(key: str, value: float) -> float:
        low, high = BOUNDS[key]
        return min(max(float(value), low), high)

    count, interval, timeout = shape
    return BurstSettings(int(held("count", count)), held("interval_s", interval), held("timeout_s", timeout))


@dataclass
class _Request:
    future: Future[Pings]
    answers: Pings
    deadline: float
    waiting: dict[str, set[str]] = field(default_factory=dict)  # task id -> addresses not back yet


class RemotePings:
    """The scheduler's side: ping tasks out to the groups' queues, their rows in from the database."""

    def __init__(self, settings: Settings, engine: Engine, app: Celery,
                 live_queues: Callable[[], set[str]], collector: OutcomeCollector | None = None,
                 gate: BrokerGate | None = None) -> None:
        self._settings = settings
        self._engine = engine
        self._app = app
        self._live_queues = live_queues
        self._lock = threading.Lock()
        self._tasks: dict[str, _Request] = {}
        self._own_collector = collector is None  # alone (tests): its own collector, closed with it
        self._collector = collector or OutcomeCollector(engine, "netops-celery-pings")
        self._gate = gate or BrokerGate()
        self._collector.add(self)

    def ping(self, addresses: Iterable[str]) -> Future[Pings]:
        future: Future[Pings] = Future()
        future.set_running_or_notify_cancel()
        wanted = sorted(set(addresses))
        how = burst_settings(self._settings)
        request = _Request(future, dict.fromkeys(wanted), time.monotonic() + how.duration_s + PING_GRACE_S)
        run_id = CURRENT_JOB_RUN.get()
        try:
            by_queue = self._by_queue(wanted)
        except Exception:  # the database away for a moment: this batch's ICMP is unknown, no more
            log.warning("no poll groups for %d address(es) to ping", len(wanted), exc_info=True)
            by_queue = {}
        for queue, chunk in by_queue.items():
            task_id = f"p{run_id or 0}-{uuid.uuid4().hex}"
            if self._gate.away() is not None:  # a publish failed moments ago: unknown, at once
                continue
            try:  # not retried: a burst sent late measures nothing; expired, a worker drops it
                self._app.send_task(PING_TASK, args=[chunk, shape_of(how), run_id], task_id=task_id,
                                    queue=queue, expires=how.duration_s + PING_GRACE_S, retry=False)
            except Exception as exc:  # broker away: ICMP unknown for these, the polls say the rest
                log.warning("could not send ping task to %s: %s", queue, exc)
                self._gate.failed(exc)
                continue
            request.waiting[task_id] = set(chunk)
        if not request.waiting:
            future.set_result(request.answers)
            return future
        with self._lock:
            self._tasks.update(dict.fromkeys(request.waiting, request))
        self._collector.wake()
        return future

    def close(self) -> None:
        """Bursts still out end with what came back (the rest unknown). A shared collector is
        closed by its owner (the executor), first."""
        if self._own_collector:
            self._collector.close()
        with self._lock:
            requests, self._tasks = list(self._tasks.values()), {}
        for request in requests:
            self._end(request)

    # -- inside
    def _by_queue(self, addresses: Sequence[str]) -> dict[str, list[str]]:
        """Queue -> the addresses it pings: each address goes to a live queue of a group with a
        device at that address (several devices may share one address, e.g. on a NAT)."""
        if not addresses:
            return {}
        with session_scope(self._engine) as session:
            rows = list(session.execute(select(Device.address, Device.poll_group)
                                        .where(Device.address.in_(list(addresses))).order_by(Device.name)))
        live = self._live_queues()
        chosen: dict[str, str] = {}
        for address, group in rows:
            queue = queue_name(group, self._settings)
            if address not in chosen and queue in live:
                chosen[address] = queue
        out: dict[str, list[str]] = {}
        for address in addresses:
            if address in chosen:
                out.setdefault(chosen[address], []).append(address)
        return out

    # -- the outcome collector's side (``netops.polling.outcome_collector.Watcher``)
    def pending(self) -> list[str]:
        with self._lock:
            return list(self._tasks)

    def arrived(self, task_id: str, address: str, payload: str) -> None:
        with self._lock:
            request = self._tasks.get(task_id)
        if request is None or address not in request.waiting.get(task_id, ()):
            return
        try:
            request.answers[address] = decode_icmp(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable ping outcome of %s from task %s", address, task_id)
        request.waiting[task_id].discard(address)
        if not request.waiting[task_id]:
            self._drop(task_id)
        if not any(request.waiting.values()):
            self._end(request)

    def expire(self, now: float) -> None:
        with self._lock:
            late = [(task_id, r) for task_id, r in self._tasks.items() if now >= r.deadline]
        for task_id, request in late:
            self._drop(task_id)
            self._end(request)

    def _drop(self, task_id: str) -> None:
        with self._lock:
            self._tasks.pop(task_id, None)

    def _end(self, request: _Request) -> None:
        with self._lock:  # the collector and close() may both end one request
            if not request.future.done():
                request.future.set_result(dict(request.answers))
