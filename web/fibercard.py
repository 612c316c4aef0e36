"""What a field crew needs for one fiber: where it runs, how long, the light before the cut, whom to call.

Everything is read: the route and length from the inventory, the state and "since" the monitor
stored, the optical levels from ``optical_readings`` (the history each optics poll appends), the
affected sites from the stored site answers (their causes name this link). The last good level
at an end is its latest reading at or before the moment the link went down that still saw
light (Rx above ``NO_LIGHT_DBM``); a reading after the cut would show the dark fiber instead.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.geo import RoutePoint, great_circle_m
from inventory.models import Device, Interface, OpticalRecord
from inventory.records import SiteRecord
from netops.monitor.network_view import NetworkView
from topology.geojson import link_line
from topology.graph import LinkEnd, TopoLink
from topology.names import port_key
from topology.states import Connectivity, Element

NO_LIGHT_DBM = -40.0  # at or below: no light (an SFP's DOM floor reads about -40 dBm)


@dataclass(frozen=True, slots=True)
class OpticsReading:
    rx_dbm: float | None
    tx_dbm: float | None
    read_at: datetime


@dataclass(frozen=True, slots=True)
class FiberEnd:
    end: LinkEnd
    site: SiteRecord | None
    last_good: OpticsReading | None
    latest: OpticsReading | None  # the newest reading, after the cut when the fiber is dark
    optics_known: bool  # any reading stored at all for this port


@dataclass(frozen=True, slots=True)
class NamedStop:
    index: int
    point: RoutePoint
    from_a_m: int  # along the route from site A


@dataclass(frozen=True, slots=True)
class AffectedSite:
    name: str
    kind: str
    state: str


@dataclass(frozen=True, slots=True)
class FiberCard:
    link: TopoLink
    a: FiberEnd
    b: FiberEnd
    stops: tuple[NamedStop, ...]
    line: tuple[tuple[float, float], ...]  # (lat, lon) from site A to site B; () when not placed
    affected: tuple[AffectedSite, ...]  # cut off or degraded by this fiber (stored answers)

    @property
    def schools(self) -> tuple[AffectedSite, ...]:
        return tuple(s for s in self.affected if s.kind == "school")

    @property
    def route_length_m(self) -> int | None:
        if len(self.line) < 2:
            return None
        return round(sum(great_circle_m(*p, *q) for p, q in itertools.pairwise(self.line)))


def _interface_id(session: Session, end: LinkEnd) -> int | None:
    rows = session.execute(select(Interface.id, Interface.name).join(Device).where(Device.name == end.device))
    want = port_key(end.port)
    return next((i for i, name in rows if port_key(name) == want), None)


def _readings(session: Session, end: LinkEnd, before: datetime | None) -> tuple[OpticsReading | None, ...]:
    """(last good at or before ``before``, newest) of the port's main lane; Nones when none stored."""
    iface = _interface_id(session, end)
    if iface is None:
        return None, None
    base = select(OpticalRecord).where(OpticalRecord.interface_id == iface).order_by(
        OpticalRecord.read_at.desc(), OpticalRecord.lane)
    newest = session.scalars(base.limit(1)).first()
    good = base.where(OpticalRecord.rx_dbm > NO_LIGHT_DBM)
    if before is not None:
        good = good.where(OpticalRecord.read_at <= before)
    last_good = session.scalars(good.limit(1)).first()

    def shown(row: OpticalRecord | None) -> OpticsReading | None:
        return OpticsReading(row.rx_dbm, row.tx_dbm, row.read_at) if row is not None else None

    return shown(last_good), shown(newest)


def _end(session: Session, view: NetworkView, end: LinkEnd, down_since: datetime | None) -> FiberEnd:
    node = view.graph.nodes.get(end.device)
    site = view.graph.sites.get(node.site) if node is not None and node.site else None
    last_good, newest = _readings(session, end, down_since)
    return FiberEnd(end, site, last_good, newest, newest is not None)


def _stops(link: TopoLink, line: list[list[float]]) -> tuple[NamedStop, ...]:
    out = []
    walked = 0.0
    for index, point in enumerate(link.route, start=1):
        prev, here = line[index - 1], line[index]
        walked += great_circle_m(prev[1], prev[0], here[1], here[0])
        if point.name:
            out.append(NamedStop(index, point, round(walked)))
    return tuple(out)


def affected_sites(view: NetworkView, key: str) -> tuple[AffectedSite, ...]:
    """Sites whose stored answer names this link among its causes, not connected."""
    element = Element("link", key)
    rows = [AffectedSite(s.site, s.kind, s.state.value) for s in view.sites.values()
            if element in s.causes and s.state != Connectivity.CONNECTED]
    return tuple(sorted(rows, key=lambda s: (s.kind != "school", s.name)))


def fiber_card(session: Session, view: NetworkView, key: str) -> FiberCard | None:
    link = view.graph.links.get(key)
    if link is None:
        return None
    down_since = link.since if link.status == "down" else None
    line = link_line(view.graph, link)
    return FiberCard(
        link=link,
        a=_end(session, view, link.a, down_since),
        b=_end(session, view, link.b, down_since),
        stops=_stops(link, line) if line else (),
        line=tuple((p[1], p[0]) for p in line) if line else (),
        affected=affected_sites(view, key),
    )
