"""How fragile the working network is: single points of failure and edge-disjoint paths.

Bridges and articulation points come straight from the analysis DFS (each with the subtree
that hangs on it, so the dependents of every one are known without removing anything); the
number of edge-disjoint paths of a site is 1 behind a bridge and otherwise a max flow from the
core over the links that work now.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from topology import engine

if TYPE_CHECKING:
    from topology.analysis import Analysis, Spof


def lost_sites(a: Analysis, lost: Iterable[int]) -> tuple[str, ...]:
    """Sites connected now whose every connected device is in ``lost``."""
    count: dict[str, int] = {}
    for v in set(lost):
        site = a.az.site_of.get(v)
        if site is not None and a.reach.reached[v]:
            count[site] = count.get(site, 0) + 1
    if a.site_live is None:
        reached = a.reach.reached
        a.site_live = {s: sum(1 for v in nodes if reached[v]) for s, nodes in a.az.site_nodes.items()}
    live = a.site_live
    return tuple(sorted(s for s, c in count.items() if c == live[s]))


def single_points_of_failure(a: Analysis) -> list[Spof]:
    """Bridges and articulation points with dependent sites and devices, most dependents first."""
    from topology.analysis import Element, Spof

    def spof(element: Element, kind: str, nodes: list[int]) -> Spof:
        return Spof(element, kind, lost_sites(a, nodes), tuple(sorted(a.az.names[v] for v in nodes)))

    out: list[Spof] = []
    for e, child in a.dfs.bridges:
        out.append(spof(Element("link", a.az.keys[e]), "bridge", engine.subtree(a.dfs, child)))
    for v, children in a.dfs.cut_children.items():
        nodes = [v] + [w for c in children for w in engine.subtree(a.dfs, c)]
        out.append(spof(Element("device", a.az.names[v]), "articulation_point", nodes))
    return sorted(out, key=lambda s: (-len(s.dependent_sites), s.element))


def disjoint_paths(a: Analysis, site: str) -> int:
    """Edge-disjoint paths from the site to the core; a site holding a live root counts 1."""
    live = [v for v in a.az.site_nodes.get(site, []) if a.reach.reached[v]]
    if not live:
        return 0
    if any(v in a.az.core.roots for v in live) or all(a.bridged[v] for v in live):
        return 1
    return int(nx.maximum_flow_value(_flow_graph(a), "__core__", ("site", site)))


def _flow_graph(a: Analysis) -> nx.DiGraph:
    if a.flow_graph is None:
        g: nx.DiGraph = nx.DiGraph()
        for e, (u, v) in enumerate(a.az.core.ends):
            if a.usable[e] and not a.failed[u] and not a.failed[v]:
                for x, y in ((u, v), (v, u)):
                    g.add_edge(x, y, capacity=g.get_edge_data(x, y, {}).get("capacity", 0) + 1)
        for r in a.az.core.roots:
            g.add_edge("__core__", r)
        for name, nodes in a.az.site_nodes.items():
            for v in nodes:
                g.add_edge(v, ("site", name))
        a.flow_graph = g
    return a.flow_graph
