"""``/api/v1/maintenance`` and ``/api/v1/outages/<id>/ack|notes|assign|timeline``.

Planned works are created and ended by engineers (the answer carries the stored blast radius;
``"preview": true`` answers it without saving); everyone logged in sees them. The help desk
may acknowledge an outage and add notes (they take the calls); assigning is for engineers.
The acting user is the one logged in (session or token), never a field of the body.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, NotFound

from web import history, operations, scoping
from web.api import bp
from web.api.routes import _body, describe, query, returns
from web.auth.access import require_role
from web.db import db_session

_STR, _TIME = {"type": "string"}, {"type": "string", "format": "date-time"}
_RADIUS = {"type": "array", "items": {"type": "object", "properties": {
    "site": _STR, "effect": {"enum": ["disconnected", "degraded"]}}}}
WINDOW_SCHEMA: dict[str, Any] = {  # netops.monitor.maintenance.WindowView.to_json
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "scope": {"enum": ["device", "link", "site", "district", "network"]},
        "target": _STR, "starts_at": _TIME, "ends_at": _TIME, "rrule": {"anyOf": [_STR, {"type": "null"}]},
        "reason": _STR, "created_by": _STR, "created_at": _TIME,
        "ended_at": {"anyOf": [_TIME, {"type": "null"}]},
        "active": {"type": "boolean"}, "current_end": {"anyOf": [_TIME, {"type": "null"}]},
        "next_start": {"anyOf": [_TIME, {"type": "null"}]}, "blast_radius": _RADIUS,
    },
}
NEW_WINDOW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["scope", "reason"],
    "properties": {
        "scope": {"enum": ["device", "link", "site", "district", "network"]},
        "target": {**_STR, "description": "device name, DEV:PORT,DEV:PORT, site or district name"},
        "start": {**_STR, "description": "ISO-8601 (default now; no offset: web.timezone)"},
        "end": _STR, "duration_minutes": {"type": "integer", "minimum": 1},
        "reason": _STR, "rrule": {**_STR, "description": "RFC 5545, e.g. FREQ=WEEKLY;BYDAY=SU"},
        "preview": {"type": "boolean", "description": "answer the blast radius without saving"},
    },
}
ENTRY_SCHEMA: dict[str, Any] = {  # netops.monitor.timeline.Entry.to_json
    "type": "object",
    "properties": {"at": _TIME, "kind": _STR, "by": {"anyOf": [_STR, {"type": "null"}]}, "text": _STR,
                   "maintenance_id": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
}


def _time(text: object, what: str) -> datetime:
    if not isinstance(text, str):
        raise BadRequest(f"{what} must be an ISO-8601 string")
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{what}: not an ISO-8601 time") from None
    zone = ZoneInfo(current_app.extensions["netops.settings"].web.timezone)
    return at if at.tzinfo else at.replace(tzinfo=zone)


def _text(body: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    return value


@bp.get("/maintenance")
@require_role("helpdesk", scoped=True)
@returns(("MaintenanceWindow", WINDOW_SCHEMA))
@query(all=("boolean", "true: past works too"))
def maintenance_list() -> ResponseReturnValue:
    """Planned works in progress and to come, each with its blast radius."""
    past = request.args.get("all", "").lower() in ("1", "true", "yes")
    shown = scoping.windows(operations.windows(db_session(), include_past=past))
    return jsonify([w.to_json() for w in shown])


@bp.post("/maintenance")
@require_role("engineer")
@returns(("MaintenanceWindow", WINDOW_SCHEMA), many=False)
@describe(NEW_WINDOW_SCHEMA, _201="Created, with its blast radius", _200="Preview (not saved)",
          _400="Unknown name (with the nearest ones), bad times or rule")
def maintenance_add() -> ResponseReturnValue:
    """Plan works: the blast radius is computed from the assessment and stored with them."""
    body = _body()
    scope, target = _text(body, "scope"), _text(body, "target", required=False) or ""
    assert scope is not None
    session = db_session()
    try:
        if body.get("preview") is True:
            return jsonify(operations.preview(scope, target).to_json())
        starts_at = _time(body["start"], "start") if body.get("start") is not None else operations._now()
        if body.get("end") is not None:
            ends_at = _time(body["end"], "end")
        elif isinstance(body.get("duration_minutes"), int) and body["duration_minutes"] > 0:
            ends_at = starts_at + timedelta(minutes=body["duration_minutes"])
        else:
            raise BadRequest("give end or duration_minutes")
        window = operations.create(session, kind=scope, target=target, starts_at=starts_at, ends_at=ends_at,
                                   reason=_text(body, "reason") or "", by=g.user.name,
                                   rrule=_text(body, "rrule", required=False))
        session.commit()
    except operations.MaintenanceError as exc:
        session.rollback()
        raise BadRequest(str(exc)) from None
    return jsonify(window.to_json()), 201


@bp.post("/maintenance/<int:window_id>/end")
@require_role("engineer")
@returns(("MaintenanceWindow", WINDOW_SCHEMA), many=False)
@describe(_200="Ended", _404="No such works or already ended")
def maintenance_end(window_id: int) -> ResponseReturnValue:
    """End planned works now; a site still down then opens a normal outage that notifies."""
    session = db_session()
    try:
        window = operations.end(session, window_id)
        session.commit()
    except operations.MaintenanceError as exc:
        session.rollback()
        raise NotFound(str(exc)) from None
    return jsonify(window.to_json())


def _handle(call: Any) -> ResponseReturnValue:
    session = db_session()
    if scoping.scoped():  # an outage outside the scope does not exist for this user
        scoping.require_outage(history.get_outage(session, (request.view_args or {})["outage_id"]))
    try:
        call(session)
        session.commit()
    except operations.UnknownOutage as exc:
        session.rollback()
        raise NotFound(str(exc)) from None
    except operations.HandlingError as exc:
        session.rollback()
        raise BadRequest(str(exc)) from None
    return jsonify({"ok": True})


@bp.post("/outages/<int:outage_id>/ack")
@require_role("helpdesk", scoped=True)
@describe({"type": "object", "properties": {"note": _STR}}, _200="Acknowledged", _404="No such outage")
def outage_ack(outage_id: int) -> ResponseReturnValue:
    """Take an outage (the first acknowledgement stays), optionally with a note."""
    body = request.get_json(silent=True) or {}
    note = _text(body, "note", required=False) if isinstance(body, dict) else None
    return _handle(lambda s: operations.acknowledge(s, outage_id, g.user.name, note))


@bp.post("/outages/<int:outage_id>/notes")
@require_role("helpdesk", scoped=True)
@describe({"type": "object", "required": ["text"], "properties": {"text": _STR}}, _200="Added",
          _400="Empty or too long", _404="No such outage")
def outage_note(outage_id: int) -> ResponseReturnValue:
    """Add a note to the outage's timeline."""
    text = _text(_body(), "text") or ""
    return _handle(lambda s: operations.add_note(s, outage_id, g.user.name, text))


@bp.post("/outages/<int:outage_id>/assign")
@require_role("engineer", scoped=True)
@describe({"type": "object", "required": ["user"], "properties": {"user": _STR}}, _200="Assigned",
          _404="No such outage")
def outage_assign(outage_id: int) -> ResponseReturnValue:
    """Give the outage to someone."""
    user = _text(_body(), "user") or ""
    return _handle(lambda s: operations.assign(s, outage_id, user, g.user.name))


@bp.get("/outages/<int:outage_id>/timeline")
@require_role("helpdesk", scoped=True)
@returns(("TimelineEntry", ENTRY_SCHEMA))
def outage_timeline(outage_id: int) -> ResponseReturnValue:
    """What happened to the outage, oldest first: opened, acknowledged, notes, messages, closed."""
    session = db_session()
    if scoping.scoped():
        scoping.require_outage(history.get_outage(session, outage_id))
    return jsonify([e.to_json() for e in scoping.entries(operations.entries(session, outage_id))])
