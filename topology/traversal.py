"""The analysis core on integer arrays: reachability, bridges, articulation points, shadows.

NetworkX is the model; this is the arithmetic. Nodes and links are numbered once per graph,
and one pass each of BFS (shortest paths to the core), an iterative Tarjan DFS (bridges,
articulation points, subtrees) and a union-find over what is cut off (shadow components and
the failed elements on their border) gives every answer in O(V + E). A link or device state
change flips one flag and reruns the passes, which keeps re-evaluation in milliseconds.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic GC during a burst of allocations (a full collection over a big snapshot costs
    more than the burst itself); the previous setting comes back afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(slots=True)
class Core:
    """The numbered graph and the mutable status flags the passes read."""

    n: int
    ends: list[tuple[int, int]]
    adj: list[list[tuple[int, int]]]
    roots: list[int]
    usable: bytearray
    failed: bytearray

    def live(self, e: int) -> bool:
        return bool(self.usable[e])


@dataclass(slots=True)
class Reach:
    reached: bytearray
    parent: list[int]
    parent_edge: list[int]
    order: list[int]


@dataclass(slots=True)
class Dfs:
    """DFS from a virtual root joined to every live root (virtual edges have ids >= E)."""

    order: list[int]
    tin: list[int]
    tout: list[int]
    bridges: list[tuple[int, int]]
    cut_children: dict[int, list[int]]
    parent: list[int]
    parent_edge: list[int]


def bfs(core: Core) -> Reach:
    n = core.n
    reached = bytearray(n)
    parent = [-1] * n
    parent_edge = [-1] * n
    queue: deque[int] = deque()
    order: list[int] = []
    for r in core.roots:
        if not core.failed[r] and not reached[r]:
            reached[r] = 1
            queue.append(r)
            order.append(r)
    adj, usable, failed = core.adj, core.usable, core.failed
    while queue:
        u = queue.popleft()
        for v, e in adj[u]:
            if not reached[v] and usable[e] and not failed[v]:
                reached[v] = 1
                parent[v] = u
                parent_edge[v] = e
                queue.append(v)
                order.append(v)
    return Reach(reached, parent, parent_edge, order)


def dfs(core: Core) -> Dfs:
    n = core.n
    failed = core.failed + b"\x00"
    vroot = n
    nedges = len(core.ends)
    live = core.usable + b"\x01" * len(core.roots)
    top = [(r, nedges + i) for i, r in enumerate(core.roots) if not failed[r]]
    adjx = [*core.adj, top]
    for r, e in top:
        adjx[r] = [*adjx[r], (vroot, e)]
    disc = [-1] * (n + 1)
    low = [0] * (n + 1)
    pe = [-1] * (n + 1)
    par = [-1] * (n + 1)
    pos = [0] * (n + 1)
    tin = [-1] * n
    tout = [-1] * n
    order: list[int] = []
    bridges: list[tuple[int, int]] = []
    cut_children: dict[int, list[int]] = {}
    disc[vroot] = 0
    timer = 1
    stack = [vroot]
    while stack:
        u = stack[-1]
        nbrs, i, parent_edge, pushed = adjx[u], pos[u], pe[u], False
        while i < len(nbrs):
            v, e = nbrs[i]
            i += 1
            if e == parent_edge or failed[v] or not live[e]:
                continue
            if disc[v] == -1:
                disc[v] = low[v] = timer
                timer += 1
                pe[v], par[v] = e, u
                tin[v] = len(order)
                order.append(v)
                stack.append(v)
                pushed = True
                break
            if disc[v] < low[u]:
                low[u] = disc[v]
        pos[u] = i
        if pushed:
            continue
        stack.pop()
        if u == vroot:
            continue
        tout[u] = len(order)
        p = par[u]
        if low[u] < low[p]:
            low[p] = low[u]
        if p != vroot:
            if low[u] > disc[p]:
                bridges.append((pe[u], u))
            if low[u] >= disc[p]:
                cut_children.setdefault(p, []).append(u)
    return Dfs(order, tin, tout, bridges, cut_children, par, pe)


def behind(d: Dfs, n: int, design_bridges: set[int]) -> tuple[bytearray, bytearray]:
    """Per node: a bridge lies on its DFS tree path to the core; and one that is new by design."""
    bridged, new = bytearray(n), bytearray(n)
    cut = {e for e, _ in d.bridges}
    parent, parent_edge = d.parent, d.parent_edge
    for v in d.order:
        p, e = parent[v], parent_edge[v]
        if p == n:
            continue
        if bridged[p] or e in cut:
            bridged[v] = 1
            if new[p] or (e in cut and e not in design_bridges):
                new[v] = 1
    return bridged, new


def subtree(d: Dfs, v: int) -> list[int]:
    return d.order[d.tin[v] : d.tout[v]]


def shadows(core: Core, reached: bytearray) -> tuple[list[int], dict[int, set[tuple[str, int]]]]:
    """Components of the cut-off nodes and, per component, the failed elements on its border.

    An element is ``("link", e)`` or ``("device", v)``. A silent device on the border is the
    cause, except a silent single-homed device behind a link known down: then the link is.
    """
    n = core.n
    comp = list(range(n))

    def find(x: int) -> int:
        while comp[x] != x:
            comp[x] = comp[comp[x]]
            x = comp[x]
        return x

    border: list[tuple[int, int]] = []
    for e, (u, v) in enumerate(core.ends):
        ru, rv = reached[u], reached[v]
        if not ru and not rv:
            a, b = find(u), find(v)
            if a != b:
                comp[a] = b
        elif ru != rv:
            border.append((e, v if ru else u))
    causes: dict[int, set[tuple[str, int]]] = {}
    for e, v in border:
        causes.setdefault(find(v), set()).add(_cause(core, e, v))
    for r in core.roots:
        if core.failed[r]:
            causes.setdefault(find(r), set()).add(("device", r))
    return [find(x) for x in range(n)], causes


def _cause(core: Core, e: int, v: int) -> tuple[str, int]:
    if not core.failed[v]:
        return ("link", e)
    if not core.usable[e] and len(core.adj[v]) == 1:
        return ("link", e)
    return ("device", v)


def two_edge_components(core: Core, d: Dfs) -> list[int]:
    """Component id per node when every bridge of the DFS's graph is removed."""
    cut = {e for e, _ in d.bridges}
    comp = list(range(core.n))

    def find(x: int) -> int:
        while comp[x] != x:
            comp[x] = comp[comp[x]]
            x = comp[x]
        return x

    for e, (u, v) in enumerate(core.ends):
        if e not in cut:
            a, b = find(u), find(v)
            if a != b:
                comp[a] = b
    return [find(x) for x in range(core.n)]
