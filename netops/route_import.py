"""``netops inventory import-routes``: lines drawn elsewhere become the routes of stored links.

A drawn line names its link (``A:PORT,B:PORT`` in either order, any spelling of the ports) or,
unnamed or named otherwise, is matched by its end sites: its first and last positions within
``SITE_TOLERANCE_M`` of two sites joined by exactly one link. The positions between the sites
become the route, turned to run from the link row's a end; a named pin within
``PIN_TOLERANCE_M`` of a route point names it (its kind from ``properties.kind`` or the name's
first word: Tiang, ODP, JC, HH, MH). A length the inventory declares is
kept; a link without one (or with the length its old route gave) gets the new route's length.
Lines that match nothing are reported and change nothing; a dry run writes nothing at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from inventory.geo import (
    POINT_KINDS,
    RoutePoint,
    great_circle_m,
    route_from_json,
    route_length_m,
    route_to_json,
)
from inventory.models import Device, Interface, Link, Site
from netops.audit import record_change
from netops.route_files import DrawnLine, DrawnPoint
from topology.names import port_key

SITE_TOLERANCE_M = 100.0
PIN_TOLERANCE_M = 15.0  # a named pin this close to a route point names it
# a pin's kind from the first word of its name, as Indonesian field teams label them
KIND_WORDS = {"tiang": "pole", "pole": "pole", "odp": "odp", "jc": "closure", "closure": "closure",
              "joint": "closure", "hh": "handhole", "handhole": "handhole", "mh": "manhole",
              "manhole": "manhole"}
LatLon = tuple[float, float]


@dataclass(frozen=True, slots=True)
class RouteMatch:
    where: str
    link: str  # DEV:PORT,DEV:PORT as the inventory writes it
    by: str  # "name" | "sites"
    points: int
    named: int
    length_m: float | None
    length_kept: bool


@dataclass(frozen=True, slots=True)
class RouteMiss:
    where: str
    name: str | None
    reason: str


@dataclass
class RouteImportReport:
    matched: list[RouteMatch] = field(default_factory=list)
    unmatched: list[RouteMiss] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = []
        for m in self.matched:
            length = "" if m.length_m is None else (
                f", length {m.length_m:.0f} m {'kept (declared)' if m.length_kept else 'from the route'}")
            named = f", {m.named} named" if m.named else ""
            out.append(f"matched   {m.where}: {m.link} (by {m.by}; {m.points} points{named}{length})")
        for miss in self.unmatched:
            named = f" {miss.name!r}" if miss.name else ""
            out.append(f"unmatched {miss.where}{named}: {miss.reason}")
        prefix = "dry run (nothing written): " if self.dry_run else ""
        out.append(f"{prefix}{len(self.matched)} route(s) matched, {len(self.unmatched)} not matched")
        return out


@dataclass(frozen=True, slots=True)
class _End:
    device: str
    port: str
    site: str | None
    location: LatLon | None


@dataclass(frozen=True, slots=True)
class _Stored:
    row: Link
    a: _End  # the row's a end
    b: _End

    @property
    def label(self) -> str:
        first, second = sorted(((self.a.device, self.a.port), (self.b.device, self.b.port)))
        return f"{first[0]}:{first[1]},{second[0]}:{second[1]}"


def _stored_links(session: Session) -> list[_Stored]:
    ia, ib = aliased(Interface), aliased(Interface)
    da, db = aliased(Device), aliased(Device)
    sa, sb = aliased(Site), aliased(Site)
    stmt = (select(Link, da.name, ia.name, sa, db.name, ib.name, sb)
            .join(ia, Link.a_interface_id == ia.id).join(da, ia.device_id == da.id)
            .join(ib, Link.b_interface_id == ib.id).join(db, ib.device_id == db.id)
            .outerjoin(sa, da.site_id == sa.id).outerjoin(sb, db.site_id == sb.id))

    def end(device: str, port: str, site: Site | None) -> _End:
        placed = site is not None and site.latitude is not None and site.longitude is not None
        location = (site.latitude, site.longitude) if placed and site is not None else None
        return _End(device, port, site.name if site else None, location)  # type: ignore[arg-type]

    rows = session.execute(stmt)
    return [_Stored(row, end(ad, ap, s1), end(bd, bp, s2)) for row, ad, ap, s1, bd, bp, s2 in rows]


def _sites(session: Session) -> dict[str, LatLon]:
    rows = session.execute(select(Site.name, Site.latitude, Site.longitude))
    return {n: (lat, lon) for n, lat, lon in rows if lat is not None and lon is not None}


def _ends_of(name: str, devices: set[str]) -> frozenset[tuple[str, str]] | None:
    """``A:PORT,B:PORT`` (or ``--`` between the ends) as {(device, port key)}; None if not that."""
    sep = "--" if "--" in name else ","
    parts = [p.strip() for p in name.split(sep)]
    if len(parts) != 2:
        return None
    ends = []
    for text in parts:
        cut = next((i for i in (i for i, ch in enumerate(text) if ch == ":") if text[:i].strip() in devices),
                   None)
        if cut is None:
            return None
        ends.append((text[:cut].strip(), port_key(text[cut + 1:].strip())))
    return frozenset(ends)


def _near(position: LatLon, sites: dict[str, LatLon]) -> str | None:
    best = min(sites.items(), key=lambda kv: great_circle_m(*position, *kv[1]), default=None)
    if best is None or great_circle_m(*position, *best[1]) > SITE_TOLERANCE_M:
        return None
    return best[0]


def _by_sites(line: DrawnLine, links: list[_Stored], sites: dict[str, LatLon]) -> _Stored | str:
    first, last = _near(line.positions[0], sites), _near(line.positions[-1], sites)
    if first is None or last is None:
        return (f"no name A:PORT,B:PORT, and its ends are not within {SITE_TOLERANCE_M:.0f} m of two sites"
                if first is None and last is None else
                f"one end is within {SITE_TOLERANCE_M:.0f} m of {first or last}, the other of no site")
    if first == last:
        return f"both ends are at {first}"
    found = [lk for lk in links if {lk.a.site, lk.b.site} == {first, last}]
    if not found:
        return f"no link between {first} and {last}"
    if len(found) > 1:
        names = "; ".join(lk.label for lk in found)
        return f"{len(found)} links between {first} and {last} ({names}): name the line A:PORT,B:PORT"
    return found[0]


def _kind(pin: DrawnPoint) -> str | None:
    if pin.kind in POINT_KINDS:
        return pin.kind
    first = pin.name.split()[0].lower().rstrip(".:-") if pin.name.split() else ""
    return KIND_WORDS.get(first)


def _named(point: RoutePoint, pins: tuple[DrawnPoint, ...]) -> RoutePoint:
    near = min(pins, key=lambda p: great_circle_m(point.lat, point.lon, *p.position), default=None)
    if near is None or great_circle_m(point.lat, point.lon, *near.position) > PIN_TOLERANCE_M:
        return point
    return RoutePoint(point.lat, point.lon, near.name, _kind(near))


def _route(line: DrawnLine, link: _Stored, pins: tuple[DrawnPoint, ...] = ()) -> tuple[RoutePoint, ...]:
    """The positions between the two sites, from the row's a end, named by the pins on them."""
    a, b = link.a.location, link.b.location
    assert a is not None and b is not None
    positions = list(line.positions)
    if great_circle_m(*positions[0], *a) > great_circle_m(*positions[0], *b):
        positions.reverse()
    if great_circle_m(*positions[0], *a) <= SITE_TOLERANCE_M:
        positions = positions[1:]
    if positions and great_circle_m(*positions[-1], *b) <= SITE_TOLERANCE_M:
        positions = positions[:-1]
    return tuple(_named(RoutePoint(round(lat, 7), round(lon, 7)), pins) for lat, lon in positions)


