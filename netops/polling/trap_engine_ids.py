"""The SNMPv3 engine IDs the trap receiver remembers: bounded per device and in total, and forgotten.

A trap's keys are localised to the sending engine's ID (RFC 3414 §2.6). The receiver keeps the
localised keys of the (engine ID, user) pairs that sent an authentic trap, so the next trap from
the same engine needs no hashing; anything else is computed for the one message and dropped.
The store is an LRU: at most ``per_device`` pairs per device (a device has one engine ID; a new
one after a reboot or a replacement pushes the old out), at most ``total`` pairs overall, and a
pair unused for ``ttl_s`` is forgotten. Pure logic: the caller passes the clock.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")
Key = tuple[bytes, bytes]  # (engine ID, user name)


@dataclass(slots=True)
class _Entry(Generic[V]):
    device: str
    value: V
    last_used: float


class EngineIdCache(Generic[V]):
    """(engine ID, user) -> value, least recently used first out, per device and overall."""

    def __init__(self, *, per_device: int, total: int, ttl_s: float) -> None:
        if per_device < 1 or total < 1 or ttl_s <= 0:
            raise ValueError("per_device and total must be at least 1 and ttl_s positive")
        self.per_device = per_device
        self.total = total
        self.ttl_s = ttl_s
        self._entries: OrderedDict[Key, _Entry[V]] = OrderedDict()
        self._by_device: dict[str, OrderedDict[Key, None]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def count(self, device: str) -> int:
        return len(self._by_device.get(device, ()))

    def get(self, key: Key, now: float) -> V | None:
        """The value of ``key`` (and mark it used), None if unknown or idle longer than the TTL."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if now - entry.last_used > self.ttl_s:
            self._remove(key)
            return None
        entry.last_used = now
        self._entries.move_to_end(key)
        self._by_device[entry.device].move_to_end(key)
        return entry.value

    def put(self, key: Key, device: str, value: V, now: float) -> list[Key]:
        """Remember ``key`` for ``device``; returns the keys pushed out to stay within the bounds."""
        if key in self._entries:
            self._remove(key)
        self._entries[key] = _Entry(device, value, now)
        self._by_device.setdefault(device, OrderedDict())[key] = None
        evicted: list[Key] = []
        owned = self._by_device[device]
        while len(owned) > self.per_device:
            evicted.append(self._remove(next(iter(owned))))
        while len(self._entries) > self.total:
            evicted.append(self._remove(next(iter(self._entries))))
        return evicted

    def expire(self, now: float) -> list[Key]:
        """Forget every pair idle for longer than the TTL; returns what went."""
        stale = [key for key, entry in self._entries.items() if now - entry.last_used > self.ttl_s]
        return [self._remove(key) for key in stale]

    def clear(self) -> None:
        self._entries.clear()
        self._by_device.clear()

    def _remove(self, key: Key) -> Key:
        entry = self._entries.pop(key)
        owned = self._by_device[entry.device]
        del owned[key]
        if not owned:
            del self._by_device[entry.device]
        return key
