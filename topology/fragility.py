"""How fragile the working network is: single points of failure and edge-disjoint paths.

Bridges and articulation points come straight from the analysis DFS (each with the subtree
that hangs on it, so the dependents of every one are known without removing anything); the
number of edge-disjoint paths of a site is 1 behind a bridge and otherwise a max flow from the
core over the links that work now.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from topology import traversal

if TYPE_CHECKING:
    from topology.assessed import Assessment, Spof


def lost_sites(a: Assessment, lost: Iterable[int]) -> tuple[str, ...]:
    """Sites connected now whose every connected device is in ``lost``."""
    count: dict[str, int] = {}
    for v in set(lost):
        site = a.net.site_of.get(v)
        if site is not None and a.reach.reached[v]:
            count[site] = count.get(site, 0) + 1
    if a.site_live is None:
        reached = a.reach.reached
        a.site_live = {s: sum(1 for v in nodes if reached[v]) for s, nodes in a.net.site_nodes.items()}
    live = a.site_live
    return tuple(sorted(s for s, c in count.items() if c == live[s]))


def single_points_of_failure(a: Assessment) -> list[Spof]:
    """Bridges and articulation points with dependent sites and devices, most dependents first."""
    from topology.assessed import Spof
    from topology.states import Element

    def spof(element: Element, kind: str, nodes: list[int]) -> Spof:
        return Spof(element, kind, lost_sites(a, nodes), tuple(sorted(a.net.names[v] for v in nodes)))

    out: list[Spof] = []
    for e, child in a.dfs.bridges:
        out.append(spof(Element("link", a.net.keys[e]), "bridge", traversal.subtree(a.dfs, child)))
    for v, children in a.dfs.cut_children.items():
        nodes = [v] + [w for c in children for w in traversal.subtree(a.dfs, c)]
        out.append(spof(Element("device", a.net.names[v]), "articulation_point", nodes))
    return sorted(out, key=lambda s: (-len(s.dependent_sites), s.element))


def disjoint_paths(a: Assessment, site: str) -> int:
    """Edge-disjoint paths from the site to the core over what works now.

    0 when cut off; 1 behind a bridge or when the site holds a live root; 2 when the site's
    device is not behind a bridge and has two working links; otherwise a unit-capacity max flow
    from the core, inside the site's 2-edge-connected component, stopped at the site's degree.
    """
    live = [v for v in a.net.site_nodes.get(site, []) if a.reach.reached[v]]
    if not live:
        return 0
    if any(v in a.net.roots for v in live) or all(a.bridged[v] for v in live):
        return 1
    degree = sum(_degree(a, v) for v in live)
    if degree <= 2:
        return degree
    if len(live) == 1 and live[0] in a.two_paths:
        return 2
    cache = a.flow_cache
    if site not in cache:
        cache[site] = _max_flow(a, set(live), degree)
    return cache[site]


def _degree(a: Assessment, v: int) -> int:
    return sum(1 for w, e in a.net.adj[v] if a.usable[e] and not a.failed[w])


def _components(a: Assessment) -> list[int]:
    """2-edge-connected components of the working graph, all live roots joined (virtual root)."""
    if a.work_comp is None:
        core, cut = a.net, {e for e, _ in a.dfs.bridges}
        comp = list(range(core.n))

        def find(x: int) -> int:
            while comp[x] != x:
                comp[x] = comp[comp[x]]
                x = comp[x]
            return x

        for e, (u, v) in enumerate(core.ends):
            if a.usable[e] and e not in cut and a.reach.reached[u] and a.reach.reached[v]:
                comp[find(u)] = find(v)
        live_roots = [r for r in core.roots if a.reach.reached[r]]
        for r in live_roots[1:]:
            comp[find(r)] = find(live_roots[0])
        a.work_comp = [find(x) for x in range(core.n)]
    return a.work_comp


def _max_flow(a: Assessment, sinks: set[int], cap: int) -> int:
    """Unit-capacity undirected max flow from every live root to ``sinks``, at most ``cap``."""
    core, comp = a.net, _components(a)
    zone = comp[next(iter(sinks))]
    flow = [0] * len(core.ends)
    sources = [r for r in core.roots if a.reach.reached[r] and comp[r] == zone]
    total = 0
    while total < cap:
        seen: set[int] = set()
        path = _augmenting_path(a, flow, sources, sinks, zone, comp, seen)
        if path is None:
            if total == 2:
                _share_cut(a, seen, zone, comp)
            break
        for u, e in path:
            flow[e] += 1 if core.ends[e][0] == u else -1
        total += 1
    return total


def _share_cut(a: Assessment, source_side: set[int], zone: int, comp: list[int]) -> None:
    """A min cut of value 2 separates the core from every node beyond it: in the same
    2-edge-connected component those have exactly 2 edge-disjoint paths too."""
    a.two_paths.update(v for v in range(a.net.n) if comp[v] == zone and v not in source_side)


def _augmenting_path(
    a: Assessment,
    flow: list[int],
    sources: list[int],
    sinks: set[int],
    zone: int,
    comp: list[int],
    seen: set[int],
) -> list[tuple[int, int]] | None:
    """A shortest augmenting path (BFS); ``seen`` ends as the residual-reachable source side."""
    core = a.net
    prev: dict[int, tuple[int, int]] = {}
    seen.update(sources)
    queue = list(sources)
    for u in queue:
        for v, e in core.adj[u]:
            if v in seen or comp[v] != zone or not a.usable[e] or a.failed[v]:
                continue
            forward = core.ends[e][0] == u
            if (flow[e] >= 1) if forward else (flow[e] <= -1):
                continue
            seen.add(v)
            prev[v] = (u, e)
            if v in sinks:
                path = []
                while v in prev:
                    u2, e2 = prev[v]
                    path.append((u2, e2))
                    v = u2
                return path
            queue.append(v)
    return None
