"""Where a fiber runs: route points between a link's two sites, and lengths along them.

A route is the ordered points a cable passes between site A and site B (poles, closures,
handholes...). Lengths are great-circle (haversine on the mean Earth radius), the figure a
field crew compares with an OTDR trace; a few metres of slack per pole are not modelled.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

POINT_KINDS = ("pole", "closure", "handhole", "manhole", "odp", "other")
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


@dataclass(frozen=True, slots=True)
class RoutePoint:
    lat: float
    lon: float
    name: str | None = None
    kind: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The stored / exported shape: ``{lat, lon[, name][, kind]}``."""
        out: dict[str, Any] = {"lat": self.lat, "lon": self.lon}
        if self.name is not None:
            out["name"] = self.name
        if self.kind is not None:
            out["kind"] = self.kind
        return out


def route_from_json(items: Iterable[dict[str, Any]] | None) -> tuple[RoutePoint, ...]:
    """Stored JSON back into points (tolerates a NULL column)."""
    return tuple(RoutePoint(float(p["lat"]), float(p["lon"]), p.get("name"), p.get("kind"))
                 for p in items or ())


def route_to_json(points: Sequence[RoutePoint]) -> list[dict[str, Any]] | None:
    return [p.as_json() for p in points] or None


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def path_length_m(points: Sequence[tuple[float, float]]) -> float:
    """Length of a polyline of (lat, lon) in metres."""
    return sum(great_circle_m(a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(points))


LatLon = tuple[float, float]


def route_length_m(start: LatLon, route: Sequence[RoutePoint], end: LatLon) -> float:
    """From site A through the route's points to site B, rounded to the metre."""
    return round(path_length_m([start, *((p.lat, p.lon) for p in route), end]))
