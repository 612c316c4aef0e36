"""A fake network for scheduler tests: a poll function and a persist function over a dict.

Only for unit tests of our own scheduling logic; the integration tests use the real poll task
and store against the namespace testbed.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.observations import ErrorKind, InterfaceState, OperStatus, PollError, PollKind, PollResult
from collectors.targets import Target
from inventory.models import Device, Interface
from netops.settings import Settings


class FakeNetwork:
    def __init__(self, ports: dict[str, dict[str, str]], delay_s: float = 0.0) -> None:
        self.ports = ports  # device -> port -> oper status
        self.silent: set[str] = set()
        self.delay_s = delay_s
        self.polls: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    async def poll(self, targets: Sequence[Target], kinds: frozenset[PollKind],
                   settings: Settings) -> list[PollResult]:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        now = datetime.now(UTC)
        results = []
        for target in targets:
            with self.lock:
                self.polls.append((asyncio.get_running_loop().time(), target.device_key))
            if target.device_key in self.silent:
                results.append(PollResult(device_key=target.device_key, profile="fake", transport="snmp",
                                          started_at=now, finished_at=now,
                                          errors=(PollError(ErrorKind.TIMEOUT, "no answer"),)))
                continue
            states = tuple(InterfaceState(name=port, oper_status=OperStatus(status))
                           for port, status in self.ports.get(target.device_key, {}).items())
            results.append(PollResult(device_key=target.device_key, profile="fake", transport="snmp",
                                      started_at=now, finished_at=now, completed=frozenset(kinds),
                                      interfaces=states))
        return results


def fake_persist(session: Session, result: PollResult, job: str, job_run_id: int | None,
                 now: datetime) -> Any:
    device = session.scalar(select(Device).where(Device.name == result.device_key))
    if device is None or PollKind.INTERFACES not in result.completed:
        return None
    for state in result.interfaces:
        row = session.scalar(select(Interface).where(Interface.device_id == device.id,
                                                     Interface.name == state.name))
        if row is not None:
            row.oper_status, row.admin_status = state.oper_status.value, "up"
    return None
