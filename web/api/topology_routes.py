"""``/api/v1/topology/...``: single points of failure, what-if, and the map's overlay.

The same answers as ``netops topology spof --json`` and ``netops topology impact --json``
(one JSON shape each, built in ``topology``); the overlay is what the map draws over the
stored states (root causes, open outages, since when, single points of failure). A what-if
naming nothing known is a 404 whose message names the nearest valid devices or links.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, NotFound

from netops.monitor.network_view import geojson_of
from topology.spof import single_points
from topology.whatif import UnknownElement, WhatIfError
from web import scoping, topomap
from web.api import bp
from web.api.routes import describe, query, returns
from web.api.serialize import to_json
from web.auth.access import require_role
from web.db import db_session

_STR = {"type": "string"}
_NAMES = {"type": "array", "items": _STR}
_ELEMENT = {"type": "object", "properties": {"type": {"enum": ["device", "link"]}, "name": _STR}}
SPOF_SCHEMA: dict[str, Any] = {  # topology.spof.SinglePoint.as_json
    "type": "object",
    "properties": {
        "type": {"enum": ["device", "link"]},
        "name": {"type": "string", "description": "device name, or link id DEV:PORT--DEV:PORT"},
        "sites": {**_NAMES, "description": "every site its loss alone disconnects"},
    },
}
WHATIF_SCHEMA: dict[str, Any] = {  # topology.assessed.WhatIf.as_json
    "type": "object",
    "properties": {
        "element": _ELEMENT,
        "lost_sites": {**_NAMES, "description": "sites that would be disconnected"},
        "lost_devices": _NAMES,
        "degraded_sites": {**_NAMES, "description": "sites that would be left on a single path"},
        "lost_by_kind": {"type": "object", "additionalProperties": _NAMES},
    },
}


@bp.get("/topology/spof")
@require_role("engineer", scoped=True)
@returns(("SinglePointOfFailure", SPOF_SCHEMA))
def topology_spof() -> ResponseReturnValue:
    """Single points of failure: each device or link whose loss alone disconnects sites.

    A device counts when it would cut off a site other than its own; a link when it would cut
    off any site (parallel fibers are never single points). Most sites first.
    """
    view = topomap.current_view()
    points = view.memo("single_points", lambda: single_points(view.assessment))
    return jsonify(view.memo(("spof_json", scoping.key()),
                             lambda: [p.as_json() for p in scoping.single_points(points)]))


@bp.get("/topology/impact")
@require_role("engineer", scoped=True)
@returns(("WhatIf", WHATIF_SCHEMA), many=False)
@query(
    device=("string", "the device to fail"),
    link=("string", "the link to fail: DEV:PORT,DEV:PORT (or its id DEV:PORT--DEV:PORT, or one end)"),
)
@describe(
    _200="What would be cut off and left on a single path",
    _400="Neither or both of device and link, or a link not written DEV:PORT,DEV:PORT",
    _404="No such device or link; the message names the nearest valid ones",
)
def topology_impact() -> ResponseReturnValue:
    """What-if: the sites that failing one device or link would disconnect or leave fragile."""
    device, link = request.args.get("device"), request.args.get("link")
    try:
        result = scoping.impact(topomap.current_view(), device=device, link=link)
    except UnknownElement as exc:
        raise NotFound(str(exc)) from None
    except WhatIfError as exc:
        raise BadRequest(str(exc)) from None
    return jsonify(result.as_json())


@bp.get("/topology/overlay")
@require_role("engineer", scoped=True)
@returns(topomap.MapOverlay, many=False)
def topology_overlay() -> ResponseReturnValue:
    """What the map draws over the states: root causes, open outages, since when, single points."""
    if scoping.scoped():
        return jsonify(to_json(scoping.overlay(topomap.overlay(db_session()))))
    made = topomap.overlay(db_session())
    return jsonify(topomap.current_view().memo(("overlay_json", id(made)), lambda: to_json(made)))


GEOJSON_SCHEMA: dict[str, Any] = {  # topology.geojson.to_geojson
    "type": "object",
    "description": "RFC 7946 FeatureCollection: sites (Point), links (LineString), named route points "
                   "(Point); "
                   "positions [lon, lat]; properties.feature says which",
    "properties": {"type": {"enum": ["FeatureCollection"]}, "features": {"type": "array"}},
}


@bp.get("/topology.geojson")
@require_role("engineer", scoped=True)
@returns(("FeatureCollection", GEOJSON_SCHEMA), many=False)
def topology_geojson() -> ResponseReturnValue:
    """The network on the map (RFC 7946 GeoJSON, opens in QGIS): sites, fibers along their routes."""
    response = jsonify(scoping.geojson(geojson_of(topomap.current_view())))
    response.mimetype = "application/geo+json"
    return response
