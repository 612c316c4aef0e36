"""Every site's connectivity, with the root causes it points at.

A site is connected when one of its devices is reached and answers and its path to the core
keeps the redundancy the design gives and runs over no degraded link; degraded when it is
reached but redundancy is lost (a bridge that the design does not have lies on its path), its
path runs over a degraded link, or the way to it is slow or unstable (the impaired device
closest to the core on its path is the cause: loss there is loss for everything behind it);
disconnected when none of its devices is reached and a root cause lists one of them; unknown
otherwise, with the reason: no core device, no data yet, not monitored right now (only
agent-down devices, which still forward but tell us nothing), or not linked to the core at all.
Causes of a degraded site are root causes too: the failed elements in the design's
2-edge-connected components its path runs through, the degraded links or the impaired device
on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from topology import traversal
from topology.numbering import Numbering
from topology.states import Connectivity, Element, Verdict


@dataclass(frozen=True, slots=True)
class SiteAssessment:
    site: str
    kind: str
    state: Connectivity
    # redundancy_lost | degraded_link | impaired | cut_off | no_core | no_data | not_monitored | not_linked
    reason: str = ""
    causes: tuple[Element, ...] = ()
    devices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteInputs:
    net: Numbering
    reach: traversal.Reach
    verdicts: Sequence[Verdict]
    lost_redundancy: bytearray
    path_degraded: bytearray
    degraded_links: frozenset[int]
    causes_of_device: Mapping[int, tuple[Element, ...]]
    failed_by_comp: Mapping[int, tuple[Element, ...]]  # root-cause elements per design 2-edge component
    impaired: bytearray  # slow or unstable (loss, latency) per device


def site_states(inputs: SiteInputs, connected: Mapping[str, SiteAssessment]) -> dict[str, SiteAssessment]:
    """Every site's state; ``connected`` holds each site's answer when it is simply connected
    (built once per structure: most sites are, so most of the work is a few array reads)."""
    net, reached, verdicts = inputs.net, inputs.reach.reached, inputs.verdicts
    lost, bad, answered = inputs.lost_redundancy, inputs.path_degraded, Verdict.ANSWERED
    out = {}
    for site, nodes in net.site_nodes.items():
        if len(nodes) == 1:
            v = nodes[0]
            if reached[v] and verdicts[v] == answered and not lost[v] and not bad[v]:
                out[site] = connected[site]
                continue
        out[site] = _one(inputs, connected[site], nodes)
    return out


def connected_answers(net: Numbering) -> dict[str, SiteAssessment]:
    """Each site's answer when it is connected, for ``site_states``."""
    out = {}
    for site, nodes in net.site_nodes.items():
        rec = net.graph.sites.get(site)
        out[site] = SiteAssessment(
            site,
            rec.kind if rec else "other",
            Connectivity.CONNECTED,
            devices=tuple(net.names[v] for v in nodes),
        )
    return out


def _one(inputs: SiteInputs, base: SiteAssessment, nodes: list[int]) -> SiteAssessment:
    net, reached, verdicts = inputs.net, inputs.reach.reached, inputs.verdicts
    live = [v for v in nodes if reached[v]]
    answering = [v for v in live if verdicts[v] == Verdict.ANSWERED]
    if answering:
        return _connected(inputs, base, answering)
    causes = sorted({c for v in nodes for c in inputs.causes_of_device.get(v, ())})
    if causes and not live:
        return _with(base, Connectivity.DISCONNECTED, "cut_off", tuple(causes))
    if not net.roots:
        return _with(base, Connectivity.UNKNOWN, "no_core")
    if live and any(verdicts[v] == Verdict.AGENT_DOWN for v in live):
        return _with(base, Connectivity.UNKNOWN, "not_monitored")
    if nodes and not any(net.design_reached[v] for v in nodes):
        return _with(base, Connectivity.UNKNOWN, "not_linked")
    return _with(base, Connectivity.UNKNOWN, "no_data")


def _with(
    base: SiteAssessment, state: Connectivity, reason: str, causes: tuple[Element, ...] = ()
) -> SiteAssessment:
    return SiteAssessment(base.site, base.kind, state, reason, causes, base.devices)


def _connected(inputs: SiteInputs, base: SiteAssessment, live: list[int]) -> SiteAssessment:
    lost, bad = inputs.lost_redundancy, inputs.path_degraded
    if any(not lost[v] and not bad[v] for v in live):
        return base
    best = min(live, key=lambda v: (lost[v], bad[v], len(path_nodes(inputs.reach, v))))
    path = path_nodes(inputs.reach, best)
    if lost[best]:
        comps = {inputs.net.design_comp[v] for v in path}
        lost_to = sorted({c for comp in comps for c in inputs.failed_by_comp.get(comp, ())})
        return _with(base, Connectivity.DEGRADED, "redundancy_lost", tuple(lost_to))
    parent_edge = inputs.reach.parent_edge
    links = [parent_edge[v] for v in path if parent_edge[v] >= 0 and parent_edge[v] in inputs.degraded_links]
    causes = [Element("link", inputs.net.keys[e]) for e in links]
    slow = [
        v for v in reversed(path) if inputs.impaired[v]
    ]  # from the core out: the first one explains the rest
    if slow:
        causes.append(Element("device", inputs.net.names[slow[0]]))
    reason = "degraded_link" if links else "impaired"
    return _with(base, Connectivity.DEGRADED, reason, tuple(sorted(causes)))


def path_nodes(reach: traversal.Reach, v: int) -> list[int]:
    """``v`` and its BFS parents up to a root."""
    path = [v]
    while reach.parent[path[-1]] >= 0:
        path.append(reach.parent[path[-1]])
    return path
