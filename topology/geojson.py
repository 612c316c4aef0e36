"""The network as GeoJSON (RFC 7946): sites where they are, fibers where they run.

One FeatureCollection, WGS 84 with ``[lon, lat]`` positions and no ``crs`` member (RFC 7946
§4): sites as Points, links as LineStrings from site A through the route's points to site B,
and each named route point (pole, closure, ODP...) as a Point of its own so QGIS or the city
map can label it. A link gets no feature when one of its sites has no location, nor when both
ends stand in the same site without a route (a patch cord has no geography). Properties
carry the one assessment's states as stored; nothing here decides a state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topology.graph import TopoLink, TopologyGraph

Position = list[float]


def _pos(lat: float, lon: float) -> Position:
    return [round(lon, 7), round(lat, 7)]  # RFC 7946 §3.1.1: longitude first; ~1 cm precision


def site_location(graph: TopologyGraph, device: str) -> tuple[str, float, float] | None:
    """The site a device stands in, with its location, or None when it is not placed."""
    node = graph.nodes.get(device)
    site = graph.sites.get(node.site) if node is not None and node.site else None
    if site is None or site.latitude is None or site.longitude is None:
        return None
    return site.name, site.latitude, site.longitude


def link_line(graph: TopologyGraph, link: TopoLink) -> list[Position] | None:
    """The link's positions from site A through its route to site B, or None when unplaced."""
    a = site_location(graph, link.a.device)
    b = site_location(graph, link.b.device)
    if a is None or b is None or (a[0] == b[0] and not link.route):
        return None
    return [_pos(a[1], a[2]), *(_pos(p.lat, p.lon) for p in link.route), _pos(b[1], b[2])]


def _site_feature(graph: TopologyGraph, name: str, state: str) -> dict[str, Any] | None:
    site = graph.sites[name]
    if site.latitude is None or site.longitude is None:
        return None
    return {
        "type": "Feature",
        "id": f"site:{name}",
        "geometry": {"type": "Point", "coordinates": _pos(site.latitude, site.longitude)},
        "properties": {"feature": "site", "name": name, "kind": site.kind, "district": site.district,
                       "state": state, "devices": list(graph.site_devices.get(name, ()))},
    }


def _link_feature(graph: TopologyGraph, link: TopoLink, line: list[Position]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": f"link:{link.key}",
        "geometry": {"type": "LineString", "coordinates": line},
        "properties": {
            "feature": "link", "id": link.key, "a": str(link.a), "b": str(link.b),
            "a_site": (site_location(graph, link.a.device) or ("",))[0],
            "b_site": (site_location(graph, link.b.device) or ("",))[0],
            "medium": link.medium, "length_m": link.length_m, "state": link.status,
            "since": link.since.isoformat() if link.since else None,
            "utilization_pct": link.utilization_pct, "routed": bool(link.route),
        },
    }


def _point_features(link: TopoLink) -> list[dict[str, Any]]:
    out = []
    for index, point in enumerate(link.route, start=1):
        if not point.name:
            continue
        out.append({
            "type": "Feature",
            "id": f"point:{link.key}:{index}",
            "geometry": {"type": "Point", "coordinates": _pos(point.lat, point.lon)},
            "properties": {"feature": "point", "name": point.name, "kind": point.kind or "other",
                           "link": link.key, "state": link.status},
        })
    return out


def to_geojson(graph: TopologyGraph, site_states: Mapping[str, str]) -> dict[str, Any]:
    """The FeatureCollection; ``site_states`` are the stored site answers (name -> state)."""
    features: list[dict[str, Any]] = []
    for name in sorted(graph.sites):
        feature = _site_feature(graph, name, site_states.get(name, "unknown"))
        if feature is not None:
            features.append(feature)
    for _, link in sorted(graph.links.items()):
        line = link_line(graph, link)
        if line is not None:
            features.append(_link_feature(graph, link, line))
            features.extend(_point_features(link))
    return {"type": "FeatureCollection", "features": features}


def unplaced_sites(graph: TopologyGraph) -> list[str]:
    """Sites without coordinates: the city map lists them as not placed."""
    return sorted(n for n, s in graph.sites.items() if s.latitude is None or s.longitude is None)
