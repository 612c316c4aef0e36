"""An adaptive concurrency gate for SNMP polls: AIMD on the event loop's own lag.

pysnmp spends ~10 ms of CPU decoding a 48-port answer. When more answers arrive than the
loop can decode before their timeout, they expire, get retried and double the load: the poll
cycle collapses (../shared/reading/snmp-performance.md, 0 of 500 answered). The safe number
of polls in flight depends on the CPU really available, which a busy machine shares with
other work. So the gate measures how late a 50 ms timer fires (the loop's lag): when the lag
passes ``high_lag_s`` the limit shrinks by 30 %, when the loop is responsive it grows by one
(from ``start``, a slow start: a burst of answers arriving at once is what collapses a cycle),
always between ``minimum`` and ``maximum``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib

SAMPLE_S = 0.05


class AdaptiveGate:
    """At most ``limit`` holders; ``limit`` adapts to the loop's lag while ``watch()`` runs."""

    def __init__(self, maximum: int, *, minimum: int = 2, start: int = 8, high_lag_s: float = 0.1) -> None:
        self.maximum = max(1, maximum)
        self.minimum = max(1, min(minimum, self.maximum))
        self.limit = float(min(self.maximum, max(self.minimum, start)))
        self.high_lag_s = high_lag_s
        self.holders = 0
        self.lowest = self.maximum
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self) -> None:
        if self.holders < int(self.limit) and not self._waiters:
            self.holders += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # we were handed the slot just as we were cancelled
            raise

    def release(self) -> None:
        self.holders -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.holders < int(self.limit):
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.holders += 1
                waiter.set_result(None)

    def adjust(self, lag_s: float) -> None:
        """One AIMD step from a lag sample."""
        if lag_s > self.high_lag_s:
            self.limit = max(float(self.minimum), self.limit * 0.7)
        elif lag_s < self.high_lag_s / 5:
            self.limit = min(float(self.maximum), self.limit + 1)
        self.lowest = min(self.lowest, int(self.limit))
        self._wake()

    async def watch(self) -> None:
        """Sample the loop's lag every 50 ms until cancelled."""
        loop = asyncio.get_running_loop()
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                start = loop.time()
                await asyncio.sleep(SAMPLE_S)
                self.adjust(loop.time() - start - SAMPLE_S)
