"""One assessment's answer: states, root causes, sites; paths, fragility and what-if on demand.

Built by ``topology.assessment.Assessor``. Everything a reader needs is here and nothing here
changes afterwards: the flags are private copies, so a what-if fails an element on copies and
the assessment itself (and the assessor's state) stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from topology import traversal
from topology.evidence import Evidence
from topology.numbering import Numbering
from topology.root_causes import CauseDraft
from topology.site_states import SiteAssessment, SiteInputs, path_nodes
from topology.states import Connectivity, DeviceStatus, Element, LinkStatus, Verdict


@dataclass(frozen=True, slots=True)
class RootCause:
    """A failed (``down``) or ``degraded`` element, with what it cuts off and what it degrades."""

    element: Element
    status: str
    devices: tuple[str, ...] = ()  # cut off (the element itself first when it is a device)
    sites: tuple[str, ...] = ()  # disconnected
    degraded_sites: tuple[str, ...] = ()
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Spof:
    """A single point of failure of what works now, with the sites and devices behind it."""

    element: Element
    kind: str  # bridge | articulation_point
    dependent_sites: tuple[str, ...]
    dependent_devices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WhatIf:
    """What failing one more element would do: sites cut off, devices lost, sites left fragile."""

    element: Element
    lost_sites: tuple[str, ...]
    lost_devices: tuple[str, ...]
    degraded_sites: tuple[str, ...]
    by_kind: dict[str, tuple[str, ...]]

    def as_json(self) -> dict[str, object]:
        return {
            "element": self.element.as_json(),
            "lost_sites": list(self.lost_sites),
            "lost_devices": list(self.lost_devices),
            "degraded_sites": list(self.degraded_sites),
            "lost_by_kind": {k: list(v) for k, v in self.by_kind.items()},
        }


SiteRule = Callable[[SiteInputs], dict[str, SiteAssessment]]  # topology.site_states, bound


@dataclass
class Assessment:
    net: Numbering
    evidence: Evidence
    reach: traversal.Reach
    dfs: traversal.Dfs
    usable: bytes
    failed: bytes
    devices: dict[str, DeviceStatus]
    links: dict[str, LinkStatus]
    root_causes: tuple[RootCause, ...]
    sites: dict[str, SiteAssessment]
    bridged: bytearray
    lost_redundancy: bytearray
    explained: frozenset[str] = frozenset()  # down links explained by a dead device at one end
    site_live: dict[str, int] | None = None
    flow_cache: dict[str, int] = field(default_factory=dict)
    path_cache: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the web lists every site's
    spof_cache: tuple[Spof, ...] | None = None  # the map and the SPOF page ask on every request
    two_paths: set[int] = field(default_factory=set)
    work_comp: list[int] | None = None

    @classmethod
    def build(
        cls,
        net: Numbering,
        evidence: Evidence,
        verdicts: Sequence[Verdict],
        reach: traversal.Reach,
        dfs: traversal.Dfs,
        usable: bytes,
        failed: bytes,
        link_status: Sequence[LinkStatus],
        devices: dict[str, DeviceStatus],
        drafts: list[CauseDraft],
        rule: SiteRule,
        explained: frozenset[int] = frozenset(),
    ) -> Assessment:
        bridged, lost = traversal.behind(dfs, net.n, set(net.design_bridges))
        degraded = frozenset(e for e, s in enumerate(link_status) if s == LinkStatus.DEGRADED)
        impaired = bytearray(bool(evidence.device(name).impaired) for name in net.names)
        by_device: dict[int, list[Element]] = {}
        for draft in drafts:
            for v in draft.devices:
                by_device.setdefault(v, []).append(draft.element)
        inputs = SiteInputs(
            net,
            reach,
            verdicts,
            lost,
            _path_degraded(reach, degraded, impaired),
            degraded,
            {v: tuple(sorted(els)) for v, els in by_device.items()},
            _failed_by_comp(net, drafts, usable),
            impaired,
        )
        sites = rule(inputs)
        causes = _root_causes(net, drafts, sites, reach.reached, degraded, evidence)
        links = {key: link_status[e] for e, key in enumerate(net.keys)}
        return cls(
            net,
            evidence,
            reach,
            dfs,
            usable,
            failed,
            devices,
            links,
            causes,
            sites,
            bridged,
            lost,
            frozenset(net.keys[e] for e in explained),
        )

    # -- reading ------------------------------------------------------------------------
    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(self.net.names[r] for r in self.net.roots)

    def reachable_devices(self) -> set[str]:
        return {name for v, name in enumerate(self.net.names) if self.reach.reached[v]}

    def root_cause(self, element: Element) -> RootCause | None:
        return next((c for c in self.root_causes if c.element == element), None)

    def device_path(self, device: str) -> tuple[str, ...]:
        """The device and the devices between it and the core (empty when cut off)."""
        v = self.net.idx.get(device)
        if v is None or not self.reach.reached[v]:
            return ()
        return tuple(self.net.names[x] for x in path_nodes(self.reach, v))

    def path(self, site: str) -> tuple[str, ...]:
        """The site's best path to the core: redundancy kept and clean links first, then shortest."""
        cached = self.path_cache.get(site)
        if cached is not None:
            return cached
        live = [v for v in self.net.site_nodes.get(site, []) if self.reach.reached[v]]
        if not live:
            self.path_cache[site] = ()
            return ()
        paths = {v: path_nodes(self.reach, v) for v in live}
        best = min(live, key=lambda v: (self.lost_redundancy[v], len(paths[v])))
        found = self.path_cache[site] = tuple(self.net.names[x] for x in paths[best])
        return found

    def disjoint_paths(self, site: str) -> int:
        from topology import fragility

        return fragility.disjoint_paths(self, site)

    def spofs(self) -> list[Spof]:
        from topology import fragility

        if self.spof_cache is None:
            self.spof_cache = tuple(fragility.single_points_of_failure(self))
        return list(self.spof_cache)

    def lost_sites(self, lost: Iterable[int]) -> tuple[str, ...]:
        from topology import fragility

        return fragility.lost_sites(self, lost)

    def what_if(self, element: Element) -> WhatIf:
        from topology import whatif

        return whatif.what_if(self, element)


