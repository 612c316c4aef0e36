"""Persist the ICMP bursts of a status poll: one ``latency_samples`` row per device and burst.

``netops.apply`` calls this in the same transaction as the poll results, before the monitor
assesses, so the loss and round trips it judges include this cycle's burst.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, LatencySample
from netops.polling.icmp import IcmpStats


def record_latency(session: Session, bursts: Mapping[str, IcmpStats]) -> int:
    """Store each device's burst (by device name; unknown names are skipped); returns the rows written."""
    if not bursts:
        return 0
    query = select(Device.name, Device.id).where(Device.name.in_(list(bursts)))
    ids = dict(session.execute(query).tuples().all())
    rows = [
        LatencySample(device_id=ids[name], sampled_at=stats.at, sent=stats.sent, received=stats.received,
                      rtt_min_ms=stats.rtt_min_ms, rtt_avg_ms=stats.rtt_avg_ms, rtt_max_ms=stats.rtt_max_ms)
        for name, stats in sorted(bursts.items())
        if name in ids and stats.sent > 0
    ]
    session.add_all(rows)
    return len(rows)
