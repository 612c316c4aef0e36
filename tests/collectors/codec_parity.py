"""Helpers to poll with a chosen SNMP codec and compare records (timestamps and uptimes aside)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable
from typing import Any

from collectors.observations import PollKind, PollResult
from collectors.snmp import SnmpPoller
from collectors.targets import Target

CODECS = ("fast", "pysnmp")
CLOCK_FIELDS = frozenset({"started_at", "finished_at", "uptime_s", "last_change_s"})


def poll_with(codec: str, targets: Iterable[Target], kinds: frozenset[PollKind]) -> dict[str, PollResult]:
    """One poll of each target, one after the other, through a poller forced to ``codec``."""

    async def run() -> dict[str, PollResult]:
        poller = SnmpPoller(codec=codec)
        try:
            return {t.device_key: await poller.poll(t, kinds) for t in targets}
        finally:
            poller.close()

    return asyncio.run(run())


def record(result: PollResult, clock: bool = False) -> Any:
    """The result as plain data; without ``clock`` the fields that change with time are dropped
    (a real agent's sysUpTime moves between two polls)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                    if clock or f.name not in CLOCK_FIELDS}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, frozenset | set):
            return sorted(str(v) for v in value)
        return value

    return plain(result)
