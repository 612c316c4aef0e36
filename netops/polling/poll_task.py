"""The pure poll task: ``poll_targets(targets, kinds, settings)`` -> one ``PollResult`` per target.

This is what the scheduler hands to an executor (in-process asyncio by default, a task queue
worker when scaled out); it stores nothing. Dispatch is one rule, kept here so it stays
visible: a target goes over SSH when ``netops.polling.ssh_branch.wants_ssh`` says so (it has SSH
credentials and the kinds include one only SSH reads, i.e. CONFIG, or it has no SNMP
credentials), otherwise over SNMP; a target with neither gets an UNSUPPORTED error result.
SNMP and SSH run concurrently; results come back in the order of ``targets``.

The SNMP side uses one ``SnmpPoller`` per event loop (pysnmp engines are bound to their loop;
the executor keeps one long-lived loop, so in practice one engine per process).
``close_pollers()`` releases it.
"""

from __future__ import annotations

import asyncio
import inspect
import weakref
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from collectors.observations import ErrorKind, PollError, PollKind, PollResult
from collectors.snmp.poller import SnmpPoller
from collectors.targets import Target
from netops.settings import Settings

JOB_KINDS: dict[str, frozenset[PollKind]] = {
    "status": frozenset({PollKind.INTERFACES}),
    "counters": frozenset({PollKind.COUNTERS}),
    "discovery": frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.OPTICS}),
    "ssh": frozenset({PollKind.CONFIG, PollKind.NEIGHBORS, PollKind.FACTS}),
}
ResultCallback = Callable[[PollResult], Awaitable[None] | None]

_pollers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SnmpPoller] = weakref.WeakKeyDictionary()


def snmp_poller(settings: Settings) -> SnmpPoller:
    """The SNMP poller of the running event loop (one engine per loop, in practice one per
    process: the executor keeps a single long-lived loop), with the current settings applied."""
    loop = asyncio.get_running_loop()
    poller = _pollers.get(loop)
    if poller is None:
        poller = _pollers[loop] = SnmpPoller()
    poller.max_repetitions = settings.snmp.max_repetitions
    poller.max_in_flight = settings.snmp.max_in_flight
    poller.codec = settings.snmp.codec
    return poller


def close_pollers() -> None:
    """Release SNMP engines (socket, memory). Inside a loop: that loop's engine. Outside any
    loop (after ``asyncio.run``): every engine whose loop is not running; best called inside
    the loop, where the socket can still be closed cleanly."""
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for loop in list(_pollers):
        if loop is running or (running is None and not loop.is_running()):
            _pollers.pop(loop).close()


def _no_transport(target: Target, kinds: frozenset[PollKind]) -> PollResult:
    now = datetime.now(UTC)
    error = PollError(ErrorKind.UNSUPPORTED, "no SNMP or SSH credentials for this device")
    return PollResult(device_key=target.device_key, profile=target.profile or "generic", transport="none",
                      started_at=now, finished_at=now, errors=(error,))


def _wants_ssh(target: Target, kinds: frozenset[PollKind]) -> bool:
    try:
        from netops.polling.ssh_branch import wants_ssh
    except ImportError:  # the SSH collector is optional
        return False
    return wants_ssh(target, kinds)


async def _emit(on_result: ResultCallback | None, result: PollResult) -> None:
    if on_result is not None:
        outcome = on_result(result)
        if inspect.isawaitable(outcome):
            await outcome


async def _poll_snmp(targets: list[Target], kinds: frozenset[PollKind], settings: Settings,
                     on_result: ResultCallback | None) -> list[PollResult]:
    results = []
    async for result in snmp_poller(settings).poll_many(targets, kinds, settings.snmp.max_in_flight):
        results.append(result)
        await _emit(on_result, result)
    return results


async def _poll_ssh(targets: list[Target], kinds: frozenset[PollKind], settings: Settings,
                    on_result: ResultCallback | None) -> list[PollResult]:
    from netops.polling.ssh_branch import poll_ssh_targets_async

    results = await poll_ssh_targets_async(targets, kinds, settings)
    for result in results:
        await _emit(on_result, result)
    return results


async def poll_targets(targets: Sequence[Target], kinds: frozenset[PollKind] | set[PollKind],
                       settings: Settings, *, on_result: ResultCallback | None = None) -> list[PollResult]:
    """Poll every target for ``kinds``; ``on_result`` is called (or awaited) as each finishes."""
    wanted = frozenset(kinds)
    ssh, snmp, none = [], [], []
    for target in targets:
        if _wants_ssh(target, wanted):
            ssh.append(target)
        elif target.snmp is not None:
            snmp.append(target)
        else:
            none.append(_no_transport(target, wanted))
    for result in none:
        await _emit(on_result, result)
    jobs = []
    if snmp:
        jobs.append(_poll_snmp(snmp, wanted, settings, on_result))
    if ssh:
        jobs.append(_poll_ssh(ssh, wanted, settings, on_result))
    found = {r.device_key: r for batch in await asyncio.gather(*jobs) for r in batch}
    found.update({r.device_key: r for r in none})
    return [found[t.device_key] for t in targets if t.device_key in found]
