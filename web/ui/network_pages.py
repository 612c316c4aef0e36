"""Engineer pages: topology map, single points of failure with what-if, device detail with
traffic charts, inventory and cabling audit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import Session

from netops.monitor.network_view import NetworkView
from topology.spof import single_points
from topology.whatif import UnknownElement, WhatIfError
from web import composite, districtmap, history, inventory_index, readers, scoping, topomap
from web.auth.access import require_role
from web.db import db_session
from web.extensions import STATE_LABELS
from web.paging import MAX_FILTER_CHARS, page_number, paginate, searched
from web.ui import bp
from web.ui.charts import rate_chart
from web.ui.inventory_edit import TokenForm, UploadForm
from web.ui.svgmap import Marks, render, render_districts
from web.uploads import MAX_UPLOAD_BYTES

ROLES_SHOWN = ("core", "distribution", "access", "other")
KIND_LABELS = {  # site kinds as what-if groups them
    "school": _l("schools"),
    "health": _l("health centres"),
    "agency": _l("agencies"),
    "district": _l("district offices"),
    "core": _l("core"),
    "other": _l("other sites"),
}


def _kind_labels() -> dict[str, str]:
    return {kind: str(text) for kind, text in KIND_LABELS.items()}


INVENTORY_LISTS = ("devices", "sites", "links")
AUDIT_SHOWN = 100  # findings listed per kind; `netops topology audit` lists them all
SPOF_PER_PAGE = 100  # a province has thousands of single points: one page at a time
SPOF_SITES_SHOWN = 50  # the cut-off sites listed per row; the what-if lists them all
OPEN_CHARTS = 4


@bp.route("/topology")
@require_role("engineer", scoped=True)
def topology() -> ResponseReturnValue:
    """The logical map at two levels (``?level=district|device``, ``&district=`` fits one): a
    network of more than ``DEVICE_LEVEL_MAX`` devices opens on districts and draws its devices
    only when asked; a smaller one carries both levels and switches without a reload."""
    session = db_session()
    view = topomap.current_view()
    topo = scoping.topology(composite.topology(session))
    points = scoping.single_points(view.memo("single_points", lambda: single_points(view.assessment)))
    causes = topomap.root_causes(view, scoping.outages(history.list_outages(session, active=True)))
    marks = Marks(frozenset((c.kind, c.id) for c in causes), frozenset(topomap.spof_keys(points)))
    focus = (request.args.get("focus") or "")[:200]
    district = request.args.get("district") or ""
    if district not in topo.districts:  # a scope never learns of an outside district
        district = ""
    large = len(topo.nodes) > districtmap.DEVICE_LEVEL_MAX
    level = request.args.get("level")
    if level not in ("district", "device"):
        level = "district" if large and not (focus or district) else "device"
    districts = view.memo(("district_level", marks, scoping.key()),
                          lambda: districtmap.for_view(view, topo, marks.causes, scoping.visible()))
    district_fit = districtmap.fit(districts)
    fit = districtmap.bounds(topo, district) if district and level == "device" else None
    if level == "district":
        fit = district_fit
    return render_template(
        "ui/topology.html",
        topo=topo,
        roles=ROLES_SHOWN,
        level=level,
        district=district,
        large=large,
        fit=fit,
        device_level_max=districtmap.DEVICE_LEVEL_MAX,
        svg_body=view.memo(("svg", marks, scoping.key()), lambda: render(topo, marks))
        if level == "device" or not large else None,
        district_fit=district_fit,
        district_body=view.memo(("svg_districts", marks, scoping.key(), topomap.language()),
                                lambda: render_districts(districts)),
        spof_count=len(points),
        show_spof=request.args.get("spof") == "1",
        focus=focus,
        state_labels={key: str(text) for key, text in STATE_LABELS.items()},
        timezone=current_app.extensions["netops.settings"].web.timezone,
        kind_labels=_kind_labels(),
    )


@bp.route("/topology/spof")
@require_role("engineer", scoped=True)
def spof() -> ResponseReturnValue:
    """Single points of failure, most sites first, and what-if for any device or link named."""
    view = topomap.current_view()
    asked = (request.args.get("element") or "").strip()[:300]
    impact, error = None, None
    nearest: tuple[str, ...] = ()
    if asked:
        as_link = ":" in asked
        try:
            impact = scoping.impact(view, device=None if as_link else asked, link=asked if as_link else None)
        except UnknownElement as exc:
            error, nearest = "unknown", exc.nearest
        except WhatIfError:
            error = "malformed"
    points = scoping.single_points(view.memo("single_points", lambda: single_points(view.assessment)))
    page = paginate(points, page_number(request.args.get("page")), SPOF_PER_PAGE)
    return render_template(
        "ui/spof.html",
        points=points,
        page=page,
        sites_shown=SPOF_SITES_SHOWN,
        ends={p.element.id: (lk.a, lk.b) for p in page.items if (lk := view.graph.links.get(p.element.id))},
        asked=asked,
        impact=impact,
        error=error,
        nearest=nearest,
        choices=view.memo(("spof_choices", scoping.key()), lambda: _choices(view)),
        kind_labels=_kind_labels(),
    )


def _choices(view: NetworkView) -> Markup:
    """The what-if box's ``<option>``s: the login's devices and the links with both ends in its
    scope (every device and link for the whole network), built once per view and scope."""
    scope = scoping.visible()
    links = [lk for lk in view.graph.links.values()
             if scope is None or (scope.device(lk.a.device) and scope.device(lk.b.device))]
    names = sorted(f"{lk.a},{lk.b}" for lk in links)
    return _options([*scoping.device_names(sorted(view.graph.nodes)), *names])


def _options(names: list[str]) -> Markup:
    option = Markup('<option value="{}">')
    return Markup("").join(option.format(n) for n in names)  # format escapes each name


@bp.route("/devices/<path:name>")
@require_role("engineer", scoped=True)
def device(name: str) -> ResponseReturnValue:
    session = db_session()
    view = readers.get_device(session, name)
    if view is None:
        abort(404)
    scoping.require_device(name)
    interfaces = scoping.interfaces(readers.list_interfaces(session, name))
    links = readers.list_links(session, device=name)
    now = datetime.now(UTC)
    window = (now - timedelta(hours=24), now)
    linked = {lk.a_port if lk.a_device == name else lk.b_port for lk in links}
    charts = {
        i.id: chart
        for i in interfaces
        if (chart := rate_chart(history.traffic_series(session, i.id, now=now), window)).samples
        or i.name in linked
    }
    links = scoping.links(links)
    outages = [
        o
        for o in history.list_outages(session, limit=200)
        if name in o.affected_devices
        or o.root_cause.startswith(f"{name}:")
        or f"--{name}:" in o.root_cause
        or o.root_cause == name
    ]
    seen = [i.status_polled_at for i in interfaces if i.status_polled_at]
    return render_template(
        "ui/device.html",
        device=view,
        facts=readers.get_facts(session, name),
        interfaces=interfaces,
        charts=charts,
        # an access switch's uplinks start open; a distribution switch's dozen charts start folded
        linked=linked if len(linked) <= OPEN_CHARTS else set(),
        open_port=request.args.get("port"),
        last_seen=view.last_ok_at or (max(seen) if seen else None),
        neighbors=scoping.neighbors(readers.list_neighbors(session, name)),
        known=_known_devices(session),
        links=links,
        events=scoping.events(history.device_events(session, name)),
        outages=scoping.outages(outages)[:20],
        polls=history.poll_runs(session, name),
        form=TokenForm(),
    )


def _known_devices(session: Session) -> dict[str, str]:
    """Device name by the names a neighbor may advertise: its name, its sysName, their host part
    (names and sysNames are in the view's structure: built once per view)."""
    return composite.memo("known_devices", lambda: _aliases(session))


def _aliases(session: Session) -> dict[str, str]:
    known: dict[str, str] = {}
    for d in scoping.devices(readers.list_devices(session)):
        for alias in (d.name, d.sys_name or ""):
            if alias:
                known.setdefault(alias.casefold(), d.name)
                known.setdefault(alias.split(".", 1)[0].casefold(), d.name)
    return known


@bp.route("/inventory")
@require_role("engineer", scoped=True)
def inventory() -> ResponseReturnValue:
    """Import, cabling audit, and one list at a time (devices, sites or links), searched and paged.

    The lists are searched in their indexes (``web.inventory_index``, built once per view and
    scope); only the page shown is read from the database."""
    session = db_session()
    show = request.args.get("show", "devices")
    if show not in INVENTORY_LISTS:
        show = "devices"
    query = request.args.get("q", "").strip()[:MAX_FILTER_CHARS]
    indexes: dict[str, Callable[[Session], Sequence[tuple[Any, str]]]] = {
        "devices": inventory_index.devices, "sites": inventory_index.sites, "links": inventory_index.links}
    shown = searched(indexes[show](session), query)
    if query or scoping.scoped():  # the other tabs' counts need their rows filtered too
        counts = {name: len(shown) if name == show else len(searched(index(session), query))
                  for name, index in indexes.items()}
    else:  # a province's inventory: index only the list shown, count the others
        counts = readers.inventory_counts(session) | {show: len(shown)}
    page = paginate(shown, page_number(request.args.get("page")))
    if show == "devices":  # the page's rows as they are now (poll times and loads move)
        page = replace(page, items=tuple(inventory_index.fresh_devices(session, page.items)))
    elif show == "links":
        page = replace(page, items=tuple(inventory_index.fresh_links(session, page.items)))
    return render_template(
        "ui/inventory.html",
        show=show,
        query=query,
        counts=counts,
        page=page,
        audit=None if scoping.scoped() else composite.cabling_audit(),  # the whole network's cabling
        audit_shown=AUDIT_SHOWN,
        scoped=scoping.scoped(),
        upload_form=UploadForm(),
        max_upload_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
    )
