"""Pages every role sees: dashboard, the help-desk school check and list, outages (+ CSV)."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from inventory.csvcells import safe_row
from web import composite, history, operations, readers, scoping
from web.auth.access import require_role
from web.db import db_session
from web.history import OutageView
from web.paging import page_number, paginate
from web.search import find_sites
from web.ui import bp
from web.ui.site_contact import ContactForm, save_contact

SCHOOLS_PER_PAGE = 100  # a province lists thousands of sites: one page at a time
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
@require_role("helpdesk", scoped=True)
def dashboard() -> ResponseReturnValue:
    session = db_session()
    active = scoping.outages(history.list_outages(session, active=True))
    scoped = scoping.scoped()
    if scoped:  # counted over the login's own part
        device_counts = readers.count_states(scoping.devices(readers.list_devices(session)))
        link_counts = readers.link_state_counts(scoping.links(readers.list_links(session)))
    else:  # the whole network: counted by the database
        device_counts = readers.device_state_counts(session)
        link_counts = readers.link_state_counts_of(session)
    return render_template(
        "ui/dashboard.html",
        device_counts=device_counts,
        link_counts=link_counts,
        outages=active,
        events=scoping.recent_events(session, 15),
        # a cycle's errors name any device; a scoped login sees none of them
        job_runs=[] if scoped else history.filtered_runs(session, None, "cycles", limit=8),
    )


@bp.route("/schools")
@require_role("helpdesk", scoped=True)
def schools() -> ResponseReturnValue:
    """Search box, then one big answer for a clear match or the choices when several match about
    equally; and the sortable list of all schools."""
    session = db_session()
    query = request.args.get("q", "").strip()
    kind = request.args.get("kind", "school")
    sort = request.args.get("sort", "name")
    statuses = scoping.statuses(composite.site_statuses(session))
    listed = [s for s in statuses if kind == "all" or s.site.kind == kind]
    listed.sort(key=SORT_KEYS.get(sort, SORT_KEYS["name"]))
    page = paginate(listed, page_number(request.args.get("page")), SCHOOLS_PER_PAGE)
    found = find_sites(query, statuses) if query else None
    answer = found.answer.item if found and found.answer else None
    avail = composite.site_availability(session, answer.site.name) if answer else None
    return render_template(
        "ui/schools.html",
        query=query,
        answer=answer,
        availability=avail,
        choices=[m.item for m in found.choices] if found else [],
        others=[m.item for m in found.others[:5]] if found else [],
        statuses=page.items,
        page=page,
        kind=kind,
        sort=sort,
        kinds=sorted({s.site.kind for s in statuses}),
    )


@bp.route("/sites/<path:name>")
@require_role("helpdesk", scoped=True)
def site(name: str) -> ResponseReturnValue:
    return _site_page(name, None)


def _site_page(name: str, form: ContactForm | None, status: int = 200) -> ResponseReturnValue:
    """The site's answer, its devices (engineers), its outages, and the contact form (engineers)."""
    session = db_session()
    site_view = readers.get_site(session, name)
    if site_view is None:
        abort(404)
    scoping.require_site(name)
    if form is None:
        form = ContactForm(formdata=None, contact_name=site_view.contact_name,
                           contact_phone=site_view.contact_phone)
    outages = [o for o in history.list_outages(session, limit=200)
               if name in o.affected_sites or name in o.degraded_sites]
    page = render_template(
        "ui/site.html",
        answer=scoping.status(composite.one_site_status(site_view, session)),
        availability=composite.site_availability(session, name),
        devices=readers.list_devices(session, site=name),
        outages=scoping.outages(outages)[:10],
        works=scoping.windows(w for w in operations.windows(session)
                              if any(b["site"] == name for b in w.blast_radius)),
        form=form,
    )
    return page, status


@bp.route("/contacts/<path:name>", methods=["POST"])
@require_role("engineer", scoped=True)
def site_contact(name: str) -> ResponseReturnValue:
    """Engineers correct whom to call at a site (CSRF-checked by ``CSRFProtect`` first)."""
    scoping.require_site(name)
    form = ContactForm()
    if not form.validate_on_submit():
        return _site_page(name, form, 400)
    session = db_session()
    if not save_contact(session, name, form.contact_name.data, form.contact_phone.data):
        abort(404)
    session.commit()
    flash(_("Contact of %(site)s saved.", site=name))
    return redirect(url_for("ui.site", name=name))


@bp.route("/outages/<int:outage_id>")
@require_role("helpdesk", scoped=True)
def outage(outage_id: int) -> ResponseReturnValue:
    """One outage: its cause in plain words, the sites it cut off or slowed, its events."""
    session = db_session()
    found = scoping.require_outage(history.get_outage(session, outage_id))
    sites = {s.site.name: s for s in scoping.statuses(composite.site_statuses(session))}
    return render_template(
        "ui/outage.html",
        o=found,
        affected=[sites[n] for n in found.affected_sites if n in sites],
        degraded=[sites[n] for n in found.degraded_sites if n in sites],
        gone=[n for n in (*found.affected_sites, *found.degraded_sites) if n not in sites],
        events=scoping.events(history.outage_events(session, outage_id)),
        timeline=scoping.entries(operations.entries(session, outage_id)),
        handling=scoping.redact(
            operations.handling_words(session, [outage_id], composite.language()).get(outage_id)),
    )


def _filtered_outages(active: bool | None) -> list[OutageView]:
    session = db_session()
    outages = scoping.outages(history.list_outages(session, active=active))
    kind, district = request.args.get("kind", ""), request.args.get("district", "")
    if not kind and not district:
        return outages
    sites = readers.site_places(session)

    def keep(o: OutageView) -> bool:
        affected = [sites[n] for n in o.affected_sites if n in sites]
        return any(
            (not kind or k == kind) and (not district or d == district) for k, d in affected
        )

    return [o for o in outages if keep(o)]


@bp.route("/outages")
@require_role("helpdesk", scoped=True)
def outages() -> ResponseReturnValue:
    if scoping.scoped():
        places = [(s.kind, s.district) for s in scoping.sites(readers.list_sites(db_session()))]
    else:
        places = list(readers.site_places(db_session()).values())
    return render_template(
        "ui/outages.html",
        active=_filtered_outages(True),
        closed=paginate(_filtered_outages(False), page_number(request.args.get("page"))),
        kinds=sorted({kind for kind, _ in places}),
        districts=sorted({district for _, district in places if district}),
        kind=request.args.get("kind", ""),
        district=request.args.get("district", ""),
    )


@bp.route("/outages.csv")
@require_role("helpdesk", scoped=True)
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
            "planned",
            "maintenance_id",
            "acknowledged_by",
            "assignee",
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
            o.planned,
            o.maintenance_id or "",
            o.acknowledged_by or "",
            o.assignee or "",
        ]))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=outages.csv"},
    )
