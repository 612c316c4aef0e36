"""A device's round trips and loss over time, for its graph and ``/api/v1/devices/<name>/latency``.

Recent windows (up to ``RAW_HOURS``) read one point per ICMP burst (``latency_samples``; the
round trip is the burst's mean); longer ones, or windows whose raw samples were purged, read the
hourly rollups (the round trip is the hour's median). Only stored measurements: whether a device
is slow or unstable is the monitor's verdict, shown with the site's state, never decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, LatencyRollup, LatencySample

RAW_HOURS = 48
MAX_HOURS = 24 * 400


@dataclass(frozen=True, slots=True)
class LatencyPoint:
    """One burst (or one hour of them): echoes sent and answered, round trips in ms."""

    at: datetime
    sent: int
    received: int
    loss_pct: float
    rtt_min_ms: float | None
    rtt_ms: float | None  # the burst's mean, or the hour's median of burst means
    rtt_max_ms: float | None


@dataclass(frozen=True, slots=True)
class LatencySeries:
    device: str
    hours: int
    resolution: str  # "burst" | "hour"
    start: datetime
    end: datetime
    points: tuple[LatencyPoint, ...]


def _loss(sent: int, received: int) -> float:
    return round(100.0 * (sent - received) / sent, 1) if sent else 0.0


def latency_series(session: Session, device: str, hours: int = 24, now: datetime | None = None) -> (
        LatencySeries | None):
    """The device's points of the last ``hours`` hours, oldest first; None for an unknown device."""
    device_id = session.scalar(select(Device.id).where(Device.name == device))
    if device_id is None:
        return None
    end = now or datetime.now(UTC)
    start = end - timedelta(hours=hours)
    raw = _raw(session, device_id, start) if hours <= RAW_HOURS else []
    points, resolution = (raw, "burst") if raw else (_hourly(session, device_id, start), "hour")
    if not points and hours > RAW_HOURS:
        points, resolution = _raw(session, device_id, start), "burst"
    return LatencySeries(device, hours, resolution, start, end, tuple(points))


def _raw(session: Session, device_id: int, start: datetime) -> list[LatencyPoint]:
    query = (select(LatencySample.sampled_at, LatencySample.sent, LatencySample.received,
                    LatencySample.rtt_min_ms, LatencySample.rtt_avg_ms, LatencySample.rtt_max_ms)
             .where(LatencySample.device_id == device_id, LatencySample.sampled_at >= start)
             .order_by(LatencySample.sampled_at))
    return [LatencyPoint(at, sent, received, _loss(sent, received), low, avg, high)
            for at, sent, received, low, avg, high in session.execute(query)]


def _hourly(session: Session, device_id: int, start: datetime) -> list[LatencyPoint]:
    query = (select(LatencyRollup.hour, LatencyRollup.sent, LatencyRollup.received, LatencyRollup.rtt_min_ms,
                    LatencyRollup.rtt_median_ms, LatencyRollup.rtt_max_ms)
             .where(LatencyRollup.device_id == device_id, LatencyRollup.hour >= start)
             .order_by(LatencyRollup.hour))
    return [LatencyPoint(hour, sent, received, _loss(sent, received), low, median, high)
            for hour, sent, received, low, median, high in session.execute(query)]
