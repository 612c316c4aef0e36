"""The logged-in user's scope, applied to what the pages and the API read (``netops.scope``).

``visible()`` is the scope of ``g.user`` resolved against the inventory once per request (None:
not scoped, everything shows). The filters below take the records the read functions return
(``web.readers``, ``web.history``, ``web.composite``) and keep what is in scope, with outside names
in free text replaced (``Visible.redact``): a site's path to the core and its cause, an outage's
root cause and its other sites, an event's evidence. Routes declare ``require_role(..., scoped=True)``
once they apply these; any other route answers 403 to a scoped user, so a new route is closed to
scoped logins until someone makes it scope-aware. ``deny()`` is the 404 for a named object
outside the scope: it must look exactly like an object that does not exist.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from flask import abort, g
from sqlalchemy.orm import Session

from netops.monitor.maintenance import WindowView
from netops.monitor.network_view import NetworkView
from netops.monitor.queries import EventView, OutageView
from netops.monitor.timeline import Entry
from netops.scope import OUTSIDE, Visible, resolve
from topology.assessed import WhatIf
from topology.spof import SinglePoint
from topology.whatif import UnknownElement
from web import history, topomap
from web.db import db_session
from web.views import DeviceView, InterfaceView, LinkView, NeighborView, SiteStatus, SiteView, Topology

T = TypeVar("T")
_UNSET = object()


def visible() -> Visible | None:
    """The current user's scope as it covers the inventory now (None: sees everything)."""
    cached = g.get("_scope_visible", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[no-any-return]
    user = g.get("user")
    found = resolve(db_session(), user.scope) if user is not None and user.scope else None
    g._scope_visible = found
    return found


def scoped() -> bool:
    return visible() is not None


def key() -> Hashable:
    """What a per-view memo of filtered results must add to its key: None for the whole network,
    the scope's sites and devices otherwise, so one login's answer is never served to another."""
    scope = visible()
    return None if scope is None else (scope.sites, scope.devices)


def deny() -> None:
    """The answer for a named object outside the scope: the same 404 as a name that does not exist."""
    abort(404)


def require_site(name: str) -> None:
    scope = visible()
    if scope is not None and not scope.site(name):
        deny()


def require_device(name: str) -> None:
    scope = visible()
    if scope is not None and not scope.device(name):
        deny()


def require_outage(outage: OutageView | None) -> OutageView:
    """The outage if it exists and is in scope (redacted), else the 404."""
    if outage is None:
        abort(404)
    shown = outages([outage])
    if not shown:
        deny()
    return shown[0]


def redact(text: str | None) -> str | None:
    scope = visible()
    return scope.redact(text) if scope is not None else text


def _redact_map(words: dict[str, str] | None, scope: Visible) -> dict[str, str] | None:
    return None if words is None else {k: scope.redact(v) or "" for k, v in words.items()}


def sites(items: Iterable[SiteView]) -> list[SiteView]:
    scope = visible()
    return list(items) if scope is None else [s for s in items if scope.site(s.name)]


def site_names(items: Iterable[str]) -> list[str]:
    scope = visible()
    return list(items) if scope is None else [s for s in items if scope.site(s)]


def device_names(items: Iterable[str]) -> list[str]:
    scope = visible()
    return list(items) if scope is None else [d for d in items if scope.device(d)]


def statuses(items: Iterable[SiteStatus]) -> list[SiteStatus]:
    scope = visible()
    if scope is None:
        return list(items)
    return [status(s, scope) for s in items if scope.site(s.site.name)]


def status(item: SiteStatus, scope: Visible | None = None) -> SiteStatus:
    """One site's answer with outside names in its cause, path and root cause replaced."""
    scope = scope or visible()
    if scope is None:
        return item
    path: list[str] = []
    for hop in item.path:
        shown = hop if scope.device(hop) or scope.site(hop) else OUTSIDE
        if not path or path[-1] != shown:
            path.append(shown)
    root = None if item.root_cause is None else {k: scope.redact(v) or "" for k, v in item.root_cause.items()}
    return replace(
        item,
        cause=scope.redact(item.cause),
        path=tuple(path),
        causes=tuple(c if _named_inside(scope, c) else OUTSIDE for c in item.causes),
        root_cause=root,
        why=scope.redact(item.why),
        handling=scope.redact(item.handling),
    )


def _named_inside(scope: Visible, name: str) -> bool:
    return scope.device(name) or scope.site(name) or ("--" in name and scope.redact(name) == name)


def devices(items: Iterable[DeviceView]) -> list[DeviceView]:
    scope = visible()
    return list(items) if scope is None else [d for d in items if scope.device(d.name)]


def interfaces(items: Iterable[InterfaceView]) -> list[InterfaceView]:
    scope = visible()
    if scope is None:
        return list(items)
    return [replace(i, alias=scope.redact(i.alias), description=scope.redact(i.description))
            for i in items if scope.device(i.device)]


def links(items: Iterable[LinkView]) -> list[LinkView]:
    """Links with an end in scope; the outside end shows as OUTSIDE with no port."""
    scope = visible()
    if scope is None:
        return list(items)
    shown = []
    for lk in items:
        if not scope.link(lk.a_device, lk.b_device):
            continue
        if not scope.device(lk.a_device):
            lk = replace(lk, a_device=OUTSIDE, a_port="")
        if not scope.device(lk.b_device):
            lk = replace(lk, b_device=OUTSIDE, b_port="")
        shown.append(replace(lk, reason=scope.redact(lk.reason)))
    return shown


def neighbors(items: Iterable[NeighborView]) -> list[NeighborView]:
    """LLDP/CDP neighbours: an outside neighbour's names are replaced (its port stays)."""
    scope = visible()
    if scope is None:
        return list(items)
    return [replace(n, system_name=scope.redact(n.system_name),
                    port_description=scope.redact(n.port_description)) for n in items]


def outages(items: Iterable[OutageView]) -> list[OutageView]:
    """Outages that cut off or slowed a site in scope, or whose root cause is in scope; their
    lists keep only what is in scope, their words have outside names replaced."""
    scope = visible()
    if scope is None:
        return list(items)
    shown = []
    for o in items:
        touches = any(scope.site(s) for s in (*o.affected_sites, *o.degraded_sites))
        if not touches and not scope.element(o.root_cause_type, o.root_cause):
            continue
        shown.append(replace(
            o,
            root_cause=scope.redact(o.root_cause) or "",
            affected_sites=tuple(s for s in o.affected_sites if scope.site(s)),
            affected_devices=tuple(d for d in o.affected_devices if scope.device(d)),
            degraded_sites=tuple(s for s in o.degraded_sites if scope.site(s)),
            cause_text=scope.redact(o.cause_text),
            cause_words=_redact_map(o.cause_words, scope),
            maintenance_words=_redact_map(o.maintenance_words, scope),
            notes=tuple(replace(n, text=scope.redact(n.text) or "") for n in o.notes),
        ))
    return shown


def events(items: Iterable[EventView]) -> list[EventView]:
    """Events of a device, link or site in scope (evidence redacted)."""
    scope = visible()
    if scope is None:
        return list(items)
    return [replace(e, element=scope.redact(e.element) or "", evidence=scope.redact(e.evidence))
            for e in items if scope.element(e.element_type, e.element)]


MAX_EVENTS_READ = 10_000
MAX_NAMES_IN_SQL = 300  # beyond, one OR clause per device gets long: read and filter here


def recent_events(session: Session, limit: int) -> list[EventView]:
    """The newest ``limit`` events in scope: read on, page by page, until there are that many
    (among the network's newest MAX_EVENTS_READ at most: a tiny scope in a long history gets
    what they hold)."""
    scope = visible()
    if scope is None:
        return history.list_events(session, limit=limit)
    shown: list[EventView] = []
    batch = max(200, 4 * limit)
    near = len(scope.devices) <= MAX_NAMES_IN_SQL  # let the database skip the rest
    for page in range(max(1, MAX_EVENTS_READ // batch)):
        found = history.events_page(session, batch, page * batch, scope.devices if near else None,
                                    scope.sites)
        shown += events(found)
        if len(shown) >= limit or len(found) < batch:
            break
    return shown[:limit]


def windows(items: Iterable[WindowView]) -> list[WindowView]:
    """Planned works whose target or blast radius touches the scope (radius kept to the scope)."""
    scope = visible()
    if scope is None:
        return list(items)
    shown = []
    for w in items:
        radius = tuple(b for b in w.blast_radius if scope.site(b.get("site")))
        target_in = ((w.scope == "district" and w.target in scope.districts)
                     or scope.element(w.scope, w.target))
        if not radius and not target_in:
            continue
        shown.append(replace(w, target=scope.redact(w.target) or "", reason=scope.redact(w.reason) or "",
                             blast_radius=radius))
    return shown


def entries(items: Iterable[Entry]) -> list[Entry]:
    scope = visible()
    if scope is None:
        return list(items)
    return [replace(e, text=scope.redact(e.text) or "") for e in items]


def keep(items: Iterable[T], names: Any) -> list[T]:
    """Items whose ``names(item)`` (site or device names) are all in scope."""
    scope = visible()
    if scope is None:
        return list(items)
    inside = scope.sites | scope.devices
    return [i for i in items if all(n in inside for n in names(i))]


# -- maps: a link is drawn only with both its ends in scope (a line needs two places) ------------
def map_element(scope: Visible, kind: str, name: str) -> bool:
    """A device in scope, or a link whose two ends are (``A:p--B:q`` or ``A:p,B:q``)."""
    if kind != "link":
        return scope.device(name)
    ends = [end.rpartition(":")[0] or end for end in re.split(r"--|,", name)]
    return all(scope.device(end) for end in ends)


def topology(topo: Topology) -> Topology:
    scope = visible()
    if scope is None:
        return topo
    nodes = tuple(n for n in topo.nodes if scope.device(n.name))
    return replace(
        topo,
        nodes=nodes,
        links=tuple(lk for lk in topo.links if scope.device(lk.a_device) and scope.device(lk.b_device)),
        districts=tuple(sorted({n.district for n in nodes if n.district})),
    )


def single_points(points: Iterable[SinglePoint]) -> list[SinglePoint]:
    """Single points of failure in scope, each with the sites in scope it would cut off."""
    scope = visible()
    if scope is None:
        return list(points)
    shown = []
    for p in points:
        sites = tuple(s for s in p.sites if scope.site(s))
        if sites and map_element(scope, p.element.kind, p.element.id):
            schools = sum(1 for s in sites if scope.site_kinds.get(s) == "school")
            shown.append(replace(p, sites=sites, schools=schools))
    return shown


def impact(view: NetworkView, *, device: str | None = None, link: str | None = None) -> WhatIf:
    """``topomap.impact`` for the scope: an element outside it is unknown, like a misspelt one,
    the nearest names offered are in scope, and the answer lists only what is in scope."""
    scope = visible()
    if scope is None:
        return topomap.impact(view, device=device, link=link)
    asked = (device or link or "").strip()
    try:
        result = topomap.impact(view, device=device, link=link)
    except UnknownElement:
        result = None
    if result is None or not map_element(scope, result.element.kind, result.element.id):
        nearest = tuple(difflib.get_close_matches(asked, sorted(scope.devices), n=3, cutoff=0.0))
        raise UnknownElement(f"no device or link {asked[:100]!r} in the topology", nearest)
    return replace(
        result,
        lost_sites=tuple(s for s in result.lost_sites if scope.site(s)),
        lost_devices=tuple(d for d in result.lost_devices if scope.device(d)),
        degraded_sites=tuple(s for s in result.degraded_sites if scope.site(s)),
        by_kind={k: kept for k, v in result.by_kind.items()
                 if (kept := tuple(s for s in v if scope.site(s)))},
    )


def overlay(found: topomap.MapOverlay) -> topomap.MapOverlay:
    scope = visible()
    if scope is None:
        return found
    kept_outages = {o.id for o in outages(history.list_outages(db_session(), active=True))}
    return replace(
        found,
        root_causes=tuple(r for r in found.root_causes if map_element(scope, r.type, r.name)),
        outages=tuple(replace(o, name=scope.redact(o.name) or "", cause=scope.redact(o.cause) or "")
                      for o in found.outages if o.id in kept_outages),
        devices={k: v for k, v in found.devices.items() if scope.device(k)},
        links={k: v for k, v in found.links.items() if map_element(scope, "link", k)},
        spofs=tuple(r for r in found.spofs if map_element(scope, r.type, r.name)),
    )


def geojson(doc: dict[str, Any]) -> dict[str, Any]:
    """The city map's FeatureCollection: sites in scope, fibers with both ends in scope."""
    scope = visible()
    if scope is None:
        return doc
    kept = []
    for feature in doc.get("features", []):
        props = feature.get("properties", {})
        what = props.get("feature")
        if what == "site" and scope.site(props.get("name")):
            devices = device_names(props.get("devices", []))
            kept.append({**feature, "properties": {**props, "devices": devices}})
            continue
        link = props.get("id", "") if what == "link" else props.get("link", "") if what == "point" else ""
        if link and map_element(scope, "link", link):
            kept.append(feature)
    return {**doc, "features": kept}
