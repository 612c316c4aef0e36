"""The city map: sites where they stand and fibers where they run, over tiles or a plain background.

The page draws ``/api/v1/topology.geojson`` (the one GeoJSON of ``topology.geojson``) with the
vendored Leaflet; states are the stored ones, as on the logical map. The background is the
configured tile URL template (``[map] tile_url``), a local z/x/y directory (``[map] tile_dir``,
served here) or nothing: with no tile reachable the sites and routes still draw. The page's
Content-Security-Policy lets images come from the tile server's origin only. Also here: the
printable card of one fiber (``web.fibercard``) and placing a site by dragging it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from flask import abort, current_app, jsonify, render_template, request, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inventory.models import Site
from netops.audit import record_change
from netops.settings import MapSettings
from topology.geojson import unplaced_sites
from web import scoping, topomap
from web.auth.access import require_role
from web.db import db_session
from web.errors import SECURITY_HEADERS
from web.extensions import STATE_LABELS
from web.fibercard import fiber_card
from web.ui import bp

POINT_KINDS = {"pole": _l("pole"), "closure": _l("closure"), "handhole": _l("handhole"),
               "manhole": _l("manhole"), "odp": _l("ODP"), "other": _l("point")}


def point_kinds() -> dict[str, str]:
    return {kind: str(text) for kind, text in POINT_KINDS.items()}


def _map_settings() -> MapSettings:
    settings: MapSettings = current_app.extensions["netops.settings"].map
    return settings


def tile_source() -> tuple[str, str]:
    """The tile URL template the browser uses and its attribution ("" when there are no tiles)."""
    conf = _map_settings()
    if conf.tile_dir is not None:
        template = url_for("ui.city_tile", z=0, x=0, y=0).replace("/0/0/0.png", "/{z}/{x}/{y}.png")
        return template, conf.tile_attribution
    return conf.tile_url, conf.tile_attribution if conf.tile_url else ""


def _csp(tiles: str) -> str:
    """The site-wide policy with the tile server's origin added to img-src."""
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    parts = urlsplit(tiles)
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"
        policy = policy.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")
    return policy


UNPLACED_SHOWN = 200  # sites listed to be placed; the rest are counted


@bp.route("/map")
@require_role("engineer", scoped=True)
def city_map() -> ResponseReturnValue:
    view = topomap.current_view()
    tiles, attribution = tile_source()
    shown = [s for name, s in view.graph.sites.items() if scoping.site_names([name])]
    districts = sorted({s.district for s in shown if s.district})
    page = render_template(
        "ui/citymap.html",
        tiles=tiles,
        attribution=attribution,
        unplaced=scoping.site_names(unplaced_sites(view.graph)),
        unplaced_shown=UNPLACED_SHOWN,
        districts=districts,
        kinds=sorted({s.kind for s in shown}),
        state_labels={key: str(text) for key, text in STATE_LABELS.items()},
        focus=(request.args.get("focus") or "")[:200],
        point_kinds=point_kinds(),
    )
    return page, 200, {"Content-Security-Policy": _csp(tiles)}


@bp.route("/map/tiles/<int:z>/<int:x>/<int:y>.png")
@require_role("engineer", scoped=True)  # the background: no site in it
def city_tile(z: int, x: int, y: int) -> ResponseReturnValue:
    """A tile of the local directory (``[map] tile_dir``): DIR/z/x/y.png."""
    directory = _map_settings().tile_dir
    if directory is None or z > 30:
        abort(404)
    return send_from_directory(Path(directory), f"{z}/{x}/{y}.png", max_age=86400)


@bp.route("/map/fiber/<path:link_id>")
@require_role("engineer", scoped=True)
def cut_fiber(link_id: str) -> ResponseReturnValue:
    """One fiber for the field crew (printable): route, named points, light before the cut, contacts."""
    view = topomap.current_view()
    card = fiber_card(db_session(), view, link_id)
    if card is None:
        abort(404)
    scope = scoping.visible()
    if scope is not None and not scoping.map_element(scope, "link", card.link.key):
        scoping.deny()
    card = replace(card, affected=tuple(s for s in card.affected if scope is None or scope.site(s.name)))
    tiles, attribution = tile_source()
    kinds = point_kinds()
    stops = [{**s.point.as_json(), "kind": kinds.get(s.point.kind or "other", "")} for s in card.stops]
    page = render_template("ui/fibercard.html", card=card, tiles=tiles, attribution=attribution,
                           stops_json=stops, point_kinds=kinds)
    return page, 200, {"Content-Security-Policy": _csp(tiles)}


def _coordinate(text: str | None, low: float, high: float) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if low <= value <= high and value == value else None  # NaN fails the last test


@bp.route("/map/sites/<path:name>/location", methods=["POST"])
@require_role("engineer", scoped=True)
def place_site(name: str) -> ResponseReturnValue:
    """An engineer places (or moves) a site by dragging it on the city map (CSRF-checked first)."""
    lat = _coordinate(request.form.get("lat"), -90, 90)
    lon = _coordinate(request.form.get("lon"), -180, 180)
    if lat is None or lon is None:
        return jsonify({"error": "lat must be -90..90 and lon -180..180"}), 400
    session = db_session()
    site = session.scalars(select(Site).where(Site.name == name)).first()
    if site is None:
        abort(404)
    scoping.require_site(name)  # a scoped engineer places its own sites only
    before = {"lat": site.latitude, "lon": site.longitude}
    site.latitude, site.longitude = round(lat, 6), round(lon, 6)
    record_change(session, "site.location", name, before, {"lat": site.latitude, "lon": site.longitude})
    session.commit()
    return jsonify({"site": name, "lat": site.latitude, "lon": site.longitude})
