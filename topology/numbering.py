"""The topology graph numbered once: devices and links as integers, and what the design gives.

The assessment runs on integer arrays (``traversal``), so a graph is numbered once per
structure: device names and link keys become indexes, adjacency becomes lists, the roots are
chosen, and the intact design is analysed once (which devices a root can reach at all, the
bridges of the design, its 2-edge-connected components) because "redundancy lost" and "not
linked to the core" are judged against the design. Site membership is numbered too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from topology import traversal
from topology.graph import TopologyGraph


@dataclass(frozen=True, slots=True)
class Numbering:
    graph: TopologyGraph
    names: list[str]
    idx: dict[str, int]
    keys: list[str]
    eidx: dict[str, int]
    ends: list[tuple[int, int]]
    adj: list[list[tuple[int, int]]]
    roots: list[int]
    design_reached: bytearray
    design_bridges: frozenset[int]
    design_comp: list[int]
    site_nodes: dict[str, list[int]]
    site_of: dict[int, str]

    @property
    def n(self) -> int:
        return len(self.names)

    def core(self, usable: bytearray, failed: bytearray) -> traversal.Core:
        """A traversal core over these numbers with the given flags (the caller's own copies)."""
        return traversal.Core(self.n, self.ends, self.adj, self.roots, usable, failed)


def number(graph: TopologyGraph, roots: Sequence[str] | None = None) -> Numbering:
    """Number ``graph``; ``roots`` default to its core devices."""
    names = list(graph.nodes)
    idx = {name: i for i, name in enumerate(names)}
    keys: list[str] = []
    ends: list[tuple[int, int]] = []
    adj: list[list[tuple[int, int]]] = [[] for _ in names]
    for key, link in graph.links.items():
        u, v = idx[link.a.device], idx[link.b.device]
        if u == v:
            continue
        e = len(ends)
        keys.append(key)
        ends.append((u, v))
        adj[u].append((v, e))
        adj[v].append((u, e))
    chosen = list(roots) if roots else list(graph.default_roots())
    root_ids = sorted({idx[r] for r in chosen if r in idx})
    design = traversal.Core(
        len(names), ends, adj, root_ids, bytearray([1]) * len(ends), bytearray(len(names))
    )
    ddfs = traversal.dfs(design)
    reached = bytearray(len(names))
    for v in ddfs.order:
        reached[v] = 1
    site_nodes = {site: [idx[d] for d in devs if d in idx] for site, devs in graph.site_devices.items()}
    return Numbering(
        graph=graph,
        names=names,
        idx=idx,
        keys=keys,
        eidx={k: e for e, k in enumerate(keys)},
        ends=ends,
        adj=adj,
        roots=root_ids,
        design_reached=reached,
        design_bridges=frozenset(e for e, _ in ddfs.bridges),
        design_comp=traversal.two_edge_components(design, ddfs),
        site_nodes=site_nodes,
        site_of={i: site for site, nodes in site_nodes.items() for i in nodes},
    )
