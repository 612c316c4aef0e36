"""Executors: where poll tasks run. The scheduler submits work and never calls a collector itself.

``Executor`` is the seam: ``submit(targets, kinds)`` returns a ``concurrent.futures.Future`` of
``PollResult``s and ``ping(addresses)`` a future of each address's ICMP burst (``IcmpStats``:
echoes sent and answered, round trips; None when ICMP is not available). ``InProcessExecutor`` (the
default) keeps one asyncio event loop in a daemon thread for the life of the service, so the
SNMP engine and its caches live as long as the process, and runs ``netops.polling.poll_task.poll_targets``
(SNMP on asyncio, SSH in its bounded thread pool) there; ICMP echo runs on small loops in a
thread pool of its own, so replies are read on time even when the SNMP loop is busy.

The distributed executor (``netops.polling.celery_executor``, ``[executor] kind = "celery"``)
implements the same methods: ``submit`` sends device names and kinds to a poll group's queue
and the future ends when every device's result is back from the shared database. Devices it
cannot have polled (no live worker for their group, no result within the deadline) end the
future with ``NotPolled``, which a cycle records as "not polled", never as "down". Its ``ping`` has the
worker of each address's group send the burst, from inside that network
(``netops.polling.remote_icmp``); no live worker there: None (unknown).
``make_executor`` picks the executor the settings ask for.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol, TypeVar

from collectors.observations import PollKind, PollResult
from collectors.targets import Target
from netops.polling.icmp import BurstSettings, IcmpStats, burst
from netops.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

T = TypeVar("T")
log = logging.getLogger(__name__)
PollFunction = Callable[[Sequence[Target], frozenset[PollKind], Settings], Awaitable[list[PollResult]]]


ResultSink = Callable[[PollResult], None]
CURRENT_JOB_RUN: contextvars.ContextVar[int | None] = contextvars.ContextVar("netops_job_run", default=None)


class NotPolled(Exception):
    """Devices an executor could not have polled, with the reason for each (no worker for their
    group, no result before the deadline). Their state is left as it was: not polled is not down."""

    def __init__(self, devices: dict[str, str]) -> None:
        self.devices = dict(devices)
        by_reason: dict[str, list[str]] = {}
        for name, reason in sorted(devices.items()):
            by_reason.setdefault(reason, []).append(name)
        super().__init__("; ".join(f"not polled: {reason}: {', '.join(names)}"
                                   for reason, names in by_reason.items()))


class Executor(Protocol):
    def submit(self, targets: Sequence[Target], kinds: frozenset[PollKind],
               on_result: ResultSink | None = None) -> Future[list[PollResult]]:
        """Poll ``targets``; ``on_result`` is called (on any thread) with each result as it is ready."""
        ...


    def ping(self, addresses: Iterable[str]) -> Future[dict[str, IcmpStats | None]]: ...

    def close(self) -> None: ...


async def _default_poll(targets: Sequence[Target], kinds: frozenset[PollKind], settings: Settings,
                        on_result: ResultSink | None = None) -> list[PollResult]:
    from netops.polling.poll_task import poll_targets

    return list(await poll_targets(list(targets), kinds, settings, on_result=on_result))


class InProcessExecutor:
    """Poll tasks on one long-lived asyncio loop in a daemon thread of this process."""

    def __init__(self, settings: Settings, poll: PollFunction | None = None) -> None:
        self._settings = settings
        self._poll = poll or _default_poll
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="netops-executor", daemon=True)
        self._thread.start()
        self._icmp = ThreadPoolExecutor(max_workers=4, thread_name_prefix="netops-icmp")

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def submit(self, targets: Sequence[Target], kinds: frozenset[PollKind],
               on_result: ResultSink | None = None) -> Future[list[PollResult]]:
        if self._poll is _default_poll:  # results stream out one by one
            return self.run(_default_poll(list(targets), kinds, self._settings, on_result))
        return self.run(_all_then_each(self._poll(list(targets), kinds, self._settings), on_result))

    def ping(self, addresses: Iterable[str]) -> Future[dict[str, IcmpStats | None]]:
        """ICMP in a thread of its own: a busy SNMP loop must not make echo replies look late."""
        return self._icmp.submit(burst, list(addresses), burst_settings(self._settings))

    def run(self, coro: Awaitable[T]) -> Future[T]:
        """Run any coroutine on the executor's loop (the trap receiver shares it)."""
        return asyncio.run_coroutine_threadsafe(_as_coroutine(coro), self._loop)

    def close(self) -> None:
        if self._loop.is_closed():
            return

        def stop() -> None:
            try:
                from netops.polling.poll_task import close_pollers

                close_pollers()
            except Exception:  # closing is best effort; the process may be exiting anyway
                log.debug("closing the SNMP poller failed", exc_info=True)
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.call_soon(self._loop.stop)

        self._loop.call_soon_threadsafe(stop)
        self._icmp.shutdown(wait=False, cancel_futures=True)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()


def make_executor(settings: Settings, engine: Engine) -> Executor:
    """The executor ``[executor] kind`` asks for: in this process, or on Celery workers."""
    if settings.executor.kind == "celery":
        from netops.polling.celery_executor import CeleryExecutor

        return CeleryExecutor(settings, engine)
    return InProcessExecutor(settings)


def burst_settings(settings: Settings) -> BurstSettings:
    monitor = settings.monitor
    return BurstSettings(monitor.icmp_count, monitor.icmp_interval_s, monitor.icmp_timeout_s)


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def _all_then_each(polls: Awaitable[list[PollResult]],
                         on_result: ResultSink | None) -> list[PollResult]:
    """A poll function that returns its results together (a test's fake): hand them on one by one."""
    results = list(await polls)
    if on_result is not None:
        for result in results:
            on_result(result)
    return results


