"""Round-trip time and loss per device: one row per ICMP burst, and hourly rollups of them.

Each status poll sends a short burst of echoes to every device (``netops.polling.icmp``); the
store keeps what came back (``latency_samples``), retention folds complete hours into
``latency_rollups`` (medians for the graphs and for each device's usual round trip) and purges
raw samples by age, as it does for counters.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models.base import Base


class LatencySample(Base):
    """One burst to one device: echoes sent and answered, round trips in ms (None: none answered)."""

    __tablename__ = "latency_samples"
    __table_args__ = (
        Index("ix_latency_samples_device_time", "device_id", "sampled_at"),
        Index("ix_latency_samples_time", "sampled_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    sampled_at: Mapped[datetime]
    sent: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer)
    rtt_min_ms: Mapped[float | None]
    rtt_avg_ms: Mapped[float | None]
    rtt_max_ms: Mapped[float | None]


class LatencyRollup(Base):
    """One device's bursts of one hour: loss, and the median, extremes and mean of round trips."""

    __tablename__ = "latency_rollups"
    __table_args__ = (
        Index("ix_latency_rollups_device_hour", "device_id", "hour", unique=True),
        Index("ix_latency_rollups_hour", "hour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    hour: Mapped[datetime]
    samples: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[int] = mapped_column(Integer, default=0)
    rtt_min_ms: Mapped[float | None]
    rtt_median_ms: Mapped[float | None]
    rtt_avg_ms: Mapped[float | None]
    rtt_max_ms: Mapped[float | None]
