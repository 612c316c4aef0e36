"""Slow or unstable: judge each device's stored ICMP bursts against the thresholds in settings.

A device is *impaired* when, over the bursts of the last ``monitor.loss_window_s`` (at least
``MIN_BURSTS`` of them, so one bad burst is not enough), it lost ``monitor.loss_pct`` % of its
echoes or more, or its median round trip is ``monitor.latency_factor`` times its usual one and
at least ``monitor.latency_min_ms``. Its usual round trip is the median of the hourly medians of
the last ``monitor.latency_baseline_h`` hours (from the rollups, at least
``MIN_BASELINE_HOURS`` of them; so a device has a baseline from its fourth hour on, and a slowness
lasting half a day becomes its new usual). A burst that nothing answered is the device being
down or filtering ICMP, which the up/down verdict covers: it does not count as loss (so a
recovery does not look lossy, and a device that never answers ping is never judged). An impaired
device recovers once it is below ``RECOVER`` of each threshold, so a device near a threshold does
not flap.

The verdict becomes ``DeviceEvidence.impaired`` (``netops.monitor.evidence``): the assessment
degrades the sites behind the impaired device closest to the core and makes it the root cause.
Reading is cheap: one query for the window's bursts of all devices (or of one batch's devices),
the baselines from the rollups once per hour.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.models import LatencyRollup, LatencySample
from netops.settings import MonitorSettings
from topology.wording import impairment_text

MIN_BURSTS = 3
MIN_BASELINE_HOURS = 3
RECOVER = 0.7


@dataclass(frozen=True, slots=True)
class Thresholds:
    loss_pct: float = 10.0
    window_s: int = 300
    latency_factor: float = 3.0
    latency_min_ms: float = 20.0
    baseline_h: int = 24

    @classmethod
    def of(cls, monitor: MonitorSettings) -> Thresholds:
        return cls(monitor.loss_pct, monitor.loss_window_s, monitor.latency_factor, monitor.latency_min_ms,
                   monitor.latency_baseline_h)


@dataclass(frozen=True, slots=True)
class Burst:
    """What the judgement needs of one stored burst."""

    sent: int
    received: int
    rtt_avg_ms: float | None = None


@dataclass(frozen=True, slots=True)
class Impairment:
    """Why a device is slow or unstable: the loss over the window and/or its round trip against
    its usual one (None where that measure is within bounds)."""

    window_s: int
    loss_pct: float | None = None
    rtt_ms: float | None = None
    usual_ms: float | None = None

    def reason(self, lang: str = "en") -> str:
        return impairment_text(lang, loss_pct=self.loss_pct, window_s=self.window_s, rtt_ms=self.rtt_ms,
                               usual_ms=self.usual_ms)


def judge(bursts: Sequence[Burst], usual_ms: float | None, limits: Thresholds, *,
          was_impaired: bool = False) -> Impairment | None:
    """The verdict on one device's bursts of the window; None when it is neither lossy nor slow."""
    answered = [b for b in bursts if b.received > 0 and b.sent > 0]
    if len(answered) < MIN_BURSTS:
        return None
    scale = RECOVER if was_impaired else 1.0
    sent = sum(b.sent for b in answered)
    loss = 100.0 * (sent - sum(min(b.received, b.sent) for b in answered)) / sent
    rtts = [b.rtt_avg_ms for b in answered if b.rtt_avg_ms is not None]
    rtt = statistics.median(rtts) if rtts else None
    lossy = loss >= limits.loss_pct * scale
    slow = (
        rtt is not None
        and usual_ms is not None
        and rtt >= limits.latency_factor * usual_ms * scale
        and rtt >= limits.latency_min_ms * scale
    )
    if not lossy and not slow:
        return None
    return Impairment(limits.window_s, loss if lossy else None, rtt if slow else None,
                      usual_ms if slow else None)


class LatencyJudge:
    """The monitor's reading of the stored bursts: impairments now, baselines cached per hour."""

    def __init__(self, limits: Thresholds) -> None:
        self.limits = limits
        self.current: dict[str, Impairment] = {}  # of the last full evaluation
        self._usual: dict[int, float] = {}
        self._usual_key: tuple[datetime | None, datetime] | None = None

    def assess(self, session: Session, now: datetime, devices: Mapping[str, int],
               prior: Collection[str] = ()) -> dict[str, Impairment]:
        """Every device's impairment (``devices``: name -> id; ``prior``: impaired before)."""
        result = self._judge(session, now, devices, set(prior) | set(self.current), only=None)
        self.current = result
        return result

    def changed(self, session: Session, now: datetime, devices: Mapping[str, int]) -> bool:
        """Whether any of ``devices`` (one batch) became impaired or recovered since the last
        full evaluation: if so, the quick path must not be taken."""
        if not devices:
            return False
        now_impaired = self._judge(session, now, devices, set(self.current), only=devices.values())
        return any((name in now_impaired) != (name in self.current) for name in devices)

    def _judge(self, session: Session, now: datetime, devices: Mapping[str, int], prior: set[str],
               only: Collection[int] | None) -> dict[str, Impairment]:
        bursts = window_bursts(session, now - timedelta(seconds=self.limits.window_s), only)
        if not bursts:
            return {}
        usual = self.usual(session, now)
        out = {}
        for name, device_id in devices.items():
            found = bursts.get(device_id)
            if not found:
                continue
            verdict = judge(found, usual.get(device_id), self.limits, was_impaired=name in prior)
            if verdict is not None:
                out[name] = verdict
        return out

    def usual(self, session: Session, now: datetime) -> dict[int, float]:
        """Each device's usual round trip; recomputed when the hour or the newest rollup changes."""
        newest = session.scalar(select(func.max(LatencyRollup.hour)))
        key = (newest, now.replace(minute=0, second=0, microsecond=0))
        if key != self._usual_key:
            self._usual = usual_rtts(session, now, self.limits.baseline_h)
            self._usual_key = key
        return self._usual


def window_bursts(session: Session, since: datetime, only: Collection[int] | None = None) -> dict[
        int, list[Burst]]:
    """The bursts since ``since`` by device id (of ``only`` those devices when given): one query."""
    query = select(LatencySample.device_id, LatencySample.sent, LatencySample.received,
                   LatencySample.rtt_avg_ms).where(LatencySample.sampled_at >= since)
    if only is not None:
        query = query.where(LatencySample.device_id.in_(list(only)))
    out: dict[int, list[Burst]] = {}
    for device_id, sent, received, rtt in session.execute(query):
        out.setdefault(device_id, []).append(Burst(sent, received, rtt))
    return out


def usual_rtts(session: Session, now: datetime, hours: int) -> dict[int, float]:
    """Median of the hourly median round trips of the last ``hours`` hours, per device id."""
    query = select(LatencyRollup.device_id, LatencyRollup.rtt_median_ms).where(
        LatencyRollup.hour >= now - timedelta(hours=hours), LatencyRollup.rtt_median_ms.is_not(None))
    medians: dict[int, list[float]] = {}
    for device_id, median in session.execute(query):
        if median is not None:
            medians.setdefault(device_id, []).append(median)
    return {d: statistics.median(v) for d, v in medians.items() if len(v) >= MIN_BASELINE_HOURS}
