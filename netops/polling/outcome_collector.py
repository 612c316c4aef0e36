"""One thread that brings the workers' outcome rows back to whoever sent the tasks.

Poll tasks (``CeleryExecutor``) and ping tasks (``RemotePings``) both come back as
``poll_outcomes`` rows. One collector reads the rows of every task still out, every
``POLL_S`` (or at once after ``wake()``), hands each row to the watcher that sent its task,
then lets every watcher end what is past its deadline: one query per tick for both kinds,
not one thread and one query each. It also forgets rows taken long ago.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from sqlalchemy import Engine

from netops.polling.outcomes import forget_old_outcomes, take_outcomes

log = logging.getLogger(__name__)
POLL_S = 0.1  # how often outcome rows are looked for while tasks are out
FORGET_EVERY_S = 600.0


class Watcher(Protocol):
    """What sends tasks and waits for their rows."""

    def pending(self) -> list[str]:
        """The ids of its tasks still out."""
        ...

    def arrived(self, task_id: str, key: str, payload: str) -> None:
        """One row of one of its tasks (``key``: the device, or the address of a ping)."""
        ...

    def expire(self, now: float) -> None:
        """End what is past its deadline (``time.monotonic()``)."""
        ...


class OutcomeCollector:
    def __init__(self, engine: Engine, name: str = "netops-celery-results") -> None:
        self._engine = engine
        self._watchers: list[Watcher] = []
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def add(self, watcher: Watcher) -> None:
        """Watch ``watcher``'s tasks; the thread starts with the first watcher."""
        self._watchers.append(watcher)
        if not self._thread.is_alive():
            self._thread.start()

    def wake(self) -> None:
        """Look now (tasks were just sent)."""
        self._wake.set()

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self) -> None:
        forget_at = time.monotonic() + 60
        while not self._closed.is_set():
            self._wake.wait(POLL_S)
            self._wake.clear()
            if time.monotonic() > forget_at:  # rows taken an hour ago: a late second delivery is over
                forget_at = time.monotonic() + FORGET_EVERY_S
                try:
                    forget_old_outcomes(self._engine)
                except Exception:
                    log.debug("forgetting old outcomes failed", exc_info=True)
            owners = {task_id: w for w in self._watchers for task_id in w.pending()}
            if not owners:
                continue
            try:
                outcomes = take_outcomes(self._engine, list(owners))
            except Exception:  # the database away for a moment: the deadlines still hold
                log.warning("reading poll outcomes failed", exc_info=True)
                outcomes = []
            for outcome in outcomes:
                try:
                    owners[outcome.task_id].arrived(outcome.task_id, outcome.device, outcome.payload)
                except Exception:  # one bad row must not stop the results of every other task
                    log.exception("outcome of task %s for %s not handled", outcome.task_id, outcome.device)
            now = time.monotonic()
            for watcher in self._watchers:
                watcher.expire(now)
