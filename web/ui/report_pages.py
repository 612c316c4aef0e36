"""The reports page: choose a month or a range, a district, a kind or a site; see the figures per
site and download the PDF, CSV or JSON (engineers and admins, like ``/api/v1/reports``)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy import select

from inventory.models import Site
from inventory.models.sites import SITE_KINDS
from netops.reports import export
from netops.reports.availability_report import CAUSES, Report
from web import composite, reports, scoping
from web.auth.access import require_role
from web.db import db_session
from web.paging import page_number, paginate
from web.ui import bp

REPORT_PER_PAGE = 100


def _last_month() -> str:
    zone = ZoneInfo(current_app.extensions["netops.settings"].web.timezone)
    today = datetime.now(UTC).astimezone(zone)
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


def _page(error: str | None = None, report: Report | None = None, status: int = 200
          ) -> ResponseReturnValue:
    form = {k: (request.args.get(k) or "").strip() for k in reports.PARAMS}
    if not (form["month"] or form["from"] or form["to"]):
        form["month"] = _last_month()
    districts, sites = composite.memo(("report_choices", scoping.key()), _choices)
    page = None
    if report is not None:  # most downtime first, one page of a province's 5,000 sites at a time
        worst = sorted(report.sites, key=lambda s: s.downtime_s, reverse=True)
        page = paginate(worst, page_number(request.args.get("page")), REPORT_PER_PAGE)
    return render_template("ui/reports.html", form=form, error=error, report=report, page=page,
                           pager_args={k: v for k, v in form.items() if v and k != "format"},
                           districts=districts, kinds=SITE_KINDS, site_options=sites, causes=CAUSES,
                           formats=export.FORMATS), status


def _choices() -> tuple[list[str], Markup]:
    """The districts and the sites' ``<option>``s of the login's scope, once per network view (the
    sites and their districts are in its structure marker; a province lists 5,000 sites)."""
    rows = list(db_session().execute(select(Site.name, Site.district)))
    inside = set(scoping.site_names([name for name, _ in rows]))
    districts = sorted({d for name, d in rows if d and name in inside})
    option = Markup('<option value="{}">')
    return districts, Markup("").join(option.format(n) for n in sorted(inside))


@bp.route("/reports")
@require_role("engineer", scoped=True)
def reports_page() -> ResponseReturnValue:
    """The form; with a period chosen, the figures per site under it."""
    if not any(request.args.get(k) for k in ("month", "from", "to")):
        return _page()
    try:
        report = reports.figures(request.args)  # no file: the page shows the figures
    except ValueError as exc:
        return _page(str(exc), status=400)
    return _page(report=report)


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
