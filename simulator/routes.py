"""Where the demo's fibers run: a street-like route between two sites (illustrative, not a real plan).

A cable follows streets, so a route turns once (an L along a parallel and a meridian) at a
splice closure, with poles every couple of hundred metres and an ODP near an access site. The
route of a link depends only on its two ends' names, so the demo network stays reproducible.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

from simulator.network import DemoSite

STREETS = ("Jl. Pemuda", "Jl. A. Yani", "Jl. Tidar", "Jl. Pahlawan", "Jl. Sudirman", "Jl. Diponegoro",
           "Jl. Veteran", "Jl. Ikhlas", "Jl. Cempaka", "Jl. Sunan Bonang", "Jl. Tentara Pelajar",
           "Jl. Urip Sumoharjo", "Jl. Beringin", "Jl. Kalingga")
POLE_SPACING_M = 220
POLES_PER_LEG = 3


@dataclass(frozen=True, slots=True)
class RouteStop:
    lat: float
    lon: float
    name: str | None = None
    kind: str | None = None

    def as_dict(self) -> dict[str, float | str]:
        out: dict[str, float | str] = {"lat": self.lat, "lon": self.lon}
        if self.name:
            out["name"] = self.name
        if self.kind:
            out["kind"] = self.kind
        return out


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    return math.hypot((a[1] - b[1]) * 111_320 * math.cos(lat), (a[0] - b[0]) * 110_540)


def _poles(start: tuple[float, float], end: tuple[float, float], budget: int) -> list[tuple[float, float]]:
    count = min(budget, int(_metres(start, end) // POLE_SPACING_M))
    steps = [i / (count + 1) for i in range(1, count + 1)]
    return [(start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t) for t in steps]


def fiber_route(a: DemoSite, b: DemoSite, access_end: bool = True) -> tuple[RouteStop, ...]:
    """The stops from site ``a`` to site ``b`` (neither site itself)."""
    if a.name == b.name:
        return ()
    rng = random.Random(f"{a.name}|{b.name}")  # a str seed hashes with SHA-512: same on every run
    start, end = (a.latitude, a.longitude), (b.latitude, b.longitude)
    corner = (a.latitude, b.longitude) if rng.random() < 0.5 else (b.latitude, a.longitude)
    street = rng.choice(STREETS)
    legs = [start, corner, end] if min(_metres(start, corner), _metres(corner, end)) > 40 else [start, end]
    stops: list[RouteStop] = []
    pole = rng.randint(1, 60)
    for index, (x, y) in enumerate(itertools.pairwise(legs)):
        for lat, lon in _poles(x, y, POLES_PER_LEG):
            name = f"Tiang {street.removeprefix('Jl. ')} {pole}"
            stops.append(RouteStop(round(lat, 6), round(lon, 6), name, "pole"))
            pole += 1
        if index == 0 and len(legs) == 3:
            stops.append(RouteStop(round(corner[0], 6), round(corner[1], 6), f"JC {street}", "closure"))
    if access_end and stops and stops[-1].kind == "pole":
        last = stops[-1]
        stops[-1] = RouteStop(last.lat, last.lon, f"ODP {b.name}", "odp")
    return tuple(stops)
