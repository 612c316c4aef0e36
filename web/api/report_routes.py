"""``/api/v1/reports/availability``: the availability report as JSON (default), CSV or PDF.

Engineers and admins (the reports go to the Dinas and upward); the query string takes the
choices of ``netops report availability``. A bad month or an unknown district answers 400
with the nearest names.
"""

from __future__ import annotations

from flask import Response, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from web import reports
from web.api import bp
from web.api.routes import query
from web.auth.access import require_role


@bp.get("/reports/availability")
@require_role("engineer", scoped=True)
@query(month=("string", "YYYY-MM in web.timezone (or from and to)"),
       **{"from": ("string", "first day, YYYY-MM-DD (or an ISO time)"),
          "to": ("string", "last day, included (or an ISO time)")},
       district=("string", "only this district"), kind=("string", "only this site kind"),
       site=("string", "only this site"), format=("string", "json (default), csv or pdf"),
       lang=("string", "id (default) or en: the PDF's language"))
def report_availability() -> ResponseReturnValue:
    """Availability per site, district, kind and agency over a month or range, by cause."""
    try:
        made = reports.make(request.args)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    headers = {} if made.media_type == "application/json" else {
        "Content-Disposition": f'attachment; filename="{made.filename}"'}
    return Response(made.body, mimetype=made.media_type.split(";")[0], headers=headers)
