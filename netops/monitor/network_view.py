"""The read side of the one assessment: the stored states as a graph, the stored site answers.

The help desk, the map, ``netops status``, the API and the metrics ask ``NetworkViews.current()``.
They never derive a state or a cause: site states, causes, outage ids and "since" are what the
monitor stored (``site_states``); device and link colours are the stored ``device_states`` and
``link_states``. What only depends on the structure and those stored states is computed here on
demand: paths to the core, disjoint paths, single points of failure, what-if. Two cheap markers
decide what to do: the structure marker (sites, devices, links, interfaces, neighbors) and the
status marker (polls, stored states, outages). Both equal: the cached view. Only statuses
changed: the stored states are reloaded and the assessment re-run incrementally on them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

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
    SiteState,
)
from netops.settings import Settings
from topology.assessed import Assessment
from topology.assessment import Assessor
from topology.evidence import evidence_from_states
from topology.geojson import to_geojson
from topology.graph import TopologyGraph, build_graph, refresh_status
from topology.site_states import SiteAssessment
from topology.snapshot import NetworkSnapshot, load_snapshot, load_status
from topology.states import Connectivity, Element
from topology.traversal import paused_gc
from topology.wording import site_text

T = TypeVar("T")


def _digest(session: Session, *columns: Any) -> int:
    """A hash of every row of a few columns: notices edits that keep counts and ids."""
    return hash(tuple(tuple(row) for row in session.execute(select(*columns).order_by(columns[0]))))


def structure_marker(session: Session) -> tuple[Any, ...]:
    """What the graph's shape depends on: sites, devices, sysNames, links, interfaces, neighbors."""
    return (
        _digest(session, Site.id, Site.name, Site.kind, Site.latitude, Site.longitude, Site.district,
                Site.address, Site.contact_name, Site.contact_phone),
        _digest(session, Device.id, Device.name, Device.role, Device.site_id, Device.address),
        _digest(session, ObservedFacts.device_id, ObservedFacts.sys_name),
        _digest(
            session,
            Link.id,
            Link.a_interface_id,
            Link.b_interface_id,
            Link.medium,
            Link.declared,
            Link.source,
            Link.length_m,
        ),
        hash(tuple((i, repr(r)) for i, r in session.execute(select(Link.id, Link.route).order_by(Link.id)))),
        tuple(session.execute(select(func.count(Interface.id), func.max(Interface.id))).one()),
        tuple(
            session.execute(
                select(
                    func.count(NeighborRecord.id),
                    func.max(NeighborRecord.id),
                    func.max(NeighborRecord.last_seen),
                )
            ).one()
        ),
    )


def status_marker(session: Session) -> tuple[Any, ...]:
    """What statuses depend on: interface polls, monitor states, outages, site states."""
    queries = [
        select(
            func.max(Interface.status_polled_at),
            func.max(Interface.last_change),
            func.max(Interface.optics_polled_at),
        ),
        select(func.count(DeviceState.device_id), func.max(DeviceState.since)),
        select(func.count(LinkState.link_id), func.max(LinkState.since)),
        select(func.count(Outage.id), func.max(Outage.started_at), func.max(Outage.ended_at)),
        select(func.count(SiteState.site_id), func.max(SiteState.since), func.max(SiteState.outage_id)),
    ]
    return tuple(tuple(session.execute(q).one()) for q in queries)


def change_marker(session: Session) -> tuple[Any, ...]:
    """Both markers: equal markers mean the cached view is still true."""
    return structure_marker(session), status_marker(session)


@dataclass(frozen=True, slots=True)
class StoredSite:
    """A site's answer as the monitor stored it (``site_states``)."""

    site: str
    kind: str
    state: Connectivity
    reason: str
    causes: tuple[Element, ...]
    outage_id: int | None
    since: datetime | None

    @property
    def root_cause(self) -> Element | None:
        """The root cause the site's state points at (the one its outage is about)."""
        return self.causes[0] if self.causes and self.state != Connectivity.CONNECTED else None

    def as_assessment(self, devices: tuple[str, ...] = ()) -> SiteAssessment:
        return SiteAssessment(self.site, self.kind, self.state, self.reason, self.causes, devices)


def load_site_states(session: Session) -> dict[str, StoredSite]:
    """Every site with its stored answer; a site the monitor never assessed is unknown, no data."""
    stmt = select(Site.name, Site.kind, SiteState).outerjoin(SiteState, SiteState.site_id == Site.id)
    out = {}
    for name, kind, row in session.execute(stmt):
        if row is None:
            out[name] = StoredSite(name, kind, Connectivity.UNKNOWN, "no_data", (), None, None)
            continue
        causes = tuple(Element(c.get("type", ""), c.get("name", "")) for c in row.causes or ())
        state = Connectivity(row.state) if row.state in _CONNECTIVITY else Connectivity.UNKNOWN
        out[name] = StoredSite(name, kind, state, row.reason, causes, row.outage_id, row.since)
    return out


