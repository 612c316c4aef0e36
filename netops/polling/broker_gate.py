"""Whether to try the broker now: after a publish failed, not again for ``BROKER_AWAY_S``.

A broker that refused one message (after the publish's own reconnecting retry, or a frozen one
after its socket timeouts) would make every later publish of the cycle wait the same timeouts.
Poll tasks and ping tasks share one gate, so a cycle of many batches waits for one failed
publish, and the devices of the rest are named at once ("broker unreachable").
"""

from __future__ import annotations

import time

BROKER_AWAY_S = 5.0


class BrokerGate:
    def __init__(self, away_s: float = BROKER_AWAY_S) -> None:
        self._away_s = away_s
        self._state: tuple[float, str] = (-1e9, "")  # (until, reason)

    def away(self) -> str | None:
        """The reason of the last failed publish while it is fresh, else None (try the broker)."""
        until, reason = self._state
        return reason if time.monotonic() < until else None

    def failed(self, exc: BaseException) -> str:
        """Record a failed publish; the reason to name the devices with."""
        reason = f"broker unreachable ({type(exc).__name__})"
        self._state = (time.monotonic() + self._away_s, reason)
        return reason
