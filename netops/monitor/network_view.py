"""The topology as a service: snapshot -> graph -> analysis, cached until the database changes.

The CLI, the monitor and the web all ask ``TopologyService.current()``. Two cheap markers
decide what to do: the structure marker (sites, devices, links, interfaces, neighbors) and the
status marker (interface polls, device and link states, outages). Both equal: the cached view.
Only statuses changed: device states and interfaces are reloaded and the analysis re-evaluated
incrementally. Structure changed: the snapshot is reloaded and graph and analysis rebuilt.
``status_rows`` gives the help-desk answer per site in the JSON shape of ``netops status``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from inventory.db import session_scope
from inventory.models import (
    Device,
    DeviceState,
    Interface,
    Link,
    LinkState,
    NeighborRecord,
    ObservedFacts,
    Outage,
    Site,
)
from netops.settings import Settings
from topology.analysis import Analysis, SiteState
from topology.analyzer import Analyzer
from topology.cause import site_text
from topology.engine import paused_gc
from topology.graph import TopologyGraph, build_graph, refresh_status
from topology.linkstatus import LinkThresholds
from topology.snapshot import NetworkSnapshot, load_snapshot, load_status


def _digest(session: Session, *columns: Any) -> int:
    """A hash of every row of a few columns: notices edits that keep counts and ids."""
    return hash(tuple(tuple(row) for row in session.execute(select(*columns).order_by(columns[0]))))


def structure_marker(session: Session) -> tuple[Any, ...]:
    """What the graph's shape depends on: sites, devices, sysNames, links, interfaces, neighbors."""
    return (
        _digest(session, Site.id, Site.name, Site.kind, Site.latitude, Site.longitude),
        _digest(session, Device.id, Device.name, Device.role, Device.site_id, Device.address),
        _digest(session, ObservedFacts.device_id, ObservedFacts.sys_name),
        _digest(session, Link.id, Link.a_interface_id, Link.b_interface_id, Link.medium, Link.declared,
                Link.source, Link.length_m),
        tuple(session.execute(select(func.count(Interface.id), func.max(Interface.id))).one()),
        tuple(session.execute(select(func.count(NeighborRecord.id), func.max(NeighborRecord.id),
                                     func.max(NeighborRecord.last_seen))).one()),
    )


def status_marker(session: Session) -> tuple[Any, ...]:
    """What statuses depend on: interface polls, monitor states, outages."""
    queries = [
        select(func.max(Interface.status_polled_at), func.max(Interface.last_change),
               func.max(Interface.optics_polled_at)),
        select(func.count(DeviceState.device_id), func.max(DeviceState.since)),
        select(func.count(LinkState.link_id), func.max(LinkState.since)),
        select(func.count(Outage.id), func.max(Outage.started_at), func.max(Outage.ended_at)),
    ]
    return tuple(tuple(session.execute(q).one()) for q in queries)


def change_marker(session: Session) -> tuple[Any, ...]:
    """Both markers: equal markers mean the cached view is still true."""
    return structure_marker(session), status_marker(session)


@dataclass
class TopologyView:
    snapshot: NetworkSnapshot
    graph: TopologyGraph
    analyzer: Analyzer
    analysis: Analysis
    built_at: datetime

    def since(self, state: SiteState) -> datetime | None:
        """When the site entered its state: open outage, else its causes', else its devices'."""
        starts = [o.started_at for o in self.snapshot.outages if state.site in o.affected_sites]
        if starts and state.state in ("disconnected", "degraded"):
            return min(starts)
        stamps: list[datetime] = []
        for c in state.causes:
            if c.kind == "link" and c.id in self.graph.links:
                stamps += [s for s in (self.graph.links[c.id].since,) if s]
            elif c.kind == "device" and c.id in self.graph.nodes:
                stamps += [s for s in (self.graph.nodes[c.id].state_since,) if s]
        if not stamps and state.state == "connected":
            stamps = [s for d in state.devices if (s := self.graph.nodes[d].state_since)]
        return max(stamps) if stamps else None

    def status_rows(self, site: str | None = None, lang: str = "en") -> list[dict[str, Any]]:
        """``[{"site", "kind", "state", "since", "cause", "path", "disjoint_paths"}]``."""
        states = self.analysis.sites
        names = [site] if site is not None else sorted(states)
        return [
            {"site": st.site, "kind": st.kind, "state": st.state, "since": self.since(st),
             "cause": site_text(self.graph, st, lang), "path": list(st.path),
             "disjoint_paths": self.analysis.disjoint_paths(st.site)}
            for st in (states[n] for n in names if n in states)
        ]


class TopologyService:
    """A small cache of the topology view keyed on the database's change marker."""

    def __init__(self, engine: Engine, roots: Sequence[str] = (),
                 thresholds: LinkThresholds | None = None) -> None:
        self.engine = engine
        self.roots = tuple(roots)
        self.thresholds = thresholds or LinkThresholds()
        self._lock = threading.Lock()
        self._marker: tuple[Any, ...] | None = None
        self._view: TopologyView | None = None

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> TopologyService:
        mon = settings.monitor
        return cls(engine, mon.roots, LinkThresholds(mon.error_rate_threshold, mon.optical_margin_db))

    def invalidate(self) -> None:
        with self._lock:
            self._marker = None
            self._view = None

    def current(self) -> TopologyView:
        """The view of the database as it is now: cached, refreshed, or rebuilt."""
        with self._lock, session_scope(self.engine) as session, paused_gc():
            marker = change_marker(session)
            view = self._view
            if view is not None and marker == self._marker:
                return view
            now = datetime.now(UTC)
            if view is not None and self._marker is not None and marker[0] == self._marker[0]:
                self._view = refresh_view(view, load_status(session, view.snapshot, now), self.thresholds)
            else:
                self._view = build_view(load_snapshot(session, taken_at=now), self.roots, self.thresholds)
            self._marker = marker
            return self._view


def refresh_view(view: TopologyView, snapshot: NetworkSnapshot,
                 thresholds: LinkThresholds | None = None) -> TopologyView:
    """Same structure, newer statuses: flip only what changed and re-evaluate incrementally."""
    graph, links, devices = refresh_status(view.graph, snapshot, thresholds)
    az = view.analyzer
    with az.lock:
        az.set_graph(graph)
        for key, status in links.items():
            if key in az.eidx:
                az.set_link_status(key, status)
        for name, state in devices.items():
            az.set_device_state(name, state)
        analysis = az.analyze()
    return TopologyView(snapshot, graph, az, analysis, datetime.now(UTC))


def build_view(snapshot: NetworkSnapshot, roots: Sequence[str] = (),
               thresholds: LinkThresholds | None = None) -> TopologyView:
    graph = build_graph(snapshot, thresholds)
    analyzer = Analyzer(graph, roots or None)
    return TopologyView(snapshot, graph, analyzer, analyzer.analyze(), datetime.now(UTC))
