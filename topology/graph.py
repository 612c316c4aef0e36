"""The topology graph: devices and links as a NetworkX MultiGraph, built from a snapshot.

Declared links and LLDP/CDP sightings are merged into one link per physical port pair (two
fibers between the same pair of devices stay two edges): a link seen from both ends is one
link, a one-sided sighting is kept and marked, a sighting that corrects a declared port
replaces it and keeps the declaration for the audit. Neighbors matching no inventory device
become unknown nodes. A link's id is ``DEV:PORT--DEV:PORT`` (``link_key``), the one format of
every cause, event and URL. States on the graph are the monitor's stored ones (never derived
here): the assessment (``topology.assessment``) is the only place a state is decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import networkx as nx

from inventory.geo import RoutePoint
from inventory.records import DeviceRecord, InterfaceRecord, LinkRecord, NeighborRecordView, SiteRecord
from topology.identify import DeviceIndex, unknown_node_id
from topology.names import port_key
from topology.snapshot import LinkStateRecord, NetworkSnapshot
from topology.traversal import paused_gc


@dataclass(frozen=True, slots=True, order=True)
class LinkEnd:
    device: str
    port: str

    def __str__(self) -> str:
        return f"{self.device}:{self.port}"


@dataclass(frozen=True, slots=True)
class NodeInfo:
    id: str
    known: bool
    site: str | None = None
    role: str = "unknown"
    state: str = "unknown"
    state_since: datetime | None = None
    address: str | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class TopoLink:
    key: str
    a: LinkEnd
    b: LinkEnd
    sources: tuple[str, ...]
    declared: bool
    seen_from: tuple[str, ...] = ()
    port_resolved: bool = True
    declared_ends: tuple[LinkEnd, LinkEnd] | None = None
    status: str = "unknown"
    reason: str = ""
    since: datetime | None = None
    medium: str = "fiber"
    length_m: float | None = None
    speed_bps: int | None = None
    utilization_pct: float | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    link_ids: tuple[int, ...] = ()  # the stored link rows this link stands for
    route: tuple[RoutePoint, ...] = ()  # where the cable runs, from a's site towards b's

    @property
    def one_sided(self) -> bool:
        """Discovered from exactly one of its ends."""
        return len(self.seen_from) == 1

    def other(self, device: str) -> LinkEnd:
        return self.b if self.a.device == device else self.a


@dataclass(slots=True)
class _Draft:
    a: LinkEnd
    b: LinkEnd
    sources: set[str] = field(default_factory=set)
    declared: bool = False
    seen_from: set[str] = field(default_factory=set)
    port_resolved: bool = True
    declared_ends: tuple[LinkEnd, LinkEnd] | None = None
    record: LinkRecord | None = None
    link_ids: set[int] = field(default_factory=set)


@dataclass
class TopologyGraph:
    """Structure in ``graph`` (nodes = device ids, edge keys = link keys; shared, never mutated
    after the build, so a status refresh reuses it); facts in ``nodes`` and ``links``."""

    graph: nx.MultiGraph
    nodes: dict[str, NodeInfo]
    links: dict[str, TopoLink]
    sites: dict[str, SiteRecord]
    site_devices: dict[str, tuple[str, ...]]
    snapshot: NetworkSnapshot

    def default_roots(self) -> tuple[str, ...]:
        return tuple(sorted(n for n, info in self.nodes.items() if info.known and info.role == "core"))

    def link_at(self, device: str, port: str) -> TopoLink | None:
        """The link using a device's port (any spelling of the port name)."""
        want = port_key(port)
        for link in self.links.values():
            for end in (link.a, link.b):
                if end.device == device and port_key(end.port) == want:
                    return link
        return None


def _end_key(end: LinkEnd) -> tuple[str, str]:
    return end.device, port_key(end.port)


def link_key(x: LinkEnd, y: LinkEnd) -> str:
    """``DEV:PORT--DEV:PORT``, ends ordered by device and port key: one id per physical link."""
    first, second = sorted((x, y), key=_end_key)
    return f"{first.device}:{first.port}--{second.device}:{second.port}"