def _apply(link: _Stored, route: tuple[RoutePoint, ...]) -> tuple[float | None, bool]:
    """Set the route; the length too unless a declared one stands. (length, kept)."""
    a, b = link.a.location, link.b.location
    assert a is not None and b is not None
    row = link.row
    old = route_from_json(row.route)
    derived = row.length_m is None or (bool(old) and row.length_m == route_length_m(a, old, b))
    row.route = route_to_json(route)
    if derived:
        row.length_m = float(route_length_m(a, route, b))
    return row.length_m, not derived


def import_routes(session: Session, lines: Sequence[DrawnLine], dry_run: bool = False,
                  pins: Sequence[DrawnPoint] = ()) -> RouteImportReport:
    """Match every drawn line and set the routes in the caller's transaction (rolled back for a dry run)."""
    report = RouteImportReport(dry_run=dry_run)
    links = _stored_links(session)
    sites = _sites(session)
    devices = {lk.a.device for lk in links} | {lk.b.device for lk in links}
    by_ends = {frozenset({(lk.a.device, port_key(lk.a.port)), (lk.b.device, port_key(lk.b.port))}): lk
               for lk in links}
    taken: dict[int, str] = {}
    for line in lines:
        ends = _ends_of(line.name, devices) if line.name else None
        found: _Stored | str
        if ends is not None:
            by = "name"
            found = by_ends.get(ends) or f"no stored link {line.name}"
        else:
            by = "sites"
            found = _by_sites(line, links, sites)
        if isinstance(found, str):
            report.unmatched.append(RouteMiss(line.where, line.name, found))
            continue
        unplaced = [f"site {e.site!r} has no location" if e.site else f"device {e.device!r} has no site"
                    for e in (found.a, found.b) if e.location is None]
        if unplaced:
            report.unmatched.append(RouteMiss(line.where, line.name, f"{found.label}: {'; '.join(unplaced)}"))
            continue
        if found.row.id in taken:
            reason = f"{found.label} already takes the route of {taken[found.row.id]}"
            report.unmatched.append(RouteMiss(line.where, line.name, reason))
            continue
        taken[found.row.id] = line.where
        route = _route(line, found, tuple(pins))
        length, kept = _apply(found, route)
        named = sum(1 for p in route if p.name)
        report.matched.append(RouteMatch(line.where, found.label, by, len(route), named, length, kept))
    session.flush()
    if dry_run:
        session.rollback()
    elif report.matched:
        record_change(session, "inventory.routes", f"{len(report.matched)} link route(s)", None,
                      {"links": [m.link for m in report.matched], "unmatched": len(report.unmatched)})
    return report
