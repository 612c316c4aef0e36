"""Network analysis for the help desk and the monitor: who is cut off, why, and what is fragile.

Roots are the core devices (or configured ones). For every site: connected, degraded
(connected but redundancy lost, or its path runs over a link with errors or low light),
disconnected (with the nearest failed links or devices that cut it off) or unknown (no data,
or not linked to the core at all); its path to the core and the number of edge-disjoint
paths. For every device: reachable or not, and for a silent one ``down`` (it is the cause)
versus ``unreachable`` (something in front of it failed). Single points of failure are the
bridges and articulation points of what works now, each with the sites that depend on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from topology import engine
from topology.graph import TopologyGraph

if TYPE_CHECKING:
    from topology.analyzer import Analyzer



@dataclass(frozen=True, slots=True, order=True)
class Element:
    """A link (by key) or a device (by name) that failed or that others depend on."""

    kind: str
    id: str


@dataclass(frozen=True, slots=True)
class SiteState:
    site: str
    kind: str
    state: str
    causes: tuple[Element, ...] = ()
    path: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    reason: str = ""
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeviceVerdict:
    name: str
    reachable: bool
    verdict: str
    causes: tuple[Element, ...] = ()


@dataclass(frozen=True, slots=True)
class Spof:
    element: Element
    kind: str
    dependent_sites: tuple[str, ...]
    dependent_devices: tuple[str, ...]


def analyze(graph: TopologyGraph, roots: Sequence[str] | None = None) -> Analysis:
    """Every site's state, root causes, device verdicts and single points of failure."""
    from topology.analyzer import Analyzer

    return Analyzer(graph, roots).analyze()


