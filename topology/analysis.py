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

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import networkx as nx

from topology import engine
from topology.graph import TopologyGraph
from topology.linkstatus import SILENT_STATES

FLAGS, SHADOWS, FULL = 0, 1, 2


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


class Analyzer:
    """Numbers a topology graph once; ``analyze()`` after any state change (milliseconds)."""

    def __init__(self, graph: TopologyGraph, roots: Sequence[str] | None = None) -> None:
        self.graph = graph
        self.names = list(graph.nodes)
        self.idx = {name: i for i, name in enumerate(self.names)}
        self.keys: list[str] = []
        ends: list[tuple[int, int]] = []
        adj: list[list[tuple[int, int]]] = [[] for _ in self.names]
        for key, link in graph.links.items():
            u, v = self.idx[link.a.device], self.idx[link.b.device]
            if u == v:
                continue
            e = len(ends)
            self.keys.append(key)
            ends.append((u, v))
            adj[u].append((v, e))
            adj[v].append((u, e))
        self.eidx = {k: e for e, k in enumerate(self.keys)}
        chosen = list(roots) if roots else list(graph.default_roots())
        self.roots = [self.idx[r] for r in chosen if r in self.idx]
        statuses = [graph.links[k].status for k in self.keys]
        states = [graph.nodes[name].state for name in self.names]
        self.core = engine.Core(len(self.names), ends, adj, self.roots,
                                bytearray(s != "down" for s in statuses),
                                bytearray(s in SILENT_STATES for s in states))
        self.degraded = bytearray(s == "degraded" for s in statuses)
        self.edge_known = bytearray(s != "unknown" for s in statuses)
        self.node_known = bytearray(s != "unknown" for s in states)
        design = engine.Core(self.core.n, ends, adj, self.roots, bytearray([1]) * len(ends),
                             bytearray(self.core.n))
        ddfs = engine.dfs(design)
        self.design_reached = bytearray(self.core.n)
        for v in ddfs.order:
            self.design_reached[v] = 1
        self.design_bridges = {e for e, _ in ddfs.bridges}
        self.design_comp = engine.two_edge_components(design, ddfs)
        self.site_nodes = {site: [self.idx[d] for d in devs if d in self.idx]
                           for site, devs in graph.site_devices.items()}
        self.site_of = {i: site for site, nodes in self.site_nodes.items() for i in nodes}

        self._last: Analysis | None = None
        self._need = FULL

    def invalidate(self) -> None:
        """Flags were changed directly: the next ``analyze()`` recomputes everything."""
        self._need = FULL

    def _reached(self, v: int) -> bool:
        return self._last is None or bool(self._last.reach.reached[v])

    def set_link_status(self, key: str, status: str) -> None:
        e = self.eidx[key]
        usable = status != "down"
        if self.core.usable[e] != usable and any(self._reached(x) for x in self.core.ends[e]):
            self._need = FULL
        self.core.usable[e] = usable
        self.degraded[e] = status == "degraded"
        self.edge_known[e] = status != "unknown"

    def set_device_state(self, name: str, state: str) -> None:
        v = self.idx[name]
        failed = state in SILENT_STATES
        if self.core.failed[v] != failed:
            near = [v, *(w for w, _ in self.core.adj[v])]
            self._need = FULL if v in self.roots or any(self._reached(x) for x in near) else max(
                self._need, SHADOWS)
        self.core.failed[v] = failed
        self.node_known[v] = state != "unknown"

    def analyze(self) -> Analysis:
        """Re-evaluate; a change that cannot alter reachability reuses the last passes."""
        last, need = self._last, self._need
        enabled = gc.isenabled()
        gc.disable()
        try:
            if last is None or need == FULL:
                reach, d = engine.bfs(self.core), engine.dfs(self.core)
                comp, causes = engine.shadows(self.core, reach.reached)
            elif need == SHADOWS:
                reach, d = last.reach, last.dfs
                comp, causes = engine.shadows(self.core, reach.reached)
            else:
                reach, d, comp, causes = last.reach, last.dfs, last.comp, last.raw_causes
            result = Analysis(self, reach, d, comp, causes)
        finally:
            if enabled:
                gc.enable()
        self._last, self._need = result, FLAGS
        return result


