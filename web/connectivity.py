"""Is a site connected to the core? The help-desk answer, from stored states only.

A site is online when one of its devices is reachable from a core device over links and
devices that are not down; degraded when reachable but a link of its own or on its path is
down or degraded (a dual-homed school that lost one fiber); offline otherwise. The cause
prefers the monitor's open outage for the site, else the first broken element on the
shortest path from the core. Pure functions over ``web.views`` records: no session here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime

from web.views import Cause, DeviceView, LinkView, OutageView, SiteStatus, SiteView

DEAD_DEVICE = frozenset({"down"})
DEAD_LINK = frozenset({"down"})
WEAK_LINK = frozenset({"down", "degraded"})


class Network:
    """Adjacency of devices over links, built once per request for all sites."""

    def __init__(self, devices: Sequence[DeviceView], links: Sequence[LinkView]) -> None:
        self.devices = {d.name: d for d in devices}
        self.links = list(links)
        self.adjacent: dict[str, list[tuple[str, LinkView]]] = {name: [] for name in self.devices}
        for link in self.links:
            self.adjacent.setdefault(link.a_device, []).append((link.b_device, link))
            self.adjacent.setdefault(link.b_device, []).append((link.a_device, link))
        self.roots = [d.name for d in devices if d.role == "core"]
        self.alive = self._reachable(healthy_only=True)
        self.parents = self._bfs_parents(self.roots, healthy_only=False)

    def _usable(self, device: str, link: LinkView, healthy_only: bool) -> bool:
        if not healthy_only:
            return True
        dev = self.devices.get(device)
        return link.state not in DEAD_LINK and (dev is None or dev.state not in DEAD_DEVICE)

    def _bfs_parents(
        self, starts: Iterable[str], healthy_only: bool
    ) -> dict[str, tuple[str, LinkView] | None]:
        parents: dict[str, tuple[str, LinkView] | None] = {}
        queue: deque[str] = deque()
        for root in starts:
            if not healthy_only or self.devices[root].state not in DEAD_DEVICE:
                parents[root] = None
                queue.append(root)
        while queue:
            node = queue.popleft()
            for peer, link in self.adjacent.get(node, ()):
                if peer not in parents and self._usable(peer, link, healthy_only):
                    parents[peer] = (node, link)
                    queue.append(peer)
        return parents

    def _reachable(self, healthy_only: bool) -> set[str]:
        return set(self._bfs_parents(self.roots, healthy_only))

    def path_to_core(self, device: str) -> list[tuple[str, LinkView | None]]:
        """Core first: (device, link that leads to it) along the shortest cabled path."""
        if device not in self.parents:
            return []
        hops: list[tuple[str, LinkView | None]] = []
        node: str | None = device
        link: LinkView | None = None
        while node is not None:
            parent = self.parents[node]
            link = parent[1] if parent else None
            hops.append((node, link))
            node = parent[0] if parent else None
        hops.reverse()
        return hops


def site_status(site: SiteView, net: Network, open_outages: Sequence[OutageView]) -> SiteStatus:
    devices = [net.devices[d] for d in site.devices if d in net.devices]
    if not devices or not net.roots:
        return SiteStatus(site=site, state="unknown", since=None, cause=None)
    best = min(devices, key=lambda d: (d.name not in net.alive, d.name))
    hops = net.path_to_core(best.name)
    path = tuple(name for name, _ in hops)
    outage = next((o for o in open_outages if site.name in o.affected_sites), None)
    if best.name in net.alive:
        weak = [link for link in _own_and_path_links(net, devices, hops) if link.state in WEAK_LINK]
        if not weak:
            return SiteStatus(site=site, state="online", since=best.state_since, cause=None, path=path)
        since = min((link.since for link in weak if link.since), default=None)
        return SiteStatus(
            site=site,
            state="degraded",
            since=since,
            cause=_link_cause(weak[0]),
            path=path,
            down_links=tuple(link.name for link in weak),
        )
    cause, since, broken = _offline_cause(net, hops, outage)
    return SiteStatus(site=site, state="offline", since=since, cause=cause, path=path, down_links=broken)


def _own_and_path_links(
    net: Network, devices: Sequence[DeviceView], hops: Sequence[tuple[str, LinkView | None]]
) -> list[LinkView]:
    seen: dict[int, LinkView] = {link.id: link for _, link in hops if link is not None}
    for dev in devices:
        for _, link in net.adjacent.get(dev.name, ()):
            seen.setdefault(link.id, link)
    return list(seen.values())


def _link_cause(link: LinkView) -> Cause:
    return Cause(kind="link", a=link.a_device, b=link.b_device)


def _offline_cause(
    net: Network, hops: Sequence[tuple[str, LinkView | None]], outage: OutageView | None
) -> tuple[Cause | None, datetime | None, tuple[str, ...]]:
    broken = tuple(link.name for _, link in hops if link is not None and link.state in DEAD_LINK)
    if outage is not None:
        return _outage_cause(outage), outage.started_at, broken
    for name, link in hops:
        if link is not None and link.state in DEAD_LINK:
            return _link_cause(link), link.since, broken
        device = net.devices[name]
        if device.state in DEAD_DEVICE:
            return Cause(kind="device", a=name), device.state_since, broken
    return None, None, broken


def _outage_cause(outage: OutageView) -> Cause:
    if outage.root_cause_type == "link" and "--" in outage.root_cause:
        a, b = (end.split(":", 1)[0] for end in outage.root_cause.split("--", 1))
        return Cause(kind="link", a=a, b=b)
    if outage.root_cause_type == "device":
        return Cause(kind="device", a=outage.root_cause)
    return Cause(kind="text", a=outage.cause_text or outage.root_cause)


def all_site_statuses(
    sites: Sequence[SiteView], net: Network, open_outages: Sequence[OutageView]
) -> list[SiteStatus]:
    return [site_status(site, net, open_outages) for site in sites]
