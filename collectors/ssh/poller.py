"""``SshPoller``: poll one device over SSH into a ``PollResult``, or many on a bounded pool.

``poll`` is blocking and thread-pool friendly. The session runs in a worker thread while the
caller waits at most until the target's deadline (``Timeouts.deadline_s``): a device that hangs
mid-command cannot hold the cycle, because the caller returns at the deadline with what was
completed so far and ``ErrorKind.TIMEOUT`` for the rest, and aborts the transport under the
worker (whose own reads are also capped to the deadline, so it ends soon after). Each poll kind
is read and recorded on its own: a kind is ``completed`` only when all its commands parsed, and
a parse failure of one kind never discards another. The result is always returned, never an
exception; nothing here touches a database or resolves identities.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime

from collectors.observations import (
    ConfigSnapshot,
    DeviceFacts,
    ErrorKind,
    InterfaceState,
    Neighbor,
    OpticalReading,
    PollError,
    PollKind,
    PollResult,
)
from collectors.ssh import records
from collectors.ssh.errors import classify
from collectors.ssh.mask import clean_config
from collectors.ssh.parse import ParseError, parse
from collectors.ssh.platform import CommandSpec, Platform, load_platforms
from collectors.ssh.session import Budget, EnableFailed, Session, UnsupportedCommand, secrets_of
from collectors.targets import Target

log = logging.getLogger(__name__)

KIND_ORDER = (PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.OPTICS, PollKind.CONFIG)
PLATFORM_ALIASES = {"huawei_vrp": "huawei"}  # inventory platform name -> platform file


@dataclass
class _Progress:
    """What a poll learned so far; shared between the worker and the waiting caller."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    completed: set[PollKind] = field(default_factory=set)
    facts: DeviceFacts | None = None
    interfaces: list[InterfaceState] = field(default_factory=list)
    neighbors: list[Neighbor] = field(default_factory=list)
    optics: list[OpticalReading] = field(default_factory=list)
    config: ConfigSnapshot | None = None
    errors: list[PollError] = field(default_factory=list)
    current: PollKind | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def fail(self, kind: ErrorKind, message: str, poll_kind: PollKind | None) -> None:
        with self.lock:
            self.errors.append(PollError(kind=kind, message=message, poll_kind=poll_kind))