def analyze(graph: TopologyGraph, roots: Sequence[str] | None = None) -> Analysis:
    """Every site's state, root causes, device verdicts and single points of failure."""
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
        self.path_degraded = self._path_degraded()
        n = az.core.n
        self.bridged, self.lost_redundancy = engine.behind(d, n, az.design_bridges)
        self._site_live: dict[str, int] | None = None
        self._failed_by_comp: dict[int, list[Element]] | None = None
        self._causes = {c: tuple(sorted(self._element(x) for x in elems)) for c, elems in causes.items()}
        self.codes: dict[str, str] = self._codes()
        self.sites: Mapping[str, SiteState] = _Sites(self)
        self._flow: nx.DiGraph | None = None

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
            return DeviceVerdict(name, reachable, self.az.graph.nodes[name].state)
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

    # -- single points of failure ----------------------------------------------------------
    def lost_sites(self, lost: Iterable[int]) -> tuple[str, ...]:
        """Sites connected now whose every connected device is in ``lost``."""
        count: dict[str, int] = {}
        for v in set(lost):
            site = self.az.site_of.get(v)
            if site is not None and self.reach.reached[v]:
                count[site] = count.get(site, 0) + 1
        if self._site_live is None:
            reached = self.reach.reached
            self._site_live = {s: sum(1 for v in nodes if reached[v])
                               for s, nodes in self.az.site_nodes.items()}
        live = self._site_live
        return tuple(sorted(s for s, c in count.items() if c == live[s]))

    def spofs(self) -> list[Spof]:
        """Bridges and articulation points of the working graph, with their dependents."""
        out: list[Spof] = []
        for e, child in self.dfs.bridges:
            nodes = engine.subtree(self.dfs, child)
            out.append(self._spof(Element("link", self.az.keys[e]), "bridge", nodes))
        for v, children in self.dfs.cut_children.items():
            nodes = [v] + [w for c in children for w in engine.subtree(self.dfs, c)]
            out.append(self._spof(Element("device", self.az.names[v]), "articulation_point", nodes))
        return sorted(out, key=lambda s: (-len(s.dependent_sites), s.element))

    def _spof(self, element: Element, kind: str, nodes: list[int]) -> Spof:
        return Spof(element, kind, self.lost_sites(nodes), tuple(sorted(self.az.names[v] for v in nodes)))

    # -- edge-disjoint paths -----------------------------------------------------------------
    def disjoint_paths(self, site: str) -> int:
        """Edge-disjoint paths from the site to the core over what works now (max flow).

        A site holding a live root counts 1; a site behind a bridge counts 1 without a flow.
        """
        live = [v for v in self.az.site_nodes.get(site, []) if self.reach.reached[v]]
        if not live:
            return 0
        if self.az.core.roots and any(v in self.az.core.roots for v in live):
            return 1
        if all(self.bridged[v] for v in live):
            return 1
        return int(nx.maximum_flow_value(self._flow_graph(), "__core__", ("site", site)))

    def _flow_graph(self) -> nx.DiGraph:
        if self._flow is None:
            g: nx.DiGraph = nx.DiGraph()
            for e, (u, v) in enumerate(self.az.core.ends):
                if self.usable[e] and not self.failed[u] and not self.failed[v]:
                    for a, b in ((u, v), (v, u)):
                        cap = g.get_edge_data(a, b, {}).get("capacity", 0)
                        g.add_edge(a, b, capacity=cap + 1)
            for r in self.az.core.roots:
                g.add_edge("__core__", r)
            for site, nodes in self.az.site_nodes.items():
                for v in nodes:
                    g.add_edge(v, ("site", site))
            self._flow = g
        return self._flow


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
