"""A fake network for scheduler tests: a poll function over a dict of port states.

Only for unit tests of our own scheduling logic; results go through the real store and monitor
(``netops.apply``). The integration tests use the real poll task against the namespace testbed.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from collectors.observations import ErrorKind, InterfaceState, OperStatus, PollError, PollKind, PollResult
from collectors.targets import Target
from netops.settings import Settings


class FakeNetwork:
    def __init__(self, ports: dict[str, dict[str, str]], delay_s: float = 0.0) -> None:
        self.ports = ports  # device -> port -> oper status
        self.silent: set[str] = set()
        self.delay_s = delay_s
        self.polls: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    async def poll(
        self, targets: Sequence[Target], kinds: frozenset[PollKind], settings: Settings
    ) -> list[PollResult]:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        now = datetime.now(UTC)
        results = []
        for target in targets:
            with self.lock:
                self.polls.append((asyncio.get_running_loop().time(), target.device_key))
            if target.device_key in self.silent:
                results.append(
                    PollResult(
                        device_key=target.device_key,
                        profile="fake",
                        transport="snmp",
                        started_at=now,
                        finished_at=now,
                        errors=(PollError(ErrorKind.TIMEOUT, "no answer"),),
                    )
                )
                continue
            states = tuple(
                InterfaceState(name=port, oper_status=OperStatus(status))
                for port, status in self.ports.get(target.device_key, {}).items()
            )
            results.append(
                PollResult(
                    device_key=target.device_key,
                    profile="fake",
                    transport="snmp",
                    started_at=now,
                    finished_at=now,
                    completed=frozenset(kinds),
                    interfaces=states,
                )
            )
        return results
