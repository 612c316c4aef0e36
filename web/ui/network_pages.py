"""Engineer pages: topology map, single points of failure with what-if, device detail with
traffic charts, inventory and cabling audit."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from topology.spof import single_points
from topology.whatif import UnknownElement, WhatIfError
from web import composite, history, readers, topomap
from web.auth.access import require_role
from web.db import db_session
from web.extensions import STATE_LABELS
from web.ui import bp
from web.ui.charts import rate_chart
from web.ui.inventory_edit import TokenForm, UploadForm
from web.ui.svgmap import Marks, render
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


@bp.route("/topology")
@require_role("engineer")
def topology() -> ResponseReturnValue:
    session = db_session()
    view = topomap.current_view()
    topo = composite.topology(session)
    points = single_points(view.assessment)
    causes = topomap.root_causes(view, history.list_outages(session, active=True))
    marks = Marks(frozenset((c.kind, c.id) for c in causes), frozenset(topomap.spof_keys(points)))
    return render_template(
        "ui/topology.html",
        topo=topo,
        roles=ROLES_SHOWN,
        svg_body=render(topo, marks),
        spof_count=len(points),
        show_spof=request.args.get("spof") == "1",
        state_labels={key: str(text) for key, text in STATE_LABELS.items()},
        timezone=current_app.extensions["netops.settings"].web.timezone,
        kind_labels=_kind_labels(),
    )


@bp.route("/topology/spof")
@require_role("engineer")
def spof() -> ResponseReturnValue:
    """Single points of failure, most sites first, and what-if for any device or link named."""
    view = topomap.current_view()
    asked = (request.args.get("element") or "").strip()[:300]
    impact, error = None, None
    nearest: tuple[str, ...] = ()
    if asked:
        as_link = ":" in asked
        try:
            impact = topomap.impact(view, device=None if as_link else asked, link=asked if as_link else None)
        except UnknownElement as exc:
            error, nearest = "unknown", exc.nearest
        except WhatIfError:
            error = "malformed"
    points = single_points(view.assessment)
    return render_template(
        "ui/spof.html",
        points=points,
        ends={p.element.id: (lk.a, lk.b) for p in points if (lk := view.graph.links.get(p.element.id))},
        asked=asked,
        impact=impact,
        error=error,
        nearest=nearest,
        devices=sorted(view.graph.nodes),
        links=sorted(f"{lk.a},{lk.b}" for lk in view.graph.links.values()),
        kind_labels=_kind_labels(),
    )


@bp.route("/devices/<path:name>")
@require_role("engineer")
def device(name: str) -> ResponseReturnValue:
    session = db_session()
    view = readers.get_device(session, name)
    if view is None:
        abort(404)
    interfaces = readers.list_interfaces(session, name)
    charts = {i.id: rate_chart(history.traffic_series(session, i.id)) for i in interfaces}
    outages = [
        o
        for o in history.list_outages(session, limit=200)
        if name in o.affected_devices
        or o.root_cause.startswith(f"{name}:")
        or f"--{name}:" in o.root_cause
        or o.root_cause == name
    ]
    return render_template(
        "ui/device.html",
        device=view,
        facts=readers.get_facts(session, name),
        interfaces=interfaces,
        charts=charts,
        neighbors=readers.list_neighbors(session, name),
        links=readers.list_links(session, device=name),
        events=history.device_events(session, name),
        outages=outages[:20],
        polls=history.poll_runs(session, name),
        form=TokenForm(),
    )


@bp.route("/inventory")
@require_role("engineer")
def inventory() -> ResponseReturnValue:
    session = db_session()
    links = readers.list_links(session)
    return render_template(
        "ui/inventory.html",
        sites=readers.list_sites(session),
        devices=readers.list_devices(session),
        links=links,
        audit=composite.cabling_audit(),
        upload_form=UploadForm(),
        max_upload_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
    )
