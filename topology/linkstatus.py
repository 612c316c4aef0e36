"""Link status from the evidence at both ends: oper status, device state, errors, light.

A link is ``down`` when an answering end reports its port down (or administratively down);
``degraded`` when it is up but one end counts errors above the threshold or receives light
below its low-alarm threshold plus a margin; ``up`` when an end reports it up; ``unknown``
otherwise. The stored interface states of a device that no longer answers SNMP (silent, or
its agent down while it still forwards) are stale, so they are not evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inventory.records import InterfaceRecord

SILENT_STATES = frozenset({"down", "unreachable"})
STALE_STATES = SILENT_STATES | {"agent_down"}
DOWN_OPER = frozenset({"down", "lowerLayerDown", "notPresent", "lowerlayerdown", "notpresent"})


@dataclass(frozen=True, slots=True)
class LinkThresholds:
    error_rate_per_s: float = 1.0
    optical_margin_db: float = 3.0


@dataclass(frozen=True, slots=True)
class EndEvidence:
    """One end of a link: its device, port, the device's state and the stored interface."""

    device: str
    port: str
    device_state: str
    interface: InterfaceRecord | None


@dataclass(frozen=True, slots=True)
class LinkStatus:
    status: str
    reason: str
    since: datetime | None


def _usable(end: EndEvidence) -> InterfaceRecord | None:
    return None if end.device_state in STALE_STATES else end.interface


def _degradation(iface: InterfaceRecord, end: EndEvidence, limits: LinkThresholds) -> str | None:
    errors = (iface.in_errors_per_s or 0.0) + (iface.out_errors_per_s or 0.0)
    if errors > limits.error_rate_per_s:
        return f"errors on {end.device}:{end.port} ({errors:.1f}/s)"
    rx, alarm = iface.rx_dbm, iface.rx_low_alarm_dbm
    if rx is not None and alarm is not None and rx < alarm + limits.optical_margin_db:
        return f"low optical power on {end.device}:{end.port} ({iface.rx_dbm:.1f} dBm)"
    return None


def link_status(a: EndEvidence, b: EndEvidence, limits: LinkThresholds) -> LinkStatus:
    """The status of one link from its two ends (either may be missing evidence)."""
    ends = [(end, _usable(end)) for end in (a, b)]
    known = [(end, i) for end, i in ends if i is not None]
    for end, iface in known:
        if (iface.admin_status or "").lower() == "down":
            return LinkStatus("down", f"{end.device}:{end.port} is administratively down", iface.last_change)
    for end, iface in known:
        if (iface.oper_status or "") in DOWN_OPER:
            return LinkStatus("down", f"{end.device}:{end.port} is down", _latest(known))
    ups = [(end, i) for end, i in known if (i.oper_status or "") == "up"]
    if not ups:
        return LinkStatus("unknown", "no interface state from either end", None)
    for end, iface in ups:
        why = _degradation(iface, end, limits)
        if why:
            return LinkStatus("degraded", why, iface.last_change)
    return LinkStatus("up", "", _latest(known))


def _latest(known: list[tuple[EndEvidence, InterfaceRecord]]) -> datetime | None:
    stamps = [i.last_change for _, i in known if i.last_change is not None]
    return max(stamps) if stamps else None
