"""The demo's fibers run somewhere: each declared fiber has a street-like route around Magelang."""

from __future__ import annotations

from simulator.inventory import inventory_document
from simulator.network import generate
from simulator.routes import fiber_route

NETWORK = generate(1)


def test_every_fiber_has_a_route_inside_the_city() -> None:
    doc = inventory_document(NETWORK, 16161)
    assert all(-7.52 < s["location"]["lat"] < -7.44 and 110.20 < s["location"]["lon"] < 110.24
               for s in doc["sites"])
    links = doc["links"]
    assert len(links) == 53 and all(link["route"] for link in links)
    points = [p for link in links for p in link["route"]]
    assert all(-7.52 < p["lat"] < -7.44 and 110.20 < p["lon"] < 110.24 for p in points)
    kinds = {p["kind"] for p in points}
    assert {"pole", "closure", "odp"} <= kinds
    assert all(p["name"] for p in points)


def test_routes_are_reproducible_and_run_from_a_to_b() -> None:
    link = NETWORK.links[0]
    a = NETWORK.site(NETWORK.device(link.a).site)
    b = NETWORK.site(NETWORK.device(link.b).site)
    first = fiber_route(a, b)
    assert first == fiber_route(a, b)
    # the L turns at a closure on one of the two sites' parallels or meridians
    corner = next(p for p in first if p.kind == "closure")
    assert (corner.lat, corner.lon) in ((a.latitude, b.longitude), (b.latitude, a.longitude))
    assert fiber_route(a, a) == ()
