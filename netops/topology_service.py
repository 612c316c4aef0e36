"""The topology as a service: snapshot -> graph -> analysis, cached until the database changes.

The CLI, the monitor and the web all ask ``TopologyService.current()``. A cheap change marker
(counts and latest timestamps of the tables the topology reads) decides whether the cached
view is still true; otherwise the snapshot is reloaded and the graph and analysis rebuilt.
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
from inventory.models import Device, DeviceState, Interface, Link, LinkState, NeighborRecord, Outage, Site
from netops.config import Settings
from topology.analysis import Analysis, SiteState
from topology.analyzer import Analyzer
from topology.cause import site_text
from topology.graph import TopologyGraph, build_graph
from topology.linkstatus import LinkThresholds
from topology.snapshot import NetworkSnapshot, load_snapshot


def change_marker(session: Session) -> tuple[Any, ...]:
    """Counts and latest timestamps of everything the topology reads (one round trip each)."""
    queries = [
        select(func.count(Site.id), func.max(Site.id)),
        select(func.count(Device.id), func.max(Device.id)),
        select(func.count(Interface.id), func.max(Interface.status_polled_at),
               func.max(Interface.last_change), func.max(Interface.optics_polled_at)),
        select(func.count(Link.id), func.max(Link.id), func.max(Link.last_seen)),
        select(func.count(NeighborRecord.id), func.max(NeighborRecord.last_seen)),
        select(func.count(DeviceState.device_id), func.max(DeviceState.since)),
        select(func.count(LinkState.link_id), func.max(LinkState.since)),
        select(func.count(Outage.id), func.max(Outage.started_at), func.max(Outage.ended_at)),
    ]
    return tuple(tuple(session.execute(q).one()) for q in queries)


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
        with self._lock, session_scope(self.engine) as session:
            marker = change_marker(session)
            if self._view is not None and marker == self._marker:
                return self._view
            snapshot = load_snapshot(session, taken_at=datetime.now(UTC))
            self._view = build_view(snapshot, self.roots, self.thresholds)
            self._marker = marker
            return self._view


def build_view(snapshot: NetworkSnapshot, roots: Sequence[str] = (),
               thresholds: LinkThresholds | None = None) -> TopologyView:
    graph = build_graph(snapshot, thresholds)
    analyzer = Analyzer(graph, roots or None)
    return TopologyView(snapshot, graph, analyzer, analyzer.analyze(), datetime.now(UTC))
