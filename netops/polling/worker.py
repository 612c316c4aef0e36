"""``netops worker``: a Celery worker that runs poll tasks with the in-process poll code.

A task carries device names, poll kinds and its job run id. The worker builds the targets from
the shared database (secrets are resolved here, on the worker, and never travel through the
broker), polls them on one long-lived ``InProcessExecutor`` per worker process (the same
``poll_targets``, SNMP engine and SSH pool as the in-process executor) and writes each device's
result to the database as it arrives (``netops.polling.outcomes``), a few devices per
transaction. A device the worker cannot build a target for (a secret that does not resolve
here) is written as "not polled" with the reason. A heartbeat thread keeps the worker's row in
``poll_workers`` fresh while the worker is connected to the broker and consuming, which is how
the scheduler knows a group's queue has a live worker.

A ping task (``netops.polling.remote_icmp``) carries addresses: the worker sends the ICMP burst
from inside its network, in a thread pool of its own (the task holds its worker slot for a
look-up, not for the burst), and writes each address's ``IcmpStats`` as a row of the task.
Only addresses of devices in the database are pinged; any other is written as unknown.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import selectinload

from collectors.observations import PollKind, PollResult
from inventory.db import session_scope
from inventory.models import Device, utcnow
from netops.polling.celery_app import DISCOVER_TASK, POLL_TASK, make_app, queue_name
from netops.polling.executor import InProcessExecutor, burst_settings
from netops.polling.icmp import IcmpStats, burst
from netops.polling.outcomes import NOT_POLLED, worker_gone, worker_seen, write_outcomes
from netops.polling.remote_icmp import PING_TASK, burst_of
from netops.polling.result_codec import encode, encode_icmp
from netops.polling.targets import build_cycle_target
from netops.settings import Settings

log = logging.getLogger(__name__)
FLUSH_S = 0.2  # results are written at least this often while a task runs


class TaskPoller:
    """What a worker process needs: settings, the shared database, one executor (made lazily)."""

    def __init__(self, settings: Settings, engine: Engine, name: str) -> None:
        self.settings = settings
        self.engine = engine
        self.name = name
        self._executor: InProcessExecutor | None = None
        self._icmp: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def executor(self) -> InProcessExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = InProcessExecutor(self.settings)
            return self._executor

    def poll(self, task_id: str, names: Sequence[str], kinds: Sequence[str], job_run_id: int | None) -> int:
        """Poll ``names`` for ``kinds`` and write every device's outcome; returns how many."""
        targets, skipped = self._targets(names)
        return self.run(task_id, targets, skipped, kinds, job_run_id)

    def run(self, task_id: str, targets: Sequence[Any], skipped: dict[str, str], kinds: Sequence[str],
            job_run_id: int | None) -> int:
        """Poll ``targets`` and write each outcome, and "not polled" for ``skipped`` (key -> why)."""
        written = write_outcomes(self.engine, task_id, job_run_id, self.name,
                                 [(n, json.dumps({NOT_POLLED: why})) for n, why in skipped.items()])
        arrived: queue.SimpleQueue[PollResult] = queue.SimpleQueue()
        future = self.executor.submit(targets, frozenset(PollKind(k) for k in kinds), on_result=arrived.put)
        deadline = time.monotonic() + self.settings.executor.task_deadline_s
        while True:
            try:
                future.result(timeout=FLUSH_S)
                done = True
            except FutureTimeout:
                done = False
            written += self._flush(task_id, job_run_id, arrived)
            if done or time.monotonic() > deadline:
                return written

    def ping(self, task_id: str, addresses: Sequence[str], shape: Sequence[float] | None,
             job_run_id: int | None) -> int:
        """Start the burst to ``addresses`` (device addresses only); its rows are written when it
        ends. Returns how many addresses are pinged."""
        wanted = sorted(set(addresses))
        known = self._device_addresses(wanted)
        strangers = [a for a in wanted if a not in known]
        if strangers:
            log.warning("ping task %s: %d address(es) of no device, not pinged", task_id, len(strangers))
            write_outcomes(self.engine, task_id, job_run_id, self.name,
                           [(a, encode_icmp(None)) for a in strangers])
        if not known:
            return 0
        how = burst_of(shape, burst_settings(self.settings))
        with self._lock:
            if self._icmp is None:
                self._icmp = ThreadPoolExecutor(max_workers=4, thread_name_prefix="netops-icmp")
            pool = self._icmp
        future = pool.submit(burst, known, how)
        future.add_done_callback(lambda done: self._pinged(task_id, job_run_id, known, done))
        return len(known)

    def _pinged(self, task_id: str, job_run_id: int | None, addresses: list[str],
                done: Future[dict[str, IcmpStats | None]]) -> None:
        if done.cancelled():  # the worker is stopping: the scheduler reads these as unknown
            return
        try:
            answers = done.result()
        except Exception:
            log.warning("ICMP burst of ping task %s failed", task_id, exc_info=True)
            answers = {}
        try:
            write_outcomes(self.engine, task_id, job_run_id, self.name,
                           [(a, encode_icmp(answers.get(a))) for a in addresses])
        except Exception:  # the database away: the scheduler's wait ends with unknown
            log.warning("could not write the ICMP answers of ping task %s", task_id, exc_info=True)

    def _device_addresses(self, addresses: Sequence[str]) -> list[str]:
        if not addresses:
            return []
        with session_scope(self.engine) as session:
            found = set(session.scalars(select(Device.address).where(Device.address.in_(list(addresses)))))
        return [a for a in addresses if a in found]

    def _flush(self, task_id: str, job_run_id: int | None, arrived: queue.SimpleQueue[PollResult]) -> int:
        rows = []
        while True:
            try:
                result = arrived.get_nowait()
            except queue.Empty:
                break
            rows.append((result.device_key, encode(result)))
        return write_outcomes(self.engine, task_id, job_run_id, self.name, rows)

    def _targets(self, names: Sequence[str]) -> tuple[list[Any], dict[str, str]]:
        skipped: dict[str, str] = {}
        targets = []
        stmt = select(Device).options(
            selectinload(Device.snmp_credential), selectinload(Device.ssh_credential),
            selectinload(Device.facts),
        ).where(Device.name.in_(list(names)))
        with session_scope(self.engine) as session:
            devices = {d.name: d for d in session.scalars(stmt)}
            for name in names:
                device = devices.get(name)
                if device is None:
                    skipped[name] = f"not in the database of worker {self.name}"
                    continue
                target = build_cycle_target(device, self.settings)
                if target is None:
                    skipped[name] = f"no credential resolves on worker {self.name}"
                else:
                    targets.append(target)
        return targets, skipped

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.close()
                self._executor = None
            if self._icmp is not None:
                self._icmp.shutdown(wait=False, cancel_futures=True)
                self._icmp = None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_worker(settings: Settings, engine: Engine, groups: Sequence[str], concurrency: int,
               loglevel: str = "WARNING", poller: TaskPoller | None = None,
               on_ready: Callable[[], None] | None = None) -> None:
    """Serve the queues of ``groups`` (none: the default queue) until SIGTERM/SIGINT.
    ``poller``: a benchmark's own (with an instant fake poll); ``on_ready``: called once the worker
    consumes (and Ctrl-C is a warm shutdown)."""
    poller = poller or TaskPoller(settings, engine, worker_name())
    name = poller.name
    app = make_app(settings)

    @app.task(name=POLL_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def poll(self: Any, names: list[str], kinds: list[str], job_run_id: int | None = None) -> int:
        return poller.poll(self.request.id, names, kinds, job_run_id)

    @app.task(name=DISCOVER_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def discover(self: Any, addresses: list[str], lender: str, kinds: list[str],
                 job_run_id: int | None = None) -> int:
        from netops.polling.discovery_task import discovery_targets

        targets, skipped = discovery_targets(engine, settings, addresses, lender, name)
        return poller.run(self.request.id, targets, skipped, kinds, job_run_id)

    # acknowledged at once: a burst delivered again later would measure nothing useful
    @app.task(name=PING_TASK, bind=True, acks_late=False)  # type: ignore[untyped-decorator]
    def ping(self: Any, addresses: list[str], shape: list[float] | None = None,
             job_run_id: int | None = None) -> int:
        return poller.ping(self.request.id, addresses, shape, job_run_id)

    queues = [queue_name(g, settings) for g in groups] or [queue_name(None, settings)]
    started = utcnow()
    stop, nudge = threading.Event(), threading.Event()
    consumer: list[Any] = []  # Celery's consumer once it consumes (worker_ready)

    def ready(sender: Any = None, **_: Any) -> None:
        consumer.append(sender)
        nudge.set()

    def consuming() -> bool:
        """Connected to the broker: Celery clears ``connection`` while it reconnects."""
        return bool(consumer) and getattr(consumer[0], "connection", None) is not None

    def heartbeat() -> None:
        # the row says "this worker serves these queues": true only while it consumes, so a worker
        # cut off from the broker ages out after worker_seen_s and its groups read "no worker"
        while not stop.is_set():
            if consuming():
                try:
                    worker_seen(engine, name, queues, concurrency, started)
                except Exception:  # the database may be away for a moment; the next beat tries again
                    log.warning("worker heartbeat failed", exc_info=True)
            nudge.wait(settings.executor.worker_seen_s / 3)
            nudge.clear()

    from celery.signals import worker_ready

    worker_ready.connect(ready, weak=False)
    if on_ready is not None:
        worker_ready.connect(lambda **_: on_ready(), weak=False)
    beat = threading.Thread(target=heartbeat, name="netops-worker-heartbeat", daemon=True)
    beat.start()
    try:
        app.worker_main(["worker", "-Q", ",".join(queues), "-c", str(concurrency), "-P", "threads",
                         "-n", f"netops-{name}", "-l", loglevel, "--without-gossip", "--without-mingle",
                         "--without-heartbeat"])
    finally:
        stop.set()
        nudge.set()
        beat.join(5)
        poller.close()
        try:
            worker_gone(engine, name)
        except Exception:
            log.warning("could not remove worker %s from poll_workers", name, exc_info=True)
