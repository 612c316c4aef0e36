"""Root causes and their impact: which failed element explains which silent devices and sites.

Works on plain inputs (device -> site, links as named device pairs, probe verdicts, failed
links) so it is testable without a database. Reachability runs from the roots (core devices)
over devices that are not silent and links that are not down (the reachable set R). A silent
device next to R is ``down`` and a root cause (a down link between it and R is explained by it,
as a powered-off switch takes its neighbours' ports down); a down link with an end in R and the
other end not a down device is a root cause too. Everything outside R is ``unreachable``. The
devices a root cause affects are those that repairing it alone would bring back into R (the
rest of the shadow goes to the nearest root cause), and it affects a site when none of the
site's devices is reachable. A device in a component without any root stands alone: silent
there means down. This is NAV's "first failed element on the path" rule without its ORM.

A down link next to a silent device is ambiguous (a dead switch takes its neighbours' ports
down; a cut fiber cuts the device off). Seen together, the device is the root cause. But a
link already known down (``prior_links``: the root cause of an open outage) stays the root
cause when the device behind it goes silent later: that device is ``unreachable``, not down.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from netops.monitor.states import DeviceStatus, Verdict


@dataclass(frozen=True, slots=True)
class LinkEdge:
    name: str
    a: str
    b: str


@dataclass(frozen=True, slots=True)
class RootCause:
    kind: str  # "device" | "link"
    name: str
    affected_devices: tuple[str, ...]
    affected_sites: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Impact:
    device_states: dict[str, DeviceStatus]
    root_causes: tuple[RootCause, ...]
    explained_links: frozenset[str] = field(default_factory=frozenset)


class _Graph:
    def __init__(self, devices: Iterable[str], links: Iterable[LinkEdge]) -> None:
        self.adj: dict[str, list[tuple[str, str]]] = {d: [] for d in devices}
        for link in links:
            if link.a in self.adj and link.b in self.adj and link.a != link.b:
                self.adj[link.a].append((link.b, link.name))
                self.adj[link.b].append((link.a, link.name))

    def reach(self, start: Iterable[str], blocked_devices: set[str], blocked_links: set[str]) -> set[str]:
        seen = {s for s in start if s not in blocked_devices}
        queue = deque(seen)
        while queue:
            node = queue.popleft()
            for peer, link in self.adj[node]:
                if peer not in seen and peer not in blocked_devices and link not in blocked_links:
                    seen.add(peer)
                    queue.append(peer)
        return seen

    def component(self, start: str) -> set[str]:
        return self.reach([start], set(), set())


def analyze_impact(sites: Mapping[str, str | None], links: Iterable[LinkEdge], roots: Iterable[str],
                   verdicts: Mapping[str, Verdict], down_links: Iterable[str],
                   prior_links: Iterable[str] = ()) -> Impact:
    """Device states and root causes for one snapshot of evidence (``prior_links``: see above)."""
    link_list = list(links)
    graph = _Graph(sites, link_list)
    silent = {d for d in sites if verdicts.get(d) == Verdict.SILENT}
    failed = set(down_links)
    prior = failed & set(prior_links)
    root_set = [r for r in roots if r in graph.adj]
    reachable = graph.reach(root_set, silent, failed)
    rooted = graph.reach(root_set, set(), set())
    down_devices = _down_devices(graph, silent, reachable, rooted, prior)
    explained = {name for d in down_devices for _, name in graph.adj[d] if name in failed - prior}
    cause_links = [link for link in link_list if link.name in failed and link.name not in explained
                   and (link.a in reachable or link.b in reachable)]
    states = _device_states(sites, verdicts, reachable, rooted, down_devices)
    view = _View(graph, sites, reachable, rooted, silent, failed, explained)
    causes = _root_causes(view, down_devices, cause_links)
    return Impact(device_states=states, root_causes=tuple(causes), explained_links=frozenset(explained))


def _down_devices(graph: _Graph, silent: set[str], reachable: set[str], rooted: set[str],
                  prior: set[str]) -> set[str]:
    """Silent devices next to the reachable set, not counting paths over links already known down."""
    down = set()
    for device in silent:
        if device not in rooted or any(peer in reachable and link not in prior
                                       for peer, link in graph.adj[device]):
            down.add(device)
    return down


def _device_states(sites: Mapping[str, str | None], verdicts: Mapping[str, Verdict], reachable: set[str],
                   rooted: set[str], down: set[str]) -> dict[str, DeviceStatus]:
    states = {}
    for device in sites:
        verdict = verdicts.get(device, Verdict.UNKNOWN)
        if device in down:
            states[device] = DeviceStatus.DOWN
        elif device in rooted and device not in reachable:
            states[device] = DeviceStatus.UNREACHABLE
        elif verdict == Verdict.AGENT_DOWN:
            states[device] = DeviceStatus.AGENT_DOWN
        elif verdict == Verdict.ANSWERED:
            states[device] = DeviceStatus.UP
        else:
            states[device] = DeviceStatus.UNKNOWN
    return states


@dataclass(frozen=True, slots=True)
class _View:
    graph: _Graph
    sites: Mapping[str, str | None]
    reachable: set[str]
    rooted: set[str]
    silent: set[str]
    failed: set[str]
    explained: set[str]


def _root_causes(view: _View, down: set[str], cause_links: list[LinkEdge]) -> list[RootCause]:
    graph, reachable, silent, failed = view.graph, view.reachable, view.silent, view.failed
    shadow = view.rooted - reachable
    affected: dict[tuple[str, str], set[str]] = {}
    for device in sorted(down):
        if device not in view.rooted:
            affected[("device", device)] = {device}
            continue
        own_links = {name for _, name in graph.adj[device]}
        back = graph.reach(reachable | {device}, silent - {device}, failed - (own_links & view.explained))
        affected[("device", device)] = (back - reachable) | {device}
    for link in cause_links:  # silent devices behind a cut link are cut off, not failed themselves
        back = graph.reach(reachable, down, failed - {link.name})
        affected[("link", link.name)] = back - reachable
    _assign_leftovers(graph, shadow, affected)
    return [
        RootCause(kind=kind, name=name, affected_devices=tuple(sorted(devs)),
                  affected_sites=_sites_of(devs, view.sites, reachable))
        for (kind, name), devs in sorted(affected.items())
    ]


def _assign_leftovers(graph: _Graph, shadow: set[str], affected: dict[tuple[str, str], set[str]]) -> None:
    """Devices in the shadow that no single repair restores go to the nearest root cause."""
    covered = set().union(*affected.values()) if affected else set()
    leftovers = shadow - covered
    if not leftovers or not affected:
        return
    owner: dict[str, tuple[str, str]] = {}
    queue: deque[str] = deque()
    for key, devices in sorted(affected.items()):
        for device in sorted(devices):
            if device not in owner:
                owner[device] = key
                queue.append(device)
    while queue:
        node = queue.popleft()
        for peer, _ in graph.adj[node]:
            if peer not in owner and peer in shadow:
                owner[peer] = owner[node]
                affected[owner[node]].add(peer)
                queue.append(peer)


def _sites_of(devices: set[str], sites: Mapping[str, str | None], reachable: set[str]) -> tuple[str, ...]:
    """Sites with an affected device and no reachable device."""
    alive = {sites[d] for d in reachable if sites.get(d)}
    return tuple(sorted({s for d in devices if (s := sites.get(d)) and s not in alive}))