def _path_degraded(reach: traversal.Reach, degraded: frozenset[int], impaired: bytearray) -> bytearray:
    """Per device: its path to the core runs over a degraded link or an impaired device."""
    flag = bytearray(impaired)
    if not degraded and not any(impaired):
        return flag
    pe, par = reach.parent_edge, reach.parent
    for v in reach.order:
        e = pe[v]
        if e >= 0 and (flag[par[v]] or e in degraded):
            flag[v] = 1
    return flag


def _failed_by_comp(
    net: Numbering, drafts: list[CauseDraft], usable: bytes
) -> dict[int, tuple[Element, ...]]:
    """Root-cause elements inside each design 2-edge-connected component (where redundancy is lost)."""
    by: dict[int, set[Element]] = {}
    comp = net.design_comp
    for draft in drafts:
        if draft.element.kind == "device":
            by.setdefault(comp[net.idx[draft.element.id]], set()).add(draft.element)
        else:
            u, v = net.ends[net.eidx[draft.element.id]]
            if comp[u] == comp[v]:
                by.setdefault(comp[u], set()).add(draft.element)
    return {c: tuple(sorted(els)) for c, els in by.items()}


def _root_causes(
    net: Numbering,
    drafts: list[CauseDraft],
    sites: dict[str, SiteAssessment],
    reached: bytearray,
    degraded: frozenset[int],
    evidence: Evidence,
) -> tuple[RootCause, ...]:
    alive = {net.site_of[v] for v in net.site_of if reached[v]}
    degrades: dict[Element, set[str]] = {}
    for s in sites.values():
        if s.state == Connectivity.DEGRADED:
            for c in s.causes:
                degrades.setdefault(c, set()).add(s.site)
    out = []
    for draft in drafts:
        devices = sorted(draft.devices, key=lambda v: (net.names[v] != draft.element.id, net.names[v]))
        cut = sorted({net.site_of[v] for v in draft.devices if v in net.site_of} - alive)
        out.append(
            RootCause(
                draft.element,
                "down",
                tuple(net.names[v] for v in devices),
                tuple(cut),
                tuple(sorted(degrades.pop(draft.element, ()))),
                draft.evidence,
            )
        )
    for element, names in sorted(degrades.items()):
        if element.kind == "link" and net.eidx.get(element.id) in degraded:
            why = evidence.link(element.id).evidence
        elif element.kind == "device" and evidence.device(element.id).impaired:
            why = evidence.device(element.id).impaired
        else:
            continue
        out.append(RootCause(element, "degraded", degraded_sites=tuple(sorted(names)), evidence=why))
    return tuple(sorted(out, key=lambda c: c.element))
