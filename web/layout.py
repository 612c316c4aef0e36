"""The first layout of a network that has no stored map positions yet: radial around the core.

``topology.layout`` keeps positions stable (stored ones never move, new devices are placed
near their neighbours); it needs a start. A municipal fiber network is a core, a ring of
district switches and trees of access sites, so cores go in the centre, then rings by hop
count, each child in its parent's sector. Deterministic, O(n), no numeric libraries.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence

CANVAS = 1000.0


def radial_layout(
    roles: Mapping[str, str], edges: Sequence[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """Positions for every device in ``roles`` (name -> role), linked by ``edges``."""
    adjacent: dict[str, list[str]] = {name: [] for name in roles}
    for a, b in edges:
        if a in adjacent and b in adjacent:
            adjacent[a].append(b)
            adjacent[b].append(a)
    for peers in adjacent.values():
        peers.sort()
    roots = sorted(n for n, role in roles.items() if role == "core") or sorted(adjacent)[:1]
    children, depth = _bfs_tree(adjacent, roots)
    orphans = sorted(name for name in adjacent if name not in depth)
    positions: dict[str, tuple[float, float]] = {}
    leaves = _leaf_counts(roots, children)
    total = sum(leaves[r] for r in roots) or 1
    start = 0.0
    max_depth = max(depth.values(), default=0) + (1 if orphans else 0)
    step = (CANVAS / 2 - 40) / max(1, max_depth)
    for root in roots:
        span = 2 * math.pi * leaves[root] / total
        _place(root, (start, start + span), children, leaves, depth, step, positions)
        start += span
    for i, name in enumerate(orphans):
        angle = 2 * math.pi * i / max(1, len(orphans))
        positions[name] = _polar(angle, CANVAS / 2 - 20)
    return positions


def _bfs_tree(
    adjacent: Mapping[str, list[str]], roots: Sequence[str]
) -> tuple[dict[str, list[str]], dict[str, int]]:
    depth = {r: 0 for r in roots}
    children: dict[str, list[str]] = {name: [] for name in adjacent}
    queue = deque(roots)
    while queue:
        node = queue.popleft()
        for peer in adjacent.get(node, ()):
            if peer not in depth:
                depth[peer] = depth[node] + 1
                children[node].append(peer)
                queue.append(peer)
    return children, depth


def _postorder(roots: Sequence[str], children: Mapping[str, list[str]]) -> list[str]:
    order: list[str] = []
    stack = [(r, False) for r in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children.get(node, ()))
    return order


def _leaf_counts(roots: Sequence[str], children: Mapping[str, list[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in _postorder(roots, children):
        kids = children.get(node, ())
        counts[node] = sum(counts[k] for k in kids) if kids else 1
    return counts


def _place(
    root: str,
    sector: tuple[float, float],
    children: Mapping[str, list[str]],
    leaves: Mapping[str, int],
    depth: Mapping[str, int],
    step: float,
    positions: dict[str, tuple[float, float]],
) -> None:
    stack = [(root, *sector)]
    while stack:
        node, lo, hi = stack.pop()
        radius = depth.get(node, 0) * step
        positions[node] = _polar((lo + hi) / 2, radius)
        kids = children.get(node, ())
        weights = [leaves[k] for k in kids]
        total = sum(weights) or 1
        cursor = lo
        for kid, weight in zip(kids, weights, strict=True):
            span = (hi - lo) * weight / total
            stack.append((kid, cursor, cursor + span))
            cursor += span


def _polar(angle: float, radius: float) -> tuple[float, float]:
    return (round(CANVAS / 2 + radius * math.cos(angle), 1), round(CANVAS / 2 + radius * math.sin(angle), 1))
