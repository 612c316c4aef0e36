"""Planned works page (list; engineers plan with a preview of the blast radius first, then save)
and the outage actions: acknowledge, note, assign (CSRF-checked by ``CSRFProtect``).

Planning is two steps on one form: "Show blast radius" answers which sites the works would cut
off or leave on one path, and only then "Save" appears; the blast radius saved is recomputed
at that moment from the same assessment (what was shown, unless the network changed since).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from web import history, operations, scoping
from web.auth.access import require_role
from web.db import db_session
from web.ui import bp

SCOPES = ("link", "device", "site", "district", "network")
MAX_MINUTES = 60 * 24 * 14


def _form() -> dict[str, str]:
    keys = ("scope", "target", "start", "minutes", "reason", "rrule")
    return {k: (request.form.get(k) or "").strip() for k in keys}


def _times(form: dict[str, str]) -> tuple[datetime, datetime]:
    zone = ZoneInfo(current_app.extensions["netops.settings"].web.timezone)
    if form["start"]:
        try:
            start = datetime.fromisoformat(form["start"])
        except ValueError:
            raise operations.MaintenanceError(_("Give the start as date and time.")) from None
        start = start if start.tzinfo else start.replace(tzinfo=zone)
    else:
        start = operations._now()
    try:
        minutes = int(form["minutes"])
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= MAX_MINUTES:
        raise operations.MaintenanceError(_("Give the duration in minutes (1 to 20160)."))
    return start, start + timedelta(minutes=minutes)


def _page(form: dict[str, str], preview: operations.Preview | None = None, error: str | None = None,
          status: int = 200) -> ResponseReturnValue:
    shown = scoping.windows(operations.windows(db_session(), include_past=True))[-50:]
    return render_template("ui/maintenance.html", windows=shown, form=form, preview=preview, error=error,
                           scopes=SCOPES), status


@bp.route("/maintenance")
@require_role("helpdesk", scoped=True)
def maintenance() -> ResponseReturnValue:
    """Planned works: in progress, to come and past, each with its blast radius."""
    return _page({"scope": "link", "minutes": "120"})


@bp.route("/maintenance", methods=["POST"])
@require_role("engineer")
def maintenance_plan() -> ResponseReturnValue:
    form = _form()
    if form["scope"] not in SCOPES:
        abort(400)
    try:
        starts_at, ends_at = _times(form)
        preview = operations.preview(form["scope"], form["target"])
        if request.form.get("action") != "save":
            return _page(form, preview)
        session = db_session()
        window = operations.create(session, kind=form["scope"], target=form["target"], starts_at=starts_at,
                                   ends_at=ends_at, reason=form["reason"], by=g.user.name,
                                   rrule=form["rrule"] or None)
        session.commit()
    except operations.MaintenanceError as exc:
        db_session().rollback()
        return _page(form, None, str(exc), 400)
    flash(_("Planned works #%(id)d saved.", id=window.id))
    return redirect(url_for("ui.maintenance"))


@bp.route("/maintenance/<int:window_id>/end", methods=["POST"])
@require_role("engineer")
def maintenance_end(window_id: int) -> ResponseReturnValue:
    session = db_session()
    try:
        operations.end(session, window_id)
        session.commit()
    except operations.MaintenanceError:
        session.rollback()
        abort(404)
    flash(_("Planned works #%(id)d ended.", id=window_id))
    return redirect(url_for("ui.maintenance"))


def _back(outage_id: int) -> ResponseReturnValue:
    target = request.form.get("back")
    if target == "dashboard":
        return redirect(url_for("ui.dashboard"))
    return redirect(url_for("ui.outage", outage_id=outage_id))


def _act(outage_id: int, call: Any, done: str) -> ResponseReturnValue:
    session = db_session()
    if scoping.scoped():  # an outage outside the scope does not exist for this user
        scoping.require_outage(history.get_outage(session, outage_id))
    try:
        call(session)
        session.commit()
    except operations.UnknownOutage:
        session.rollback()
        abort(404)
    except operations.HandlingError as exc:
        session.rollback()
        flash(str(exc), "error")
        return _back(outage_id)
    flash(done)
    return _back(outage_id)


@bp.route("/outages/<int:outage_id>/ack", methods=["POST"])
@require_role("helpdesk", scoped=True)
def outage_ack(outage_id: int) -> ResponseReturnValue:
    note = (request.form.get("note") or "").strip() or None
    return _act(outage_id, lambda s: operations.acknowledge(s, outage_id, g.user.name, note),
                _("Outage #%(id)d acknowledged.", id=outage_id))


@bp.route("/outages/<int:outage_id>/note", methods=["POST"])
@require_role("helpdesk", scoped=True)
def outage_note(outage_id: int) -> ResponseReturnValue:
    text = request.form.get("text") or ""
    return _act(outage_id, lambda s: operations.add_note(s, outage_id, g.user.name, text),
                _("Note added."))


@bp.route("/outages/<int:outage_id>/assign", methods=["POST"])
@require_role("engineer", scoped=True)
def outage_assign(outage_id: int) -> ResponseReturnValue:
    user = request.form.get("user") or ""
    return _act(outage_id, lambda s: operations.assign(s, outage_id, user, g.user.name),
                _("Outage #%(id)d assigned.", id=outage_id))
