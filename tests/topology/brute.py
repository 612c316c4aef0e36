"""Single points of failure by brute force on NetworkX: remove each element, recompute reachability.

The obvious quadratic computation of the definition, shared by the property tests (random
graphs) and the testbed test (the discovered network): a device counts when its loss
disconnects at least one site other than its own, a link when its loss disconnects any site;
each with every site its loss disconnects; most sites first, then most schools.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

if TYPE_CHECKING:
    from netops.monitor.network_view import NetworkView


def reach(w: nx.MultiGraph, roots: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for r in roots:
        if r in w:
            out |= nx.node_connected_component(w, r)
    return out


def _sites(devices: Iterable[str], site_of: Mapping[str, str | None]) -> set[str]:
    return {s for d in devices if (s := site_of.get(d)) is not None}


def brute_spofs(
    w: nx.MultiGraph,
    roots: Iterable[str],
    site_of: Mapping[str, str | None],
    kinds: Mapping[str, str],
) -> list[dict[str, Any]]:
    """``w``: what works now (live devices, links not down), edges keyed by link id."""
    roots = list(roots)
    base = reach(w, roots)
    live = _sites(base, site_of)

    def lost(h: nx.MultiGraph) -> list[str]:
        return sorted(live - _sites(reach(h, roots), site_of))

    found: list[tuple[str, str, list[str]]] = []
    for node in sorted(base):
        h = w.copy()
        h.remove_node(node)
        sites = lost(h)
        if set(sites) - {site_of.get(node)}:
            found.append(("device", node, sites))
    for u, v, key in sorted(w.edges(keys=True)):
        if u not in base:
            continue
        h = w.copy()
        h.remove_edge(u, v, key)
        sites = lost(h)
        if sites:
            found.append(("link", key, sites))

    def rank(item: tuple[str, str, list[str]]) -> tuple[int, int, str, str]:
        kind, name, sites = item
        return (-len(sites), -sum(1 for s in sites if kinds.get(s) == "school"), kind, name)

    return [{"type": k, "name": n, "sites": s} for k, n, s in sorted(found, key=rank)]


def brute_from_view(view: NetworkView) -> list[dict[str, Any]]:
    """Brute force on what the stored states say works: devices neither down nor unreachable,
    links not down, from the view's roots."""
    g, w = view.graph, nx.MultiGraph()
    w.add_nodes_from(n for n, info in g.nodes.items() if info.state not in ("down", "unreachable"))
    for key, link in g.links.items():
        if link.status != "down" and link.a.device in w and link.b.device in w:
            w.add_edge(link.a.device, link.b.device, key=key)
    site_of = {n: info.site for n, info in g.nodes.items()}
    return brute_spofs(w, view.assessment.roots, site_of, {s: r.kind for s, r in g.sites.items()})
