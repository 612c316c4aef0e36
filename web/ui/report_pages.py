"""The reports page: choose a month or a range, a district, a kind or a site; see the figures per
site and download the PDF, CSV or JSON (engineers and admins, like ``/api/v1/reports``)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from inventory.models import Site
from inventory.models.sites import SITE_KINDS
from netops.reports import export
from netops.reports.availability_report import CAUSES
from web import reports, scoping
from web.auth.access import require_role
from web.db import db_session
from web.ui import bp


def _last_month() -> str:
    zone = ZoneInfo(current_app.extensions["netops.settings"].web.timezone)
    today = datetime.now(UTC).astimezone(zone)
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


def _page(error: str | None = None, made: export.Rendered | None = None, status: int = 200
          ) -> ResponseReturnValue:
    form = {k: (request.args.get(k) or "").strip() for k in reports.PARAMS}
    if not (form["month"] or form["from"] or form["to"]):
        form["month"] = _last_month()
    session = db_session()
    districts = sorted({d for name, d in session.execute(select(Site.name, Site.district))
                        if d and scoping.site_names([name])})
    sites = scoping.site_names(sorted(session.scalars(select(Site.name))))
    return render_template("ui/reports.html", form=form, error=error, report=made.report if made else None,
                           districts=districts, kinds=SITE_KINDS, sites=sites, causes=CAUSES,
                           formats=export.FORMATS), status


@bp.route("/reports")
@require_role("engineer", scoped=True)
def reports_page() -> ResponseReturnValue:
    """The form; with a period chosen, the figures per site under it."""
    if not any(request.args.get(k) for k in ("month", "from", "to")):
        return _page()
    try:
        made = reports.make(request.args, default_format="json")
    except ValueError as exc:
        return _page(str(exc), status=400)
    return _page(made=made)


@bp.route("/reports/download")
@require_role("engineer", scoped=True)
def reports_download() -> ResponseReturnValue:
    """The chosen report as a file (PDF by default)."""
    try:
        made = reports.make(request.args, default_format="pdf")
    except ValueError as exc:
        return _page(str(exc), status=400)
    return Response(made.body, mimetype=made.media_type.split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{made.filename}"'})
