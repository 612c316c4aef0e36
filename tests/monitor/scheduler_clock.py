"""A clock the scheduler tests turn by hand: APScheduler's idea of "now" without real waiting.

APScheduler 3 reads ``datetime.now`` in its scheduler loop and its triggers; the netops
scheduler reads it for a job's first run. ``ManualClock.install`` points those three at this
clock, so a job is due exactly when the test has moved the clock past its next run, however long
the test really takes. ``advance`` moves the clock and wakes the scheduler to look again.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import apscheduler.schedulers.base
import apscheduler.triggers.date
import apscheduler.triggers.interval
import pytest

import netops.polling.scheduler


class ManualClock:
    def __init__(self, start: datetime) -> None:
        self._at = start
        self._lock = threading.Lock()

    def now(self, tz: tzinfo | None = None) -> datetime:
        with self._lock:
            return self._at.astimezone(tz or UTC)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(ClockDatetime, "clock", self, raising=False)
        modules = (apscheduler.schedulers.base, apscheduler.triggers.interval, apscheduler.triggers.date,
                   netops.polling.scheduler)
        for module in modules:
            monkeypatch.setattr(module, "datetime", ClockDatetime)

    def advance(self, seconds: float, scheduler: netops.polling.scheduler.Scheduler) -> None:
        with self._lock:
            self._at += timedelta(seconds=seconds)
        scheduler._aps.wakeup()


class ClockDatetime(datetime):
    """``datetime`` whose ``now`` is the installed clock's (module level, so jobs still pickle)."""

    clock: ManualClock | None = None

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> Any:
        if cls.clock is None:
            return datetime.now(tz)
        return cls.clock.now(tz)
