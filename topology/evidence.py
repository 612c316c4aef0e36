"""What the assessment is given: per device a verdict, per link a status, and the open causes.

Evidence is plain data so the assessment stays pure: the monitor builds it from the database
(``netops.monitor.evidence``), tests and benchmarks build it by hand. Timestamps let the
assessment tell fresh silence from stale silence: a device that went silent while the switch in
front of it was dead says nothing once that switch is back, until it is probed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from topology.states import Element, LinkStatus, Verdict


@dataclass(frozen=True, slots=True)
class DeviceEvidence:
    """``probed_at``: the latest probe; ``back_at``: since when it answers again after a failure
    (the start of its current run of answers), None when it never failed or does not answer;
    ``impaired``: why the way to it is slow or unstable (sustained loss, latency far above its own
    baseline), judged by the monitor against its thresholds; empty when it is not."""

    verdict: Verdict = Verdict.UNKNOWN
    probed_at: datetime | None = None
    back_at: datetime | None = None
    impaired: str = ""


@dataclass(frozen=True, slots=True)
class LinkEvidence:
    """The link rule's status (the previous state while the rule says unknown) and since when."""

    status: LinkStatus = LinkStatus.UNKNOWN
    since: datetime | None = None
    evidence: str = ""


@dataclass(frozen=True)
class Evidence:
    """Everything one assessment looks at; devices and links not named are unknown."""

    devices: Mapping[str, DeviceEvidence] = field(default_factory=dict)
    links: Mapping[str, LinkEvidence] = field(default_factory=dict)
    prior: frozenset[Element] = frozenset()  # root causes of the open outages (hysteresis)

    def device(self, name: str) -> DeviceEvidence:
        return self.devices.get(name, _UNKNOWN_DEVICE)

    def link(self, key: str) -> LinkEvidence:
        return self.links.get(key, _UNKNOWN_LINK)


_LINK_VALUES = frozenset(s.value for s in LinkStatus)
_UNKNOWN_DEVICE = DeviceEvidence()
_UNKNOWN_LINK = LinkEvidence()


def evidence_from_states(devices: Mapping[str, str], links: Mapping[str, str]) -> Evidence:
    """Evidence that reproduces stored states (readers' what-if and fragility, tests): an up or
    agent-down device answered, a down or unreachable one is silent, links keep their status."""
    verdicts = {
        "up": Verdict.ANSWERED,
        "agent_down": Verdict.AGENT_DOWN,
        "down": Verdict.SILENT,
        "unreachable": Verdict.SILENT,
    }
    return Evidence(
        devices={
            name: DeviceEvidence(verdicts.get(state, Verdict.UNKNOWN)) for name, state in devices.items()
        },
        links={
            key: LinkEvidence(LinkStatus(status) if status in _LINK_VALUES else LinkStatus.UNKNOWN)
            for key, status in links.items()
        },
    )