_CONNECTIVITY = frozenset(c.value for c in Connectivity)


@dataclass
class NetworkView:
    snapshot: NetworkSnapshot
    graph: TopologyGraph
    assessor: Assessor
    assessment: Assessment  # on the stored states: paths, fragility, what-if only
    sites: dict[str, StoredSite]
    built_at: datetime
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per view: what readers derive from the view (the web's site
        statuses, map nodes, cabling audit) is as true as the view and is rebuilt with it."""
        with self._memo_lock:
            if key in self._memo:
                return cast(T, self._memo[key])
        value = compute()
        with self._memo_lock:
            return cast(T, self._memo.setdefault(key, value))

    def status_row(self, site: StoredSite, lang: str = "en", *, disjoint: bool = True) -> dict[str, Any]:
        """The JSON shape of ``netops status`` and ``/api/v1/sites``: one answer, stored once
        (``disjoint``: count the edge-disjoint paths too, a max flow per site)."""
        cause = self.assessment.root_cause(site.root_cause) if site.root_cause else None
        devices = self.graph.site_devices.get(site.site, ())
        return {
            "site": site.site,
            "kind": site.kind,
            "state": site.state.value,
            "reason": site.reason,
            "since": site.since,
            "cause": site_text(self.graph, site.as_assessment(devices), lang),
            "root_cause": site.root_cause.as_json() if site.root_cause else None,
            "outage_id": site.outage_id,
            "path": list(self.assessment.path(site.site)),
            "disjoint_paths": self.assessment.disjoint_paths(site.site) if disjoint else None,
            "affected_devices": list(cause.devices) if cause else [],
        }

    def status_rows(self, site: str | None = None, lang: str = "en") -> list[dict[str, Any]]:
        names = [site] if site is not None else sorted(self.sites)
        return [self.status_row(self.sites[n], lang) for n in names if n in self.sites]


class NetworkViews:
    """A small cache of the network view keyed on the database's change marker.

    The status half of the marker is a few aggregates, read on every request; the structure half
    hashes every site, device and link row (tens of ms at 5,000 devices), so it is re-read at
    most every ``structure_recheck_s`` seconds, or at once after ``recheck_structure()`` (the
    web calls it after every change it makes)."""

    def __init__(self, engine: Engine, roots: Sequence[str] = (), structure_recheck_s: float = 2.0) -> None:
        self.engine = engine
        self.roots = tuple(roots)
        self.structure_recheck_s = structure_recheck_s
        self._lock = threading.Lock()
        self._marker: tuple[Any, ...] | None = None
        self._view: NetworkView | None = None
        self._structure_read_at: float | None = None

    def recheck_structure(self) -> None:
        with self._lock:
            self._structure_read_at = None

    def _marker_now(self, session: Session) -> tuple[Any, ...]:
        fresh = self._structure_read_at is not None and \
            time.monotonic() - self._structure_read_at < self.structure_recheck_s
        if fresh and self._marker is not None:
            return self._marker[0], status_marker(session)
        marker = change_marker(session)
        self._structure_read_at = time.monotonic()
        return marker

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> NetworkViews:
        return cls(engine, settings.monitor.roots)

    def invalidate(self) -> None:
        with self._lock:
            self._marker = None
            self._view = None
            self._structure_read_at = None

    def current(self) -> NetworkView:
        """The view of the database as it is now: cached, refreshed, or rebuilt."""
        with self._lock, session_scope(self.engine) as session, paused_gc():
            marker = self._marker_now(session)
            view = self._view
            if view is not None and marker == self._marker:
                return view
            now = datetime.now(UTC)
            if view is not None and self._marker is not None and marker[0] == self._marker[0]:
                snapshot = load_status(session, view.snapshot, now)
                graph, assessor = refresh_status(view.graph, snapshot), view.assessor
            else:
                snapshot = load_snapshot(session, taken_at=now)
                graph = build_graph(snapshot)
                assessor = Assessor(graph, self.roots or None)
            self._view = build_view(snapshot, graph, assessor, load_site_states(session))
            self._marker = marker
            return self._view


def build_view(
    snapshot: NetworkSnapshot, graph: TopologyGraph, assessor: Assessor, sites: dict[str, StoredSite]
) -> NetworkView:
    """The view: stored states as evidence for paths and fragility, stored site answers as they are."""
    evidence = evidence_from_states(
        {n: info.state for n, info in graph.nodes.items()},
        {k: link.status for k, link in graph.links.items()},
    )
    assessment = assessor.assess(evidence)
    return NetworkView(snapshot, graph, assessor, assessment, sites, datetime.now(UTC))


def geojson_of(view: NetworkView) -> dict[str, Any]:
    """The view as GeoJSON with the stored site answers (the CLI export and the API are one)."""
    return to_geojson(view.graph, {name: site.state.value for name, site in view.sites.items()})