class SshPoller:
    """Polls devices over SSH with the platform definitions in ``collectors/ssh/platforms``."""

    def __init__(
        self, platforms: dict[str, Platform] | None = None, session_log_dir: str | None = None
    ) -> None:
        self.platforms = platforms if platforms is not None else load_platforms()
        self.session_log_dir = session_log_dir

    def platform_for(self, target: Target) -> Platform | None:
        name = target.platform or ""
        return self.platforms.get(name) or self.platforms.get(PLATFORM_ALIASES.get(name, ""))

    def poll(self, target: Target, kinds: Iterable[PollKind]) -> PollResult:
        """Poll one device; returns by the target's deadline whatever the device does."""
        started = datetime.now(UTC)
        wanted = [k for k in KIND_ORDER if k in set(kinds)]
        platform = self.platform_for(target)
        progress = _Progress()
        if platform is None or target.ssh is None:
            reason = (
                "no SSH credentials" if platform else f"no SSH platform definition for {target.platform!r}"
            )
            progress.fail(ErrorKind.UNSUPPORTED, reason, None)
            return self._result(target, target.profile or "", started, progress)
        unsupported = [k for k in wanted if k not in platform.supported]
        for kind in unsupported:
            progress.fail(ErrorKind.UNSUPPORTED, f"{platform.name} has no SSH command for {kind.value}", kind)
        budget = Budget.starting_now(target.timeouts.deadline_s)
        session = Session(target, platform, budget, self.session_log_dir)
        todo = [k for k in wanted if k not in unsupported]
        worker = threading.Thread(
            target=self._work, args=(session, todo, progress), daemon=True, name=f"ssh-{target.device_key}"
        )
        worker.start()
        if not progress.done.wait(max(0.0, budget.remaining())):
            session.abort()
            with progress.lock:
                where = progress.current
                progress.errors.append(
                    PollError(
                        ErrorKind.TIMEOUT,
                        f"the SSH poll reached its deadline of {target.timeouts.deadline_s:g} s",
                        where,
                    )
                )
                progress.done.set()
        # the device's profile as netops knows it (SNMP), so an SSH poll never replaces it
        return self._result(target, target.profile or platform.name, started, progress)

    def poll_many(
        self, targets: Iterable[Target], kinds: Iterable[PollKind], max_workers: int = 16
    ) -> Iterator[PollResult]:
        """Poll many devices on a bounded thread pool; results in completion order."""
        kind_set = frozenset(kinds)
        with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="ssh-poll") as pool:
            futures = [pool.submit(self.poll, t, kind_set) for t in targets]
            for future in as_completed(futures):
                yield future.result()

    def _work(self, session: Session, kinds: list[PollKind], progress: _Progress) -> None:
        try:
            if kinds:
                session.open()
                for kind in kinds:
                    if progress.done.is_set():
                        return
                    with progress.lock:
                        progress.current = kind
                    self._read_kind(session, kind, progress)
        except Exception as exc:  # every failure becomes a PollError, never an escaping exception
            if not progress.done.is_set():
                error_kind, message = (
                    (ErrorKind.AUTH, str(exc)) if isinstance(exc, EnableFailed) else classify(exc)
                )
                progress.fail(error_kind, message, progress.current)
                log.debug("ssh poll of %s failed", session.target.device_key, exc_info=True)
        finally:
            session.close()
            progress.done.set()

    def _read_kind(self, session: Session, kind: PollKind, progress: _Progress) -> None:
        platform = session.platform
        try:
            if kind is PollKind.CONFIG and platform.config is not None:
                self._read_config(session, progress)
                return
            parts = [self._read_command(session, kind, spec) for spec in platform.kinds[kind]]
        except ParseError as exc:
            progress.fail(ErrorKind.PARSE, str(exc), kind)
            return
        except UnsupportedCommand as exc:
            progress.fail(ErrorKind.UNSUPPORTED, str(exc), kind)
            return
        with progress.lock:
            if progress.done.is_set():
                return
            if kind is PollKind.FACTS:
                progress.facts = records.merge_facts(p for p in parts if isinstance(p, DeviceFacts))
            for part in parts:
                if isinstance(part, list):
                    getattr(progress, kind.value).extend(part)
            progress.completed.add(kind)

    def _read_command(
        self, session: Session, kind: PollKind, spec: CommandSpec
    ) -> DeviceFacts | list[InterfaceState] | list[Neighbor] | list[OpticalReading] | None:
        try:
            output = session.run(spec.command, spec.read_timeout_s)
        except UnsupportedCommand:
            if spec.optional:
                return None if kind is PollKind.FACTS else []
            raise
        rows = parse(spec.parser, output, spec.rows)
        for row in rows:
            row.setdefault("_prompt", session.base_prompt())
        if not rows and not spec.optional and kind in (PollKind.FACTS, PollKind.INTERFACES):
            # every device has facts and interfaces: an empty read is a failed read, never "none left"
            raise ParseError(f"{spec.command!r} gave no {kind.value}")
        if kind is PollKind.FACTS:
            return records.facts(spec, rows) if rows else None
        if kind is PollKind.INTERFACES:
            return records.interfaces(spec, rows)
        if kind is PollKind.NEIGHBORS:
            return records.neighbors(spec, rows)
        return records.optics(spec, rows)

    def _read_config(self, session: Session, progress: _Progress) -> None:
        spec = session.platform.config
        assert spec is not None
        raw = session.run(spec.command, session.target.timeouts.ssh_command_s)
        text = clean_config(raw, spec, secrets_of(session.target))
        if not text.strip():
            raise ParseError(f"{spec.command!r} returned an empty configuration")
        with progress.lock:
            if not progress.done.is_set():
                progress.config = ConfigSnapshot(text=text, source_command=spec.command)
                progress.completed.add(PollKind.CONFIG)

    @staticmethod
    def _result(target: Target, profile: str, started: datetime, progress: _Progress) -> PollResult:
        with progress.lock:
            return PollResult(
                device_key=target.device_key,
                profile=profile,
                transport="ssh",
                started_at=started,
                finished_at=datetime.now(UTC),
                completed=frozenset(progress.completed),
                facts=progress.facts,
                interfaces=tuple(progress.interfaces),
                neighbors=tuple(progress.neighbors),
                optics=tuple(progress.optics),
                config=progress.config,
                errors=tuple(progress.errors),
            )
