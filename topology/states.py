"""The vocabulary of the one assessment: verdicts in, states out, and the elements that fail.

A probe's ``Verdict`` is what one cycle saw of a device before the topology is considered; the
assessment turns verdicts and link readings into ``DeviceStatus``, ``LinkStatus`` and a site's
``Connectivity``. An ``Element`` names a device or a link wherever a cause is stored or shown
(outages, events, site states, the help-desk answer): one link id format everywhere,
``DEV:PORT--DEV:PORT`` with the ends in a stable order (``topology.graph.link_key``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """What the latest probes said about a device, before topology is considered."""

    ANSWERED = "answered"
    AGENT_DOWN = "agent_down"  # SNMP silent, ICMP echo answered: the box forwards, its agent died
    SILENT = "silent"
    UNKNOWN = "unknown"  # never probed


class DeviceStatus(StrEnum):
    UP = "up"
    DOWN = "down"  # a root cause: silent next to what still works
    UNREACHABLE = "unreachable"  # cut off behind someone else's failure
    AGENT_DOWN = "agent_down"
    UNKNOWN = "unknown"


class LinkStatus(StrEnum):
    UP = "up"
    DOWN = "down"
    DEGRADED = "degraded"  # up, but errors or low light
    UNKNOWN = "unknown"


class Connectivity(StrEnum):
    """A site's state as the help desk says it."""

    CONNECTED = "connected"
    DEGRADED = "degraded"  # connected, but redundancy lost or the path runs over a degraded link
    DISCONNECTED = "disconnected"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, order=True)
class Element:
    """A link (by its id) or a device (by name) that failed, or that others depend on."""

    kind: str  # "device" | "link"
    id: str

    def as_json(self) -> dict[str, str]:
        return {"type": self.kind, "name": self.id}
