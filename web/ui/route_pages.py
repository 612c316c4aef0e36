"""Notification routes page (admins): every route, and a form to add, change or delete the
routes made here (CSRF-checked by ``CSRFProtect``).

Routes of the config file and the catch-all (``notifications.urls``) are shown read-only: the
service never rewrites its config file (see ``netops.monitor.route_store``); routes made here
live in the database and the notifier reads them on its next message. URLs are shown masked;
on a change, an empty URL field keeps the route's URLs, so nobody has to see them again.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from inventory.models import DEVICE_ROLES, SITE_KINDS, utcnow
from netops.monitor.notifications import shown_url
from netops.monitor.route_store import all_routes, delete_route, save_route
from netops.monitor.routing import LANGUAGES, Route, RouteError
from netops.settings import Settings
from web.auth.access import require_role
from web.db import db_session
from web.ui import bp

NUMBERS = ("min_sites", "remind_minutes", "escalate_after_minutes")


def _settings() -> Settings:
    settings: Settings = current_app.extensions["netops.settings"]
    return settings


def _lines(text: str) -> list[str]:
    return [p.strip() for p in text.splitlines() if p.strip()]


def _commas(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _blank() -> dict[str, Any]:
    return {"name": "", "urls": "", "districts": "", "site_kinds": [], "device_roles": [], "min_sites": "0",
            "when": "", "language": "en", "remind_minutes": "0", "escalate_after_minutes": "0",
            "escalate_to": "", "only_escalation": False, "editing": False}


def _filled(route: Route) -> dict[str, Any]:
    return {"name": route.name, "urls": "", "districts": ", ".join(sorted(route.districts)),
            "site_kinds": sorted(route.site_kinds), "device_roles": sorted(route.device_roles),
            "min_sites": str(route.min_sites), "when": "\n".join(w.text for w in route.when),
            "language": route.language, "remind_minutes": str(route.remind_minutes),
            "escalate_after_minutes": str(route.escalate_after_minutes),
            "escalate_to": route.escalate_to or "", "only_escalation": route.only_escalation, "editing": True}


def _submitted() -> dict[str, Any]:
    form = request.form
    out: dict[str, Any] = {k: (form.get(k) or "").strip() for k in
                           ("name", "urls", "districts", "when", "language", "escalate_to", *NUMBERS)}
    out["site_kinds"] = form.getlist("site_kinds")
    out["device_roles"] = form.getlist("device_roles")
    out["only_escalation"] = form.get("only_escalation") == "yes"
    out["editing"] = form.get("editing") == "yes"
    return out


def _spec(form: dict[str, Any], current: Route | None) -> dict[str, Any]:
    """The submitted form as a route spec; numbers checked here, the rest by the route parser."""
    name = form["name"] or "?"
    spec: dict[str, Any] = {
        "urls": _lines(form["urls"]) or (list(current.urls) if current else []),
        "districts": _commas(form["districts"]), "site_kinds": form["site_kinds"],
        "device_roles": form["device_roles"], "when": _lines(form["when"]), "language": form["language"],
        "escalate_to": form["escalate_to"] or None, "only_escalation": form["only_escalation"]}
    for key in NUMBERS:
        try:
            spec[key] = int(form[key] or 0)
        except ValueError:
            raise RouteError(f"route {name!r}, {key}: expected a whole number, got {form[key]!r}") from None
    return spec


def _page(form: dict[str, Any], error: str | None = None, status: int = 200) -> ResponseReturnValue:
    routes = all_routes(db_session(), _settings())
    return render_template("ui/routes.html", routes=routes, form=form, error=error, kinds=SITE_KINDS,
                           roles=DEVICE_ROLES, languages=LANGUAGES, shown_url=shown_url), status


@bp.route("/notifications/routes")
@require_role("admin")
def notification_routes() -> ResponseReturnValue:
    editing = request.args.get("edit")
    if editing:
        route = next((r for r in all_routes(db_session(), _settings()) if r.name == editing), None)
        if route is None or route.source != "ui":
            abort(404)
        return _page(_filled(route))
    return _page(_blank())


@bp.route("/notifications/routes", methods=["POST"])
@require_role("admin")
def notification_route_save() -> ResponseReturnValue:
    form = _submitted()
    session = db_session()
    known = {r.name: r for r in all_routes(session, _settings())}
    current = known.get(form["name"]) if form["editing"] else None
    if not form["editing"] and form["name"] in known:
        return _page(form, _("A route named %(name)s exists already.", name=form["name"]), 400)
    try:
        save_route(session, form["name"], _spec(form, current), g.user.name, utcnow(), _settings())
    except RouteError as exc:
        session.rollback()
        return _page(form, _("Not saved: %(reason)s", reason=str(exc)), 400)
    session.commit()
    flash(_("Route %(name)s saved.", name=form["name"]))
    return redirect(url_for("ui.notification_routes"))


@bp.route("/notifications/routes/<name>/delete", methods=["POST"])
@require_role("admin")
def notification_route_delete(name: str) -> ResponseReturnValue:
    session = db_session()
    if request.form.get("confirm") != "yes":
        flash(_("Tick “sure” to delete route %(name)s.", name=name))
        return redirect(url_for("ui.notification_routes"))
    try:
        delete_route(session, name, _settings())
    except RouteError as exc:
        session.rollback()
        flash(_("Not deleted: %(reason)s", reason=str(exc)))
        return redirect(url_for("ui.notification_routes"))
    session.commit()
    flash(_("Route %(name)s deleted.", name=name))
    return redirect(url_for("ui.notification_routes"))
