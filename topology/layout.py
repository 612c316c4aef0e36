"""Stable map positions: geography when known, otherwise a seeded layout; never jumping.

A node keeps a stored position forever (operators may pin it). A device whose site has a
latitude/longitude is placed there (x = longitude, y = latitude). A new node is placed near
its already placed neighbours at a small offset derived from its name, so a refresh puts it
in the same spot; a network with no positions at all gets a deterministic radial layout of its
devices (the core in the middle, rings by hop count; pure Python, no numpy). Unknown nodes are
not stored; they are always placed near their neighbours, so they land in the same spot too.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, NodePosition
from topology.graph import TopologyGraph

Position = tuple[float, float]


def _angle(name: str) -> float:
    digest = hashlib.sha1(name.encode("utf-8", "replace")).digest()  # noqa: S324 - not security
    return int.from_bytes(digest[:4], "big") / 2**32 * 2 * math.pi


def _span(pos: Mapping[str, Position]) -> float:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) if pos else 0.0
    return span or 1.0


def compute_positions(
    graph: TopologyGraph, existing: Mapping[str, Position] | None = None
) -> dict[str, Position]:
    """Positions for every node, keeping ``existing`` ones unchanged."""
    pos: dict[str, Position] = {k: v for k, v in (existing or {}).items() if k in graph.nodes}
    for name, info in graph.nodes.items():
        site = graph.sites.get(info.site or "")
        if name not in pos and site and site.latitude is not None and site.longitude is not None:
            pos[name] = (float(site.longitude), float(site.latitude))
    simple = nx.Graph(graph.graph)
    roots = set(graph.default_roots())
    if not pos:
        known = [n for n, info in graph.nodes.items() if info.known]
        pos = radial_layout(nx.Graph(simple.subgraph(known)), roots)
        if not pos:
            return radial_layout(simple, roots)
    _near_neighbours(simple, pos)
    missing = sorted(n for n in graph.nodes if n not in pos)
    if missing:
        _islands(simple.subgraph(missing), pos, roots)
    return pos


def radial_layout(simple: nx.Graph, roots: set[str]) -> dict[str, Position]:
    """Each component as rings around its root (core first), sectors by subtree size; side by side."""
    pos: dict[str, Position] = {}
    offset = 0.0
    comps = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0]))
    for nodes in comps:
        root = min(nodes, key=lambda n: (n not in roots, -simple.degree(n), n))
        tree = nx.bfs_tree(simple, root, sort_neighbors=sorted)
        depth = _rings(tree, root, pos, offset)
        offset += 2 * depth + 2
    return pos


def _rings(tree: nx.DiGraph, root: str, pos: dict[str, Position], offset: float) -> int:
    leaves: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(tree))):
        leaves[node] = max(1, sum(leaves[c] for c in tree.successors(node)))
    stack = [(root, 0, 0.0, 2 * math.pi)]
    deepest = 0
    while stack:
        node, depth, start, width = stack.pop()
        deepest = max(deepest, depth)
        mid = start + width / 2
        pos[node] = (offset + depth * math.cos(mid), depth * math.sin(mid))
        for child in sorted(tree.successors(node)):
            share = width * leaves[child] / leaves[node]
            stack.append((child, depth + 1, start, share))
            start += share
    return deepest


def _near_neighbours(simple: nx.Graph, pos: dict[str, Position]) -> None:
    radius = _span(pos) * 0.05
    changed = True
    while changed:
        changed = False
        for name in sorted(n for n in simple.nodes if n not in pos):
            placed = [pos[m] for m in simple.neighbors(name) if m in pos]
            if placed:
                cx = sum(p[0] for p in placed) / len(placed)
                cy = sum(p[1] for p in placed) / len(placed)
                a = _angle(name)
                pos[name] = (cx + radius * math.cos(a), cy + radius * math.sin(a))
                changed = True


def _islands(sub: nx.Graph, pos: dict[str, Position], roots: set[str]) -> None:
    span = _span(pos)
    right = max(p[0] for p in pos.values()) + span * 0.2
    top = max(p[1] for p in pos.values())
    layout = radial_layout(nx.Graph(sub), roots)
    scale = span * 0.02
    for name, (x, y) in layout.items():
        pos[name] = (right + x * scale, top + y * scale)


def load_positions(session: Session) -> dict[str, Position]:
    rows = session.execute(
        select(Device.name, NodePosition.x, NodePosition.y).join(
            NodePosition, NodePosition.device_id == Device.id
        )
    )
    return {name: (x, y) for name, x, y in rows}


def save_new_positions(session: Session, positions: Mapping[str, Position]) -> int:
    """Store positions of devices that have none yet (stored ones are never moved here)."""
    have = set(session.scalars(select(NodePosition.device_id)))
    added = 0
    for device_id, name in session.execute(select(Device.id, Device.name)):
        if device_id not in have and name in positions:
            x, y = positions[name]
            session.add(NodePosition(device_id=device_id, x=x, y=y, pinned=False))
            added += 1
    return added


def stable_positions(session: Session, graph: TopologyGraph) -> dict[str, Position]:
    """Load, complete and persist: the map's positions for this graph."""
    positions = compute_positions(graph, load_positions(session))
    save_new_positions(session, positions)
    return positions
