"""``SnmpPoller``: poll devices over SNMP for a set of poll kinds and return ``PollResult``s.

One poller owns the process's one ``SnmpHosts`` (created lazily in the running event loop,
recreated if a later call runs in another loop) and must be ``close()``d: v1/v2c devices are
polled with netops' own codec (``fastcodec``/``fastsession``), SNMPv3 through pysnmp;
``codec="pysnmp"`` (or ``NETOPS_SNMP__CODEC=pysnmp``, settings ``[snmp] codec``) sends
everything through pysnmp, the reference. Each kind is
read and fails on its own: a failed LLDP walk keeps the interface states, and ``completed``
lists only the kinds read to the end. A device that does not answer (timeout) or rejects our
credentials (auth) fails every remaining kind at once, so a dead device costs one
timeout x (retries + 1), not one per kind; so does a device caught inventing rows (a walk past
its row cap), so it costs one capped walk per poll. An SNMP poll has a deadline of its own
(``Timeouts.snmp_poll_deadline_s``): a device still answering when it passes is reported as
malformed, and the kinds read before it stay completed.

``poll_many`` bounds concurrency twice: at most ``max_in_flight`` polls are open, and at most
``active_limit`` of them (adapted to the event loop's lag, ``gate.AdaptiveGate``) may still be
in their first ``timeout / 2`` seconds (the ones that bring CPU work); a poll slower than
that (a silent device waiting for its timeout) gives its active slot to the next device.
pysnmp needs ~10 ms of CPU per 48-port answer, so unbounded concurrency collapses
(answers outlive their timeout), while silent devices must not hold the queue up
(../shared/reading/snmp-performance.md, section 3). The fast codec needs ~0.7 ms, so its
active limit is ten times higher and starts at its maximum.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from collectors.errors import CollectorError, SnmpError
from collectors.observations import (
    CounterSample,
    DeviceFacts,
    ErrorKind,
    InterfaceState,
    Neighbor,
    OpticalReading,
    PollError,
    PollKind,
    PollResult,
)
from collectors.profiles.loader import ProfileSet, default_profiles
from collectors.profiles.schema import Profile
from collectors.snmp import decode
from collectors.snmp.fastsession import SnmpHosts, default_codec
from collectors.snmp.gate import AdaptiveGate
from collectors.snmp.namecache import NameCache
from collectors.snmp.readers import interfaces as ifr
from collectors.snmp.readers.neighbors import READERS
from collectors.snmp.readers.optics import read_optics
from collectors.snmp.readers.system import EntityInfo, build_facts, read_entity, read_system
from collectors.snmp.session import Endpoint, SnmpHost
from collectors.snmp.walk import RunawayWalk, walk_columns
from collectors.targets import Target

SNMP_KINDS = frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.COUNTERS, PollKind.NEIGHBORS,
                        PollKind.OPTICS})
FATAL = (ErrorKind.TIMEOUT, ErrorKind.AUTH, ErrorKind.UNREACHABLE, ErrorKind.UNSUPPORTED)
ORDER = (PollKind.FACTS, PollKind.INTERFACES, PollKind.COUNTERS, PollKind.NEIGHBORS, PollKind.OPTICS)
# CPU budget per poll answer when sizing the active limit: pysnmp measured ~11 ms per 48-port
# answer, the fast codec ~0.7 ms (bench_snmp_cycle)
CPU_S_PER_POLL = {"pysnmp": 0.02, "fast": 0.002}


@dataclass
class _Poll:
    """Mutable state of one device poll; frozen into a PollResult at the end."""

    target: Target
    kinds: frozenset[PollKind]
    profile: Profile
    started: datetime
    ep: Endpoint | None = None
    ports: ifr.PortMap | None = None
    uptime_s: float | None = None
    completed: set[PollKind] = field(default_factory=set)
    errors: list[PollError] = field(default_factory=list)
    facts: DeviceFacts | None = None
    interfaces: tuple[InterfaceState, ...] = ()
    counters: tuple[CounterSample, ...] = ()
    neighbors: tuple[Neighbor, ...] = ()
    optics: tuple[OpticalReading, ...] = ()
    fatal: CollectorError | None = None

    def fail(self, kind: PollKind, error: CollectorError) -> None:
        self.errors.append(error.to_poll_error(kind))
        if error.kind in FATAL or isinstance(error, RunawayWalk):
            self.fatal = error

    def result(self) -> PollResult:
        return PollResult(
            device_key=self.target.device_key, profile=self.profile.name, transport="snmp",
            started_at=self.started, finished_at=datetime.now(UTC), completed=frozenset(self.completed),
            facts=self.facts, interfaces=self.interfaces, counters=self.counters, neighbors=self.neighbors,
            optics=self.optics, errors=tuple(self.errors),
        )


class SnmpPoller:
    """Polls targets over SNMP with one engine; see the module docstring for the rules."""

    def __init__(self, *, max_repetitions: int = 50, max_in_flight: int = 200,
                 profiles: ProfileSet | None = None, codec: str | None = None) -> None:
        self.max_repetitions = max_repetitions
        self.codec = codec or default_codec()  # "fast" (v1/v2c on our codec) or "pysnmp"
        self.max_in_flight = max_in_flight
        self.profiles = profiles or default_profiles()
        self.names = NameCache()  # ifName per device between status polls (namecache.py)
        self.last_active_limit: int | None = None  # lowest adaptive limit of the last poll_many
        self._host: SnmpHosts | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _engine(self) -> SnmpHosts:
        loop = asyncio.get_running_loop()
        if self._host is None or self._loop is not loop:
            if self._host is not None:
                self._host.close()
            self._host, self._loop = SnmpHosts(self.codec), loop
        self._host.codec = self.codec
        return self._host

    def close(self) -> None:
        """Release the engine (socket, dispatcher); the poller can be used again afterwards."""
        if self._host is not None:
            self._host.close()
            self._host, self._loop = None, None

    async def prepare(self, targets: Iterable[Target]) -> int:
        """Register targets with the engine ahead of their first poll (a one-off ~5 ms each in
        pysnmp's v3arch); returns how many could not be (they fail again, with the reason, when
        polled)."""
        host, failed = self._engine(), 0
        for target in targets:
            try:
                await host.endpoint(target)
            except CollectorError:
                failed += 1
        return failed

    async def poll(self, target: Target, kinds: Iterable[PollKind]) -> PollResult:
        """Poll one device; always returns a result, errors included (never raises)."""
        wanted = frozenset(kinds)
        known = target.profile in self.profiles
        state = _Poll(target, wanted, self.profiles.get(target.profile), datetime.now(UTC))
        for kind in sorted(wanted - SNMP_KINDS):
            state.errors.append(PollError(ErrorKind.UNSUPPORTED, f"{kind} is not read over SNMP", kind))
        deadline_s = target.timeouts.snmp_poll_deadline_s
        try:
            async with asyncio.timeout(deadline_s):
                await self._run(state, known)
        except TimeoutError:  # answers kept coming (each request was answered), the poll did not end
            message = f"device poll exceeded its deadline of {deadline_s:g} s (SNMP walk did not end)"
            self._fail_rest(state, CollectorError(ErrorKind.MALFORMED, message))
        except Exception as exc:  # a bug must not take the poll cycle down
            message = f"internal error: {type(exc).__name__}: {exc}"
            self._fail_rest(state, CollectorError(ErrorKind.INTERNAL, message))
        self._report_bad_values(state)
        return state.result()

    def _report_bad_values(self, state: _Poll) -> None:
        """One MALFORMED error per device naming the values it sent that could not be decoded
        (their varbinds were read as unknown; the rest of each answer was used)."""
        bad = self._host.take_bad_values(state.ep) if self._host is not None and state.ep else None
        if bad is None:
            return
        named = ", ".join(f"{oid} ({why})" for oid, why in list(bad.first.items())[:3])
        rest = len(bad.first) - 3 + bad.more
        more = f" and {rest} more" if rest > 0 else ""
        message = f"malformed value from the device: {named}{more}; read as unknown, the rest was used"
        state.errors.append(PollError(ErrorKind.MALFORMED, message))

    def _fail_rest(self, state: _Poll, error: CollectorError) -> None:
        failed = {e.poll_kind for e in state.errors}
        for kind in ORDER:
            if kind in state.kinds and kind not in state.completed and kind not in failed:
                state.fail(kind, error)

    async def _run(self, state: _Poll, known_profile: bool) -> None:
        host = self._engine()
        try:
            state.ep = await host.endpoint(state.target)
        except CollectorError as exc:
            self._fail_rest(state, exc)
            return
        needs_profile = not known_profile and bool(state.kinds & {PollKind.NEIGHBORS, PollKind.OPTICS})
        if PollKind.FACTS in state.kinds or needs_profile:
            await self._step(state, PollKind.FACTS, self._facts(host, state, known_profile))
        steps = {PollKind.INTERFACES: self._interfaces, PollKind.COUNTERS: self._counters,
                 PollKind.NEIGHBORS: self._neighbors, PollKind.OPTICS: self._optics}
        for kind, step in steps.items():
            if kind in state.kinds:
                await self._step(state, kind, step(host, state))

    async def _step(self, state: _Poll, kind: PollKind, work: object) -> None:
        import inspect

        assert inspect.iscoroutine(work)
        if state.fatal is not None:
            work.close()
            state.fail(kind, state.fatal)
            return
        try:
            await work
        except CollectorError as exc:
            state.fail(kind, exc)
            return
        if kind in state.kinds:
            state.completed.add(kind)

    async def _facts(self, host: SnmpHost, state: _Poll, known_profile: bool) -> None:
        assert state.ep is not None
        system = await read_system(host, state.ep, state.profile.system)
        if not known_profile:
            state.profile = self.profiles.match(system.sys_object_id, system.sys_descr)
        if PollKind.FACTS not in state.kinds:
            return
        try:
            entity = await read_entity(host, state.ep, state.profile, self.max_repetitions)
        except RunawayWalk as exc:  # the system group stands; nothing more is read from this device
            state.errors.append(PollError(exc.kind, f"ENTITY-MIB: {exc.message}"))
            state.fatal, entity = exc, EntityInfo()
        except CollectorError as exc:
            if exc.kind in FATAL:
                raise
            entity = EntityInfo()
        state.facts = build_facts(system, state.profile, entity)
        state.uptime_s = system.uptime_s

    async def _interfaces(self, host: SnmpHost, state: _Poll) -> None:
        assert state.ep is not None
        p = state.profile
        detail, key = PollKind.FACTS in state.kinds, state.target.device_key
        cached = not detail and self.names.has(key)
        walked = await ifr.walk_interfaces(host, state.ep, p, self.max_repetitions, detail=detail,
                                           scalars=(p.system["sys_uptime"],), names=not cached)
        uptime = decode.timeticks_s(walked.scalars[0][1]) if walked.scalars else None
        anchor, name_oid = p.interfaces.status["oper_status"], p.interfaces.status["name"]
        ifr.require_rows(walked, anchor)
        self._expect_rows(key, walked.columns.get(anchor))
        descr_oid = p.interfaces.detail.get("descr", "")
        indexes = frozenset(walked.columns.get(anchor, {}))
        hit = self.names.lookup(key, indexes, uptime) if cached else None
        if hit is not None:
            walked.columns[name_oid], walked.columns[descr_oid] = hit
        elif cached:  # restarted agent or changed ifIndexes: read the names after all
            walked.columns[name_oid] = (await walk_columns(host, state.ep, [name_oid],
                                                           self.max_repetitions)).columns[name_oid]
        await ifr.ensure_names(host, state.ep, p, walked, self.max_repetitions, anchor)
        self.names.store(key, walked.columns.get(name_oid, {}), walked.columns.get(descr_oid, {}), indexes,
                         uptime)
        interfaces, state.ports = ifr.parse_interfaces(walked, p)
        state.uptime_s = uptime if uptime is not None else state.uptime_s
        state.interfaces = tuple(ifr.age_last_change(i, state.uptime_s) for i in interfaces)

    async def _counters(self, host: SnmpHost, state: _Poll) -> None:
        assert state.ep is not None
        state.counters, ports, uptime = await ifr.read_counters(
            host, state.ep, state.profile, self.max_repetitions, state.profile.system["sys_uptime"])
        self._expect_rows(state.target.device_key, state.counters)
        state.ports = state.ports or ports
        state.uptime_s = uptime if uptime is not None else state.uptime_s

    def _expect_rows(self, key: str, rows: object) -> None:
        """No interface now, although the last read of this device (an hour ago at most) had
        some: a broken answer (noSuchObject or endOfMibView from an agent without ifNumber.0)."""
        known = self.names.rows(key)
        if known and not rows:
            raise SnmpError(ErrorKind.MALFORMED,
                            f"interface table empty although the last read had {known} interfaces")

    async def _port_map(self, host: SnmpHost, state: _Poll) -> ifr.PortMap:
        if state.ports is None:
            assert state.ep is not None
            p = state.profile
            oids: dict[str, str] = {"name": p.interfaces.status["name"]}
            oids.update({k: p.interfaces.detail[k] for k in ("descr", "mac") if k in p.interfaces.detail})
            walked = (await walk_columns(host, state.ep, list(oids.values()), self.max_repetitions,
                                         row_hint=p.interfaces.row_count)).columns
            state.ports = ifr.build_port_map(*(ifr.column(walked, oids, k) for k in ("name", "descr", "mac")))
        return state.ports

    async def _neighbors(self, host: SnmpHost, state: _Poll) -> None:
        ports = await self._port_map(host, state)
        assert state.ep is not None
        found: list[Neighbor] = []
        for table in state.profile.neighbors:
            found += await READERS[table.layout](host, state.ep, table, ports, self.max_repetitions)
        state.neighbors = tuple(found)

    async def _optics(self, host: SnmpHost, state: _Poll) -> None:
        ports = await self._port_map(host, state)
        assert state.ep is not None
        state.optics = await read_optics(host, state.ep, state.profile, ports, self.max_repetitions)

    def active_limit(self, timeout_s: float, max_in_flight: int) -> int:
        """The most polls that may bring CPU work at once: below timeout / CPU per poll."""
        return max(1, min(max_in_flight, int(timeout_s / CPU_S_PER_POLL.get(self.codec, 0.02))))

    async def poll_many(self, targets: Iterable[Target], kinds: Iterable[PollKind],
                        max_in_flight: int | None = None) -> AsyncIterator[PollResult]:
        """Poll every target with bounded concurrency; yields results as they finish."""
        wanted = frozenset(kinds)
        todo = list(targets)
        if not todo:
            return
        limit = max(1, max_in_flight or self.max_in_flight)
        timeout_s = min(t.timeouts.snmp_timeout_s for t in todo)
        opened = asyncio.Semaphore(limit)
        most = self.active_limit(timeout_s, limit)
        # pysnmp starts slow (a burst of answers it cannot decode in time collapses a cycle);
        # the fast codec decodes a full burst well within the timeout
        start = most if self.codec == "fast" else 8
        active = AdaptiveGate(most, start=start, high_lag_s=timeout_s / 10)
        results: asyncio.Queue[PollResult] = asyncio.Queue()

        async def one(target: Target) -> None:
            async with opened:
                await active.acquire()
                released = False

                def release() -> None:
                    nonlocal released
                    if not released:
                        released = True
                        active.release()

                timer = asyncio.get_running_loop().call_later(target.timeouts.snmp_timeout_s / 2, release)
                try:
                    await results.put(await self.poll(target, wanted))
                finally:
                    timer.cancel()
                    release()

        watcher = asyncio.create_task(active.watch())
        tasks = [asyncio.create_task(one(t)) for t in todo]
        try:
            for _ in todo:
                yield await results.get()
        finally:
            for task in (*tasks, watcher):
                task.cancel()
            await asyncio.gather(*tasks, watcher, return_exceptions=True)
            self.last_active_limit = active.lowest
