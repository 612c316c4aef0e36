"""The analyzer: a topology graph numbered once, re-evaluated after every state change.

Links and devices become integers and status flags (``engine.Core``); ``analyze()`` runs the
engine's passes and wraps them in an ``Analysis``. Each change records which passes it
invalidates (a link between two cut-off devices or a degradation: none; a non-tree link between
reached devices going down: only the DFS; ...), so re-evaluation after one link changes state
stays in milliseconds on thousands of devices.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from topology import engine
from topology.analysis import Analysis
from topology.graph import TopologyGraph
from topology.linkstatus import SILENT_STATES

FULL = frozenset({"bfs", "dfs", "shadows"})


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
        self.states = list(states)
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
        self._passes: set[str] = set(FULL)
        self.lock = threading.RLock()

    def set_graph(self, graph: TopologyGraph) -> None:
        """Adopt a graph of the same structure with newer statuses (``graph.refresh_status``)."""
        if list(graph.nodes) != self.names or list(graph.links) != list(self.graph.links):
            raise ValueError("the new graph has a different structure; build a new Analyzer")
        self.graph = graph

    def invalidate(self) -> None:
        """Flags were changed directly: the next ``analyze()`` recomputes everything."""
        self._passes |= FULL

    def _reached(self, v: int) -> bool:
        return self._last is None or bool(self._last.reach.reached[v])

    def _link_passes(self, e: int, usable: bool) -> set[str]:
        """Which passes a link's change of usability invalidates.

        While no full pass is pending the reached set equals the last one. A link between two
        cut-off devices changes nothing; a link between two reached ones keeps the reached set
        (so the shadows): going down it keeps the BFS tree too unless it is a tree edge, coming
        up it may shorten paths; anything else may move the border.
        """
        u, v = self.core.ends[e]
        ru, rv = self._reached(u), self._reached(v)
        if not ru and not rv:
            return set()
        if not (ru and rv) or self._last is None:
            return set(FULL)
        tree = self._last.reach.parent_edge
        if usable:
            return {"bfs", "dfs"}
        return set(FULL) if e in (tree[u], tree[v]) else {"dfs"}

    def set_link_status(self, key: str, status: str) -> None:
        e = self.eidx[key]
        usable = status != "down"
        if self.core.usable[e] != usable:
            self._passes |= self._link_passes(e, usable)
        self.core.usable[e] = usable
        self.degraded[e] = status == "degraded"
        self.edge_known[e] = status != "unknown"

    def set_device_state(self, name: str, state: str) -> None:
        v = self.idx[name]
        failed = state in SILENT_STATES
        if self.core.failed[v] != failed:
            near = [v, *(w for w, _ in self.core.adj[v])]
            full = v in self.roots or any(self._reached(x) for x in near)
            self._passes |= FULL if full else {"shadows"}
        self.core.failed[v] = failed
        self.node_known[v] = state != "unknown"
        self.states[v] = state

    def analyze(self) -> Analysis:
        """Re-evaluate; a change that cannot alter reachability reuses the last passes."""
        with self.lock:
            return self._analyze()

    def _analyze(self) -> Analysis:
        last = self._last
        passes = set(FULL) if last is None else self._passes
        with engine.paused_gc():
            reach = engine.bfs(self.core) if "bfs" in passes or last is None else last.reach
            d = engine.dfs(self.core) if "dfs" in passes or last is None else last.dfs
            if "shadows" in passes or last is None:
                comp, causes = engine.shadows(self.core, reach.reached)
            else:
                comp, causes = last.comp, last.raw_causes
            result = Analysis(self, reach, d, comp, causes)
        self._last, self._passes = result, set()
        return result
