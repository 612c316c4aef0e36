"""Which traversal passes a change of flags invalidates, and running only those.

While no full pass is pending the reached set equals the last one. A link between two cut-off
devices changes nothing; a link between two reached ones keeps the reached set: going down it
keeps the BFS tree too unless it is a tree edge (only the DFS, for bridges, reruns), coming up
it may shorten paths; anything else may move the border. A device changing next to nothing
reached changes nothing either. A fiber cut at the edge of a 5,000-device network therefore
costs one DFS, not a rebuild.
"""

from __future__ import annotations

from topology import traversal
from topology.numbering import Numbering

FULL = frozenset({"bfs", "dfs"})


class PassTracker:
    def __init__(self, net: Numbering) -> None:
        self.net = net
        self.reach: traversal.Reach | None = None
        self.dfs: traversal.Dfs | None = None
        self.pending: set[str] = set(FULL)

    def _reached(self, v: int) -> bool:
        return self.reach is None or bool(self.reach.reached[v])

    def link_changed(self, e: int, usable: bool) -> None:
        u, v = self.net.ends[e]
        ru, rv = self._reached(u), self._reached(v)
        if not ru and not rv:
            return
        if (
            not (ru and rv)
            or self.reach is None
            or usable
            or e in (self.reach.parent_edge[u], self.reach.parent_edge[v])
        ):
            self.pending |= FULL
        else:
            self.pending.add("dfs")

    def device_changed(self, v: int) -> None:
        near = [v, *(w for w, _ in self.net.adj[v])]
        if v in self.net.roots or any(self._reached(x) for x in near):
            self.pending |= FULL

    def run(self, core: traversal.Core) -> tuple[traversal.Reach, traversal.Dfs]:
        if self.reach is None or "bfs" in self.pending:
            self.reach = traversal.bfs(core)
        if self.dfs is None or "dfs" in self.pending:
            self.dfs = traversal.dfs(core)
        self.pending = set()
        return self.reach, self.dfs