def link_devices(key: str) -> frozenset[str]:
    """The devices at the two ends of a ``link_key`` id (``a:p--b:p`` -> {a, b})."""
    return frozenset(end.partition(":")[0] for end in key.split("--"))


class _Builder:
    def __init__(self, snapshot: NetworkSnapshot) -> None:
        self.index = DeviceIndex(snapshot.devices, snapshot.interfaces)
        self.drafts: list[_Draft] = []
        self.at: dict[tuple[str, str], _Draft] = {}
        self.unknown: dict[str, NodeInfo] = {}

    def _occupant(self, x: LinkEnd, y: LinkEnd) -> _Draft | None:
        for mine, theirs in ((x, y), (y, x)):
            draft = self.at.get(_end_key(mine))
            if draft is not None:
                other = draft.b if _end_key(draft.a) == _end_key(mine) else draft.a
                if other.device == theirs.device:
                    return draft
        return None

    def add(self, x: LinkEnd, y: LinkEnd, *, resolved: bool = True) -> _Draft:
        draft = self._occupant(x, y)
        if draft is None:
            a, b = sorted((x, y), key=_end_key)
            draft = _Draft(a, b, port_resolved=resolved)
            self.drafts.append(draft)
        elif resolved and {_end_key(x), _end_key(y)} != {_end_key(draft.a), _end_key(draft.b)}:
            if draft.port_resolved and draft.declared and draft.declared_ends is None:
                draft.declared_ends = (draft.a, draft.b)
            draft.a, draft.b = sorted((x, y), key=_end_key)
            draft.port_resolved = True
        for end in (draft.a, draft.b):
            self.at.setdefault(_end_key(end), draft)
        return draft

    def add_record(self, rec: LinkRecord) -> None:
        x = LinkEnd(rec.a_device, self.index.local_port(rec.a_device, rec.a_port))
        y = LinkEnd(rec.b_device, self.index.local_port(rec.b_device, rec.b_port))
        draft = self.add(x, y)
        if rec.id is not None:
            draft.link_ids.add(rec.id)
        draft.sources.add(rec.source)
        if rec.declared:
            draft.sources.add("declared")
            draft.declared = True
        if draft.record is None or rec.declared:
            draft.record = rec

    def add_sighting(self, nb: NeighborRecordView) -> None:
        local = LinkEnd(nb.device, self.index.local_port(nb.device, nb.local_port))
        res = self.index.resolve(nb)
        raw = (nb.port_id or nb.port_description or "?").strip()[:100] or "?"
        if res.device is None:
            node = unknown_node_id(nb)
            label = (nb.system_name or nb.chassis_id or "?").strip()[:100]
            self.unknown.setdefault(node, NodeInfo(node, False, label=label, address=nb.management_address))
            draft = self.add(local, LinkEnd(node, raw), resolved=False)
        elif res.port is None:
            draft = self._occupant(local, LinkEnd(res.device, raw)) or self.add(
                local, LinkEnd(res.device, raw), resolved=False
            )
        else:
            draft = self.add(local, LinkEnd(res.device, res.port))
        draft.sources.add(nb.protocol or "lldp")
        draft.seen_from.add(nb.device)


def _node(dev: DeviceRecord) -> NodeInfo:
    return NodeInfo(
        dev.name,
        True,
        dev.site,
        dev.role,
        dev.state or "unknown",
        dev.state_since,
        dev.address,
        dev.sys_name or dev.name,
    )


Ifaces = dict[tuple[str, str], InterfaceRecord]
States = dict[int, LinkStateRecord]