class Analysis:
    """The result of one evaluation; cheap parts are eager, dependents and flows are lazy."""

    def __init__(self, az: Analyzer, reach: engine.Reach, d: engine.Dfs, comp: list[int],
                 causes: dict[int, set[tuple[str, int]]]) -> None:
        self.az, self.reach, self.dfs, self.comp, self.raw_causes = az, reach, d, comp, causes
        self.usable = bytes(az.core.usable)
        self.failed = bytes(az.core.failed)
        self.degraded = bytes(az.degraded)
        self.edge_known = bytes(az.edge_known)
        self.node_known = bytes(az.node_known)
        self.states = tuple(az.states)
        self.path_degraded = self._path_degraded()
        n = az.core.n
        self.bridged, self.lost_redundancy = engine.behind(d, n, az.design_bridges)
        self.site_live: dict[str, int] | None = None
        self._failed_by_comp: dict[int, list[Element]] | None = None
        self._causes = {c: tuple(sorted(self._element(x) for x in elems)) for c, elems in causes.items()}
        self.codes: dict[str, str] = self._codes()
        self.sites: Mapping[str, SiteState] = _Sites(self)
        self.flow_cache: dict[str, int] = {}
        self.two_paths: set[int] = set()
        self.work_comp: list[int] | None = None

    def changed_sites(self, before: Analysis) -> dict[str, tuple[str, str]]:
        """Sites whose state differs from ``before``: site -> (old, new)."""
        old = before.codes
        return {s: (old.get(s, "unknown"), c) for s, c in self.codes.items() if old.get(s) != c}

    def _codes(self) -> dict[str, str]:
        reached, lost, bad = self.reach.reached, self.lost_redundancy, self.path_degraded
        known = self.node_known
        out: dict[str, str] = {}
        for site, nodes in self.az.site_nodes.items():
            if len(nodes) == 1 and reached[nodes[0]] and known[nodes[0]]:
                v = nodes[0]
                out[site] = "degraded" if lost[v] or bad[v] else "connected"
            else:
                out[site] = self._code(nodes)
        return out

    def _code(self, nodes: list[int]) -> str:
        """The site's state alone, from flags (cheap; ``sites[...]`` adds causes and paths)."""
        if not nodes or not self._has_data(nodes):
            return "unknown"
        reached = self.reach.reached
        live = [v for v in nodes if reached[v]]
        if live:
            fine = any(not self.lost_redundancy[v] and not self.path_degraded[v] for v in live)
            return "connected" if fine else "degraded"
        cut = any(self._causes.get(self.comp[v]) for v in nodes)
        return "disconnected" if cut and any(self.az.design_reached[v] for v in nodes) else "unknown"

    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(self.az.names[r] for r in self.az.roots)

    def _element(self, x: tuple[str, int]) -> Element:
        kind, i = x
        return Element(kind, self.az.keys[i] if kind == "link" else self.az.names[i])

    def _path_degraded(self) -> bytearray:
        flag = bytearray(self.az.core.n)
        if not any(self.degraded):
            return flag
        pe, par = self.reach.parent_edge, self.reach.parent
        for v in self.reach.order:
            e = pe[v]
            if e >= 0 and (flag[par[v]] or self.degraded[e]):
                flag[v] = 1
        return flag

    def path_nodes(self, v: int) -> list[int]:
        path = [v]
        while self.reach.parent[path[-1]] >= 0:
            path.append(self.reach.parent[path[-1]])
        return path

    def _has_data(self, nodes: list[int]) -> bool:
        core = self.az.core
        return any(self.node_known[v] or any(self.edge_known[e] for _, e in core.adj[v]) for v in nodes)

    def _site(self, site: str) -> SiteState:
        rec = self.az.graph.sites.get(site)
        kind = rec.kind if rec else "other"
        nodes = self.az.site_nodes[site]
        names = tuple(self.az.names[v] for v in nodes)
        base = SiteState(site, kind, "unknown", devices=names)
        if not self.az.roots:
            return replace(base, reason="no_core")
        if not nodes or not self._has_data(nodes):
            return replace(base, reason="no_data")
        live = [v for v in nodes if self.reach.reached[v]]
        if live:
            return self._connected(base, live)
        causes = sorted({c for v in nodes for c in self._causes.get(self.comp[v], ())})
        if not causes or not any(self.az.design_reached[v] for v in nodes):
            return replace(base, reason="not_linked")
        return replace(base, state="disconnected", causes=tuple(causes), reason="cut_off")

    def _connected(self, base: SiteState, live: list[int]) -> SiteState:
        best = min(live, key=lambda v: (self.lost_redundancy[v], self.path_degraded[v],
                                        len(self.path_nodes(v))))
        path = self.path_nodes(best)
        names = tuple(self.az.names[v] for v in path)
        state = replace(base, state="connected", path=names)
        if self.lost_redundancy[best]:
            return replace(state, state="degraded", reason="redundancy_lost", causes=self._lost(path))
        if self.path_degraded[best]:
            bad = [self.az.keys[self.reach.parent_edge[v]] for v in path
                   if self.reach.parent_edge[v] >= 0 and self.degraded[self.reach.parent_edge[v]]]
            return replace(state, state="degraded", reason="degraded_link",
                           causes=tuple(Element("link", k) for k in bad))
        return state

    def _lost(self, path: list[int]) -> tuple[Element, ...]:
        """Failed elements in the design 2-edge-connected components the path runs through."""
        if self._failed_by_comp is None:
            by: dict[int, list[Element]] = {}
            comp = self.az.design_comp
            for e, (u, v) in enumerate(self.az.core.ends):
                if not self.usable[e] and comp[u] == comp[v]:
                    by.setdefault(comp[u], []).append(Element("link", self.az.keys[e]))
            for v in range(self.az.core.n):
                if self.failed[v]:
                    by.setdefault(comp[v], []).append(Element("device", self.az.names[v]))
            self._failed_by_comp = by
        comps = {self.az.design_comp[v] for v in path}
        return tuple(sorted({x for c in comps for x in self._failed_by_comp.get(c, ())}))

    # -- devices -------------------------------------------------------------------------
    def device(self, name: str) -> DeviceVerdict:
        v = self.az.idx[name]
        reachable = bool(self.reach.reached[v])
        if not self.failed[v]:
            return DeviceVerdict(name, reachable, self.states[v])
        causes = self._causes.get(self.comp[v], ())
        if Element("device", name) in causes:
            return DeviceVerdict(name, False, "down", (Element("device", name),))
        return DeviceVerdict(name, False, "unreachable", causes)

    def devices(self) -> dict[str, DeviceVerdict]:
        return {name: self.device(name) for name in self.az.names}

    def reachable_devices(self) -> set[str]:
        return {self.az.names[v] for v in range(self.az.core.n) if self.reach.reached[v]}

    def root_causes(self) -> dict[Element, tuple[str, ...]]:
        """Each failed element that cuts something off, with the sites it cuts off."""
        out: dict[Element, set[str]] = {}
        for site, code in self.codes.items():
            if code == "disconnected":
                for c in self.sites[site].causes:
                    out.setdefault(c, set()).add(site)
        return {c: tuple(sorted(s)) for c, s in sorted(out.items())}

    # -- fragility (topology.fragility does the work) ---------------------------------------
    def lost_sites(self, lost: Iterable[int]) -> tuple[str, ...]:
        """Sites connected now whose every connected device is in ``lost``."""
        from topology import fragility

        return fragility.lost_sites(self, lost)

    def spofs(self) -> list[Spof]:
        """Bridges and articulation points of the working graph, with their dependents."""
        from topology import fragility

        return fragility.single_points_of_failure(self)

    def disjoint_paths(self, site: str) -> int:
        """Edge-disjoint paths from the site to the core over what works now."""
        from topology import fragility

        return fragility.disjoint_paths(self, site)


class _Sites(Mapping[str, SiteState]):
    """Site states built on first access: a re-evaluation only pays for the sites it reads."""

    def __init__(self, analysis: Analysis) -> None:
        self._a = analysis
        self._cache: dict[str, SiteState] = {}

    def __getitem__(self, site: str) -> SiteState:
        if site not in self._cache:
            if site not in self._a.az.site_nodes:
                raise KeyError(site)
            self._cache[site] = self._a._site(site)
        return self._cache[site]

    def __iter__(self) -> Iterator[str]:
        return iter(self._a.az.site_nodes)

    def __len__(self) -> int:
        return len(self._a.az.site_nodes)

