"""Engineer pages: topology map, device detail with traffic charts, inventory and cabling audit."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from web import composite, history, readers
from web.auth.access import require_role
from web.db import db_session
from web.ui import bp
from web.ui.charts import rate_chart
from web.ui.inventory_edit import TokenForm, UploadForm
from web.ui.svgmap import render
from web.uploads import MAX_UPLOAD_BYTES

ROLES_SHOWN = ("core", "distribution", "access", "other")


@bp.route("/topology")
@require_role("engineer")
def topology() -> ResponseReturnValue:
    topo = composite.topology(db_session())
    return render_template("ui/topology.html", topo=topo, roles=ROLES_SHOWN, svg_body=render(topo))


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