def _with_state(link: TopoLink, ifaces: Ifaces, states: States) -> TopoLink:
    """The link with the monitor's stored state (first of its rows), speed and utilisation."""
    stored = next((states[i] for i in sorted(link.link_ids) if i in states), None)
    known = [i for i in (ifaces.get(_end_key(link.a)), ifaces.get(_end_key(link.b))) if i is not None]
    speeds = [i.speed_bps for i in known if i.speed_bps]
    utils = [i.utilization_pct for i in known if i.utilization_pct is not None]
    return replace(
        link,
        status=stored.state if stored else "unknown",
        reason=(stored.reason or "") if stored else "",
        since=stored.since if stored else None,
        speed_bps=min(speeds) if speeds else None,
        utilization_pct=max(utils) if utils else None,
    )


def _oriented_route(rec: LinkRecord | None, a: LinkEnd) -> tuple[RoutePoint, ...]:
    """The record's route turned to run from the link's a end."""
    if rec is None or not rec.route:
        return ()
    same = rec.a_device == a.device and port_key(rec.a_port) == port_key(a.port)
    return rec.route if same else rec.route[::-1]


def _finish(draft: _Draft, ifaces: Ifaces, states: States) -> TopoLink:
    rec = draft.record
    link = TopoLink(
        key=link_key(draft.a, draft.b),
        a=draft.a,
        b=draft.b,
        sources=tuple(sorted(draft.sources)),
        declared=draft.declared,
        seen_from=tuple(sorted(draft.seen_from)),
        port_resolved=draft.port_resolved,
        declared_ends=draft.declared_ends,
        medium=rec.medium if rec else "fiber",
        length_m=rec.length_m if rec else None,
        first_seen=rec.first_seen if rec else None,
        last_seen=rec.last_seen if rec else None,
        link_ids=tuple(sorted(draft.link_ids)),
        route=_oriented_route(rec, draft.a),
    )
    return _with_state(link, ifaces, states)


def _indexes(snapshot: NetworkSnapshot) -> tuple[Ifaces, States]:
    ifaces = {(i.device, port_key(i.name)): i for i in snapshot.interfaces}
    return ifaces, {s.link_id: s for s in snapshot.link_states}


def refresh_status(graph: TopologyGraph, snapshot: NetworkSnapshot) -> TopologyGraph:
    """The same structure with the stored device and link states of a newer snapshot."""
    nodes = dict(graph.nodes)
    nodes.update({dev.name: _node(dev) for dev in snapshot.devices if dev.name in nodes})
    ifaces, states = _indexes(snapshot)
    links = {key: _with_state(link, ifaces, states) for key, link in graph.links.items()}
    return TopologyGraph(graph.graph, nodes, links, graph.sites, graph.site_devices, snapshot)


def build_graph(snapshot: NetworkSnapshot) -> TopologyGraph:
    """Merge declared links and neighbor sightings into one MultiGraph of devices and links."""
    with paused_gc():
        return _build(snapshot)


def _build(snapshot: NetworkSnapshot) -> TopologyGraph:
    builder = _Builder(snapshot)
    for rec in snapshot.links:
        builder.add_record(rec)
    for nb in snapshot.neighbors:
        builder.add_sighting(nb)
    nodes = {dev.name: _node(dev) for dev in snapshot.devices}
    nodes.update({k: v for k, v in builder.unknown.items() if k not in nodes})
    ifaces, states = _indexes(snapshot)
    graph: nx.MultiGraph = nx.MultiGraph()
    graph.add_nodes_from(nodes)
    links: dict[str, TopoLink] = {}
    for draft in builder.drafts:
        link = _finish(draft, ifaces, states)
        if link.key in links:
            link = replace(link, key=f"{link.key}#{len(links)}")
        links[link.key] = link
        graph.add_edge(link.a.device, link.b.device, key=link.key)
    site_devices: dict[str, list[str]] = {s.name: [] for s in snapshot.sites}
    for dev in snapshot.devices:
        if dev.site:
            site_devices.setdefault(dev.site, []).append(dev.name)
    sites = {s.name: s for s in snapshot.sites}
    return TopologyGraph(graph, nodes, links, sites, {k: tuple(v) for k, v in site_devices.items()}, snapshot)
