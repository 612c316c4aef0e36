"""The one link rule: a link's status from the latest readings of its two ends.

A link is ``down`` when a freshly polled end reports its port down (operationally, or
administratively) and no fresh end reports it up; ``degraded`` when it is up but an end counts
errors above the threshold or receives light below its low-alarm threshold plus a margin;
``up`` when a fresh end reports it up; ``unknown`` when no end was freshly polled. An end is
fresh when its device answered its latest poll: the stored ports of a silent device, or of one
whose agent died, are stale and never evidence.

When both ends are fresh and disagree the verdict is ``unknown``: a cut fiber takes both ports
down, a dead switch takes its neighbour's port down and goes silent, and an agent's cached
ifTable (net-snmp: ~3 s) can lag either way, so the next poll of the disagreeing end decides.
The monitor keeps a link's previous state while its verdict is unknown, so every reader sees
the same state (``LinkStatus``) and no event is written for a reading that may be stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from topology.states import LinkStatus

DOWN_OPER = frozenset(
    {
        "down",
        "lowerLayerDown",
        "notPresent",
        "lower_layer_down",
        "not_present",
        "lowerlayerdown",
        "notpresent",
    }
)


@dataclass(frozen=True, slots=True)
class LinkThresholds:
    error_rate_per_s: float = 1.0
    optical_margin_db: float = 3.0


@dataclass(frozen=True, slots=True)
class PortReading:
    """One end of a link as last stored; ``fresh`` when its device answered the latest poll."""

    device: str
    port: str
    fresh: bool
    oper_status: str | None = None
    admin_status: str | None = None
    errors_per_s: float | None = None
    rx_dbm: float | None = None
    rx_low_alarm_dbm: float | None = None
    read_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LinkVerdict:
    """The rule's answer and the technical evidence behind it (shown folded, never as the cause)."""

    status: LinkStatus
    evidence: str


def is_down(end: PortReading) -> bool:
    return (end.admin_status or "").lower() == "down" or (end.oper_status or "") in DOWN_OPER


def link_verdict(a: PortReading, b: PortReading, limits: LinkThresholds) -> LinkVerdict:
    """Down when a fresh end is down and no fresh end is up; degraded on errors or optics; else up."""
    fresh = [end for end in (a, b) if end.fresh and end.oper_status]
    downs = [end for end in fresh if is_down(end)]
    ups = [end for end in fresh if end not in downs and end.oper_status == "up"]
    if downs:
        end = downs[0]
        what = (
            "ifAdminStatus=down"
            if (end.admin_status or "").lower() == "down"
            else f"ifOperStatus={end.oper_status}"
        )
        evidence = f"{end.device}:{end.port} {what}"
        if ups:
            return LinkVerdict(
                LinkStatus.UNKNOWN, f"{evidence} but {ups[0].device}:{ups[0].port} up; waiting"
            )
        return LinkVerdict(LinkStatus.DOWN, evidence)
    if not ups:
        return LinkVerdict(LinkStatus.UNKNOWN, "no end polled")
    for end in fresh:
        degraded = degradation(end, limits)
        if degraded:
            return LinkVerdict(LinkStatus.DEGRADED, degraded)
    return LinkVerdict(LinkStatus.UP, "; ".join(f"{e.device}:{e.port} ifOperStatus=up" for e in fresh))


def degradation(end: PortReading, limits: LinkThresholds) -> str | None:
    """Why an up port is degraded (errors, low light), or None."""
    if end.errors_per_s is not None and end.errors_per_s > limits.error_rate_per_s:
        return f"{end.device}:{end.port} {end.errors_per_s:.2f} errors/s > {limits.error_rate_per_s:g}"
    if end.rx_dbm is not None and end.rx_low_alarm_dbm is not None:
        limit = end.rx_low_alarm_dbm + limits.optical_margin_db
        if end.rx_dbm < limit:
            return (
                f"{end.device}:{end.port} rx {end.rx_dbm:.1f} dBm < {limit:.1f} dBm "
                f"(alarm {end.rx_low_alarm_dbm:.1f} + margin {limits.optical_margin_db:g})"
            )
    return None
