"""Trap counters per reason: counted in memory, written to ``trap_stats`` in one transaction per flush.

A commit per trap capped the receiver at ~450 traps/s on SQLite and put the database in the
path of every datagram, hostile ones included. ``TrapStats.count`` only adds to a dict under a
lock; the receiver's upkeep thread calls ``flush`` every ``traps.stats_flush_s`` (1 s) and at
stop, writing one ``UPDATE ... SET count = count + n`` (or an insert) per reason that moved.
``Throttle`` turns a flood of bad datagrams into one WARNING per minute with the number seen;
``DropCounters`` names the reason pysnmp refused a message from its own counters.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from pysnmp.entity import engine
from sqlalchemy import Engine, insert, update

from inventory.db import session_scope
from inventory.models import TrapStat, utcnow

log = logging.getLogger(__name__)

DROP_COUNTERS = {  # pysnmp's counters -> our reason, read before and after each message
    ("__SNMPv2-MIB", "snmpInBadCommunityNames"): "bad_community",
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnknownUserNames"): "unknown_v3_user",
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnsupportedSecLevels"): "bad_v3_level",
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsWrongDigests"): "bad_v3_auth",
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsDecryptionErrors"): "bad_v3_priv",
    ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnknownEngineIDs"): "v3_discovery",
    ("__SNMPv2-MIB", "snmpInASNParseErrs"): "malformed",
    ("__SNMPv2-MIB", "snmpInBadVersions"): "malformed",
}


@dataclass(slots=True)
class _Pending:
    count: int
    last_at: datetime
    last_sender: str


class TrapStats:
    """Counts since start (``totals``) and the part not yet in the database (``flush``)."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._totals: dict[str, int] = {}
        self._flush_failures = Throttle(60.0)

    def count(self, reason: str, sender: str) -> None:
        now = utcnow()
        with self._lock:
            self._totals[reason] = self._totals.get(reason, 0) + 1
            pending = self._pending.get(reason)
            if pending is None:
                self._pending[reason] = _Pending(1, now, sender[:100])
            else:
                pending.count += 1
                pending.last_at, pending.last_sender = now, sender[:100]

    def totals(self) -> dict[str, int]:
        with self._lock:
            return dict(self._totals)

    def flush(self) -> int:
        """Write what was counted since the last flush in one transaction; returns the traps written."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        try:
            with session_scope(self._db) as session:
                for reason, p in pending.items():
                    changed = session.execute(
                        update(TrapStat).where(TrapStat.reason == reason)
                        .values(count=TrapStat.count + p.count, last_at=p.last_at, last_sender=p.last_sender))
                    if getattr(changed, "rowcount", 0) == 0:
                        session.execute(insert(TrapStat).values(
                            reason=reason, count=p.count, last_at=p.last_at, last_sender=p.last_sender))
        except Exception as exc:
            self._merge_back(pending)
            suppressed = self._flush_failures.ready()
            if suppressed is not None:
                log.warning("trap counters not written (kept for the next try; %d earlier failures): %s",
                            suppressed, exc)
            return 0
        return sum(p.count for p in pending.values())

    def _merge_back(self, pending: dict[str, _Pending]) -> None:
        with self._lock:
            for reason, p in pending.items():
                newer = self._pending.get(reason)
                if newer is None:
                    self._pending[reason] = p
                else:
                    newer.count += p.count


class Throttle:
    """At most one go per ``interval_s``; ``ready`` says how many were held back since the last."""

    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._last = -float("inf")
        self._held = 0

    def ready(self) -> int | None:
        now = time.monotonic()
        if now - self._last < self._interval_s:
            self._held += 1
            return None
        held, self._held, self._last = self._held, 0, now
        return held


class DropCounters:
    """pysnmp's drop counters, read around each message to name why it went no further."""

    def __init__(self, snmp: engine.SnmpEngine) -> None:
        builder = snmp.get_mib_builder()
        self._symbols = [(builder.import_symbols(module, name)[0], reason)
                         for (module, name), reason in DROP_COUNTERS.items()]

    def read(self) -> list[int]:
        return [int(symbol.syntax) for symbol, _ in self._symbols]

    def moved(self, before: list[int]) -> list[str]:
        after = self.read()
        return sorted({reason for (_, reason), old, new in zip(self._symbols, before, after, strict=True)
                       if new > old})
