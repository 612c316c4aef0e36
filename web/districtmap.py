"""The logical map zoomed out: one node per district, placed, with what the NOC needs to read.

The aggregation is ``composite.district_map`` (the same as ``/api/v1/topology?level=district``:
devices counted by state, links between districts counted by state, each district at its
devices' mean position). This adds what a map of districts must show beyond it: the sites of
each district by their stored help-desk answer (offline, degraded, not monitored), the root
causes of open outages that lie in it or on a link between two districts, a radius by device
count, and positions nudged apart so no two districts overlap. Nothing here derives a state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from netops.monitor.network_view import NetworkView
from netops.scope import Visible
from topology.graph import link_devices
from web.composite import NO_DISTRICT, DistrictMap, district_map
from web.views import Topology

Key = tuple[str, str]  # (device|link, name or link id), as svgmap.Marks
DEVICE_LEVEL_MAX = 1000  # more devices than this: the map opens on districts (README: Topology)
BAD_SITES = ("disconnected", "degraded", "unknown")


@dataclass(frozen=True, slots=True)
class DistrictCircle:
    """A district as drawn: its devices and sites by state, whether a root cause lies in it."""

    district: str
    devices: int
    device_states: dict[str, int]
    sites: int
    site_states: dict[str, int]  # connected, degraded, disconnected, unknown
    causes: tuple[str, ...]  # the root causes in it (device names, link ids)
    x: float
    y: float
    r: float

    @property
    def state(self) -> str:
        """The colour: offline when a site of it is, then degraded, then unknown, else up."""
        if self.site_states.get("disconnected") or self.device_states.get("down"):
            return "down"
        if self.site_states.get("degraded") or self.device_states.get("unreachable"):
            return "degraded"
        if self.site_states.get("unknown") or not self.device_states.get("up"):
            return "unknown"
        return "up"


@dataclass(frozen=True, slots=True)
class DistrictEdge:
    """The links between two districts: how many, how many down, root causes on them."""

    a: str
    b: str
    links: int
    down: int
    causes: tuple[str, ...]
    states: dict[str, int]


@dataclass(frozen=True, slots=True)
class DistrictLevel:
    nodes: tuple[DistrictCircle, ...]
    edges: tuple[DistrictEdge, ...]  # between two districts (the links inside one are in its node)
    inside: dict[str, tuple[int, int]]  # district -> (links inside it, of them down)


def for_view(
    view: NetworkView, topo: Topology, causes: Iterable[Key], scope: Visible | None
) -> DistrictLevel:
    """The district level of ``topo`` (already a scope's part) with the stored site answers
    of the sites the scope shows (every site for the whole network)."""
    sites = {
        name: (record.district, stored.state.value)
        for name, stored in view.sites.items()
        if (record := view.graph.sites.get(name)) is not None and (scope is None or scope.site(name))
    }
    level = build(topo, district_map(topo), sites, causes)
    if scope is None:
        return level
    hide = scope.redact  # a root cause's far end outside the scope is not named
    return DistrictLevel(
        tuple(replace(n, causes=tuple(hide(c) or "" for c in n.causes)) for n in level.nodes),
        tuple(replace(e, causes=tuple(hide(c) or "" for c in e.causes)) for e in level.edges),
        level.inside,
    )


def build(
    topo: Topology,
    aggregated: DistrictMap,
    site_states: Mapping[str, tuple[str | None, str]],
    causes: Iterable[Key],
) -> DistrictLevel:
    """``site_states``: site -> (district, stored state) of the sites shown (a scope's only)."""
    where = {n.name: n.district or NO_DISTRICT for n in topo.nodes}
    ends = {lk.key: (where.get(lk.a_device, NO_DISTRICT), where.get(lk.b_device, NO_DISTRICT))
            for lk in topo.links}
    in_district: dict[str, list[str]] = {}
    on_edge: dict[tuple[str, str], list[str]] = {}
    for kind, name in sorted(causes):
        if kind == "device" and name in where:
            in_district.setdefault(where[name], []).append(name)
        elif kind == "link" and name in ends and len(set(ends[name])) == 2:
            on_edge.setdefault(_pair(*ends[name]), []).append(name)
        elif kind == "link":  # inside one district, or with one end outside a scope
            for district in sorted({where[d] for d in link_devices(name) if d in where}):
                in_district.setdefault(district, []).append(name)
    sites: dict[str, dict[str, int]] = {}
    for site_district, state in site_states.values():
        counts = sites.setdefault(site_district or NO_DISTRICT, {})
        counts[state] = counts.get(state, 0) + 1
    radius = _radius(aggregated)
    placed = _spread([(d.x, d.y, radius(d.devices)) for d in aggregated.nodes], topo.width, topo.height,
                     gap=0.8 * radius.top + 20)  # room for the name over a circle and counts under it
    nodes = tuple(
        DistrictCircle(
            district=d.district,
            devices=d.devices,
            device_states=d.states,
            sites=sum(sites.get(d.district, {}).values()),
            site_states=dict(sorted(sites.get(d.district, {}).items())),
            causes=tuple(in_district.get(d.district, ())),
            x=x,
            y=y,
            r=r,
        )
        for d, (x, y, r) in zip(aggregated.nodes, placed, strict=True)
    )
    edges = tuple(
        DistrictEdge(lk.a, lk.b, lk.links, lk.states.get("down", 0), tuple(on_edge.get((lk.a, lk.b), ())),
                     lk.states)
        for lk in aggregated.links
        if lk.a != lk.b
    )
    inside = {lk.a: (lk.links, lk.states.get("down", 0)) for lk in aggregated.links if lk.a == lk.b}
    return DistrictLevel(nodes, edges, inside)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _radius(aggregated: DistrictMap) -> _Radius:
    count = max(1, len(aggregated.nodes))
    largest = max((d.devices for d in aggregated.nodes), default=1)
    return _Radius(min(80.0, max(22.0, 1000.0 / (4.2 * math.sqrt(count)))), largest)


@dataclass(frozen=True, slots=True)
class _Radius:
    """Area by device count: the largest district gets ``top``, none less than a third of it."""

    top: float
    largest: int

    def __call__(self, devices: int) -> float:
        return round(max(self.top / 3, self.top * math.sqrt(devices / max(1, self.largest))), 1)


def _spread(circles: list[tuple[float, float, float]], width: float, height: float, gap: float = 14.0,
            rounds: int = 120) -> list[tuple[float, float, float]]:
    """Push overlapping circles apart (a few dozen districts: pairs, a few rounds), kept on the
    canvas; deterministic, so the map never jumps between two views of the same network."""
    pos = [[x, y, r] for x, y, r in circles]
    for step in range(rounds):
        moved = False
        for i in range(len(pos)):
            for j in range(i + 1, len(pos)):
                a, b = pos[i], pos[j]
                dx, dy = b[0] - a[0], b[1] - a[1]
                dist = math.hypot(dx, dy)
                need = a[2] + b[2] + gap
                if dist >= need:
                    continue
                if dist < 1e-6:  # same place: part them along a fixed direction per pair
                    angle = (i * 7 + j * 13 + step) % 360 * math.pi / 180
                    dx, dy, dist = math.cos(angle), math.sin(angle), 1.0
                push = (need - dist) / 2
                ux, uy = dx / dist, dy / dist
                a[0] -= ux * push
                a[1] -= uy * push
                b[0] += ux * push
                b[1] += uy * push
                moved = True
        for p in pos:
            p[0] = min(max(p[0], p[2]), width - p[2]) if width > 2 * p[2] else width / 2
            p[1] = min(max(p[1], p[2]), height - p[2]) if height > 2 * p[2] else height / 2
        if not moved:
            break
    return _fill(pos, width, height)


def _fill(pos: list[list[float]], width: float, height: float) -> list[tuple[float, float, float]]:
    """Stretch the centres to fill the canvas (districts whose devices are spread alike all sit
    near its middle): the circles keep their size, the room between them grows."""
    if len(pos) > 1:
        margin = max(p[2] for p in pos) + 40
        xs, ys = [p[0] for p in pos], [p[1] for p in pos]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
        k = min(width - 2 * margin, height - 2 * margin) / span
        if k > 1:
            cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
            for p in pos:
                p[0] = width / 2 + (p[0] - cx) * k
                p[1] = height / 2 + (p[1] - cy) * k
    return [(round(x, 1), round(y, 1), r) for x, y, r in pos]


def bounds(topo: Topology, district: str) -> tuple[float, float, float, float] | None:
    """The view box that fits a district's devices (x, y, width, height), None when it has none."""
    points = [(n.x, n.y) for n in topo.nodes if (n.district or NO_DISTRICT) == district]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    w, h = max(max(xs) - min(xs), 120.0) * 1.24, max(max(ys) - min(ys), 120.0) * 1.24
    w = h = max(w, h)
    return (round((min(xs) + max(xs)) / 2 - w / 2, 1), round((min(ys) + max(ys)) / 2 - h / 2, 1),
            round(w, 1), round(h, 1))


def fit(level: DistrictLevel) -> tuple[float, float, float, float] | None:
    """The view box that shows every district with room for its name over it and its counts under it."""
    if not level.nodes:
        return None
    x0 = min(n.x - n.r for n in level.nodes) - 130  # the counts under a circle are wider than it
    x1 = max(n.x + n.r for n in level.nodes) + 130
    y0 = min(n.y - n.r for n in level.nodes) - 50
    y1 = max(n.y + n.r for n in level.nodes) + 90
    w = h = max(x1 - x0, y1 - y0, 300.0)
    return (round((x0 + x1 - w) / 2, 1), round((y0 + y1 - h) / 2, 1), round(w, 1), round(h, 1))
