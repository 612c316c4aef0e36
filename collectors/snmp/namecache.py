"""Interface names remembered between status polls, so a status poll need not re-read ifName.

The status job runs every minute and only needs states, but its records are keyed by
interface name. Reading ifName every time is a quarter of a 48-port status poll's varbinds
(and of its CPU). So the names of the last full read are kept per device and reused while
they are provably still right: the agent did not restart (sysUpTime did not go back), it
reports exactly the same ifIndexes, and the names are younger than ``max_age_s`` (the hourly
discovery refreshes them anyway). Otherwise the poller reads ifName again. The poller also
asks ``rows``: an empty interface table from a device that had interfaces an hour ago at most
is a broken answer, not a device without interfaces.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from collectors.snmp.session import Oid

MAX_AGE_S = 3600.0


@dataclass(frozen=True, slots=True)
class _Entry:
    names: dict[Oid, object]
    descrs: dict[Oid, object]
    indexes: frozenset[Oid]
    uptime_s: float
    stored_at: float


class NameCache:
    """device key -> the raw ifName / ifDescr columns of its last full interface read."""

    def __init__(self, max_age_s: float = MAX_AGE_S) -> None:
        self.max_age_s = max_age_s
        self._entries: dict[str, _Entry] = {}

    def has(self, device: str) -> bool:
        entry = self._entries.get(device)
        return entry is not None and time.monotonic() - entry.stored_at < self.max_age_s

    def rows(self, device: str) -> int:
        """How many interfaces the last full read of ``device`` found (0: none or too old)."""
        entry = self._entries.get(device)
        return len(entry.indexes) if entry is not None and self.has(device) else 0

    def lookup(self, device: str, indexes: frozenset[Oid],
               uptime_s: float | None) -> tuple[dict[Oid, object], dict[Oid, object]] | None:
        """The cached (names, descrs) if still valid for this answer, else None."""
        entry = self._entries.get(device)
        if entry is None or uptime_s is None or not self.has(device):
            return None
        if uptime_s < entry.uptime_s or indexes != entry.indexes:
            return None
        return entry.names, entry.descrs

    def store(self, device: str, names: dict[Oid, object], descrs: dict[Oid, object], indexes: frozenset[Oid],
              uptime_s: float | None) -> None:
        if uptime_s is None:
            self._entries.pop(device, None)
            return
        self._entries[device] = _Entry(dict(names), dict(descrs), indexes, uptime_s, time.monotonic())

    def forget(self, device: str) -> None:
        self._entries.pop(device, None)
