"""Device and link states from one cycle's evidence: what the monitor believes and why.

A device that answered SNMP is ``up``. One whose SNMP retries all failed in this cycle is
*silent*; if it still answers ICMP echo it is ``agent_down`` (its agent died, the box still
forwards traffic, so no site is cut off), otherwise it is a candidate for ``down``. Whether a
silent device is ``down`` (a root cause) or ``unreachable`` (explained by a failure upstream)
is decided by ``netops.monitor.impact`` on the topology. A link is ``down`` when a freshly
polled end reports its port down, ``degraded`` when errors or optical power cross their
thresholds, ``unknown`` when neither end could be polled.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeviceStatus(StrEnum):
    UP = "up"
    DOWN = "down"
    UNREACHABLE = "unreachable"
    AGENT_DOWN = "agent_down"
    UNKNOWN = "unknown"


class LinkStatus(StrEnum):
    UP = "up"
    DOWN = "down"
    DEGRADED = "degraded"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    """What one cycle's probes say about a device, before topology is considered."""

    ANSWERED = "answered"
    AGENT_DOWN = "agent_down"
    SILENT = "silent"
    UNKNOWN = "unknown"


DOWN_OPER = frozenset({"down", "lowerLayerDown", "notPresent", "lower_layer_down", "not_present"})


def probe_verdict(answered: bool | None, icmp_ok: bool | None) -> Verdict:
    """SNMP answer -> answered; SNMP silent but ping answers -> agent_down; both silent -> silent."""
    if answered is None:
        return Verdict.UNKNOWN
    if answered:
        return Verdict.ANSWERED
    return Verdict.AGENT_DOWN if icmp_ok else Verdict.SILENT


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


@dataclass(frozen=True, slots=True)
class LinkVerdict:
    status: LinkStatus
    reason: str


def link_name(a_device: str, a_port: str, b_device: str, b_port: str) -> str:
    """``DEV:PORT--DEV:PORT`` with the ends in a stable (sorted) order."""
    ends = sorted([f"{a_device}:{a_port}", f"{b_device}:{b_port}"])
    return f"{ends[0]}--{ends[1]}"


def link_verdict(a: PortReading, b: PortReading, error_threshold: float,
                 optical_margin_db: float) -> LinkVerdict:
    """Down when a fresh end is down and no fresh end is up; degraded on errors/optics; else up.

    When both ends were polled and disagree the verdict is ``unknown``: a cut fiber takes both
    ports down, a dead switch takes its neighbour's port down and goes silent, and an agent's
    cached ifTable (net-snmp: ~3 s) can lag either way, so the next poll of the disagreeing
    end decides. Every device is polled once per interval, so this costs at most one interval.
    """
    fresh = [end for end in (a, b) if end.fresh and end.oper_status]
    downs = [end for end in fresh if end.admin_status == "down" or end.oper_status in DOWN_OPER]
    ups = [end for end in fresh if end not in downs and end.oper_status == "up"]
    if downs:
        end = downs[0]
        what = "ifAdminStatus=down" if end.admin_status == "down" else f"ifOperStatus={end.oper_status}"
        reason = f"{end.device}:{end.port} {what}"
        if ups:
            return LinkVerdict(LinkStatus.UNKNOWN, f"{reason} but {ups[0].device}:{ups[0].port} up; waiting")
        return LinkVerdict(LinkStatus.DOWN, reason)
    if not ups:
        return LinkVerdict(LinkStatus.UNKNOWN, "no end polled")
    for end in fresh:
        degraded = _degradation(end, error_threshold, optical_margin_db)
        if degraded:
            return LinkVerdict(LinkStatus.DEGRADED, degraded)
    return LinkVerdict(LinkStatus.UP, "; ".join(f"{e.device}:{e.port} ifOperStatus=up" for e in fresh))


def _degradation(end: PortReading, error_threshold: float, margin_db: float) -> str | None:
    if end.errors_per_s is not None and end.errors_per_s > error_threshold:
        return f"{end.device}:{end.port} {end.errors_per_s:.2f} errors/s > {error_threshold:g}"
    if end.rx_dbm is not None and end.rx_low_alarm_dbm is not None:
        limit = end.rx_low_alarm_dbm + margin_db
        if end.rx_dbm < limit:
            return (f"{end.device}:{end.port} rx {end.rx_dbm:.1f} dBm < {limit:.1f} dBm "
                    f"(alarm {end.rx_low_alarm_dbm:.1f} + margin {margin_db:g})")
    return None
