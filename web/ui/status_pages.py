"""Pages every role sees: dashboard, the help-desk school check and list, outages (+ CSV)."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from inventory.csvcells import safe_row
from web import composite, history, readers
from web.auth.access import require_role
from web.db import db_session
from web.history import OutageView
from web.search import rank
from web.ui import bp

SORT_KEYS = {
    "name": lambda s: s.site.name.lower(),
    "state": lambda s: (
        {"offline": 0, "degraded": 1, "unknown": 2, "online": 3}[s.state],
        s.site.name.lower(),
    ),
    "district": lambda s: ((s.site.district or "").lower(), s.site.name.lower()),
    "kind": lambda s: (s.site.kind, s.site.name.lower()),
}


@bp.route("/")
@require_role("helpdesk")
def dashboard() -> ResponseReturnValue:
    session = db_session()
    links = readers.list_links(session)
    active = history.list_outages(session, active=True)
    return render_template(
        "ui/dashboard.html",
        device_counts=readers.device_state_counts(session),
        link_counts=readers.link_state_counts(links),
        outages=active,
        events=history.list_events(session, limit=15),
        job_runs=history.job_runs(session, limit=8),
    )


@bp.route("/schools")
@require_role("helpdesk")
def schools() -> ResponseReturnValue:
    """Search box + one big answer for the best match, and the sortable list of all schools."""
    session = db_session()
    query = request.args.get("q", "").strip()
    kind = request.args.get("kind", "school")
    sort = request.args.get("sort", "name")
    statuses = composite.site_statuses(session)
    listed = [s for s in statuses if kind == "all" or s.site.kind == kind]
    listed.sort(key=SORT_KEYS.get(sort, SORT_KEYS["name"]))
    matches = rank(query, statuses, ([s.site.name, *s.site.devices] for s in statuses)) if query else []
    answer = composite.one_site_status(matches[0][1].site) if matches else None
    avail = composite.site_availability(session, answer.site.name) if answer else None
    return render_template(
        "ui/schools.html",
        query=query,
        answer=answer,
        availability=avail,
        others=[m[1] for m in matches[1:6]],
        statuses=listed,
        kind=kind,
        sort=sort,
        kinds=sorted({s.site.kind for s in statuses}),
    )


@bp.route("/sites/<path:name>")
@require_role("helpdesk")
def site(name: str) -> ResponseReturnValue:
    session = db_session()
    site_view = next((s for s in readers.list_sites(session) if s.name == name), None)
    if site_view is None:
        abort(404)
    status = composite.one_site_status(site_view)
    return render_template(
        "ui/site.html", answer=status, availability=composite.site_availability(session, name)
    )


def _filtered_outages(active: bool | None) -> list[OutageView]:
    session = db_session()
    outages = history.list_outages(session, active=active)
    kind, district = request.args.get("kind", ""), request.args.get("district", "")
    if not kind and not district:
        return outages
    sites = {s.name: s for s in readers.list_sites(session)}

    def keep(o: OutageView) -> bool:
        affected = [sites[n] for n in o.affected_sites if n in sites]
        return any(
            (not kind or s.kind == kind) and (not district or s.district == district) for s in affected
        )

    return [o for o in outages if keep(o)]


@bp.route("/outages")
@require_role("helpdesk")
def outages() -> ResponseReturnValue:
    sites = readers.list_sites(db_session())
    return render_template(
        "ui/outages.html",
        active=_filtered_outages(True),
        closed=_filtered_outages(False),
        kinds=sorted({s.kind for s in sites}),
        districts=sorted({s.district for s in sites if s.district}),
        kind=request.args.get("kind", ""),
        district=request.args.get("district", ""),
    )


@bp.route("/outages.csv")
@require_role("helpdesk")
def outages_csv() -> ResponseReturnValue:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "root_cause_type",
            "root_cause",
            "started_at",
            "ended_at",
            "duration_s",
            "affected_sites",
            "affected_devices",
            "flapping",
        ]
    )
    for o in _filtered_outages(None):
        writer.writerow(safe_row([
            o.id,
            o.root_cause_type,
            o.root_cause,
            o.started_at.isoformat(),
            o.ended_at.isoformat() if o.ended_at else "",
            int(o.duration_s),
            "; ".join(o.affected_sites),
            "; ".join(o.affected_devices),
            o.flapping,
        ]))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=outages.csv"},
    )
