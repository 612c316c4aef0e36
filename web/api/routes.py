"""``/api/v1`` endpoints: thin views over the same read functions the pages use.

Each view declares the record type it returns (``@returns``) so ``web.api.openapi`` can
describe it; the OpenAPI document is generated from the registered routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, Conflict, NotFound

from inventory.models import DEVICE_ROLES
from netops import accounts
from netops.audit import record_change
from netops.scope import Scope, ScopeError
from web import composite, history, inventory_index, readers, scoping
from web.api import bp
from web.api.openapi import openapi_document
from web.api.serialize import to_json
from web.auth.access import require_role
from web.composite import district_map
from web.db import db_session
from web.history import EventView
from web.jobs import JobOverview, UnknownJob, act, overview
from web.latency import MAX_HOURS, LatencySeries, latency_series
from web.paging import searched
from web.readers import DEVICE_STATES, LINK_STATES
from web.views import DeviceView, InterfaceView, LinkView, SiteStatus

F = TypeVar("F", bound=Callable[..., Any])
_STR, _TIME = {"type": "string"}, {"type": "string", "format": "date-time"}
OUTAGE_SCHEMA: dict[str, Any] = {  # the monitor's one JSON shape (netops.monitor.queries.OutageView.to_json)
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "root_cause": {"type": "object", "properties": {"type": _STR, "name": _STR}},
        "affected_sites": {"type": "array", "items": _STR},
        "affected_devices": {"type": "array", "items": _STR},
        "degraded_sites": {"type": "array", "items": _STR},
        "cause": {"type": "object", "description": "the root cause in plain words, per language (en, id)",
                  "additionalProperties": _STR},
        "evidence": {"anyOf": [_STR, {"type": "null"}]},
        "started_at": _TIME,
        "ended_at": {"anyOf": [_TIME, {"type": "null"}]},
        "duration_s": {"type": "number"},
        "flapping": {"type": "boolean"},
        "planned": {"type": "boolean", "description": "inside planned works: no notification"},
        "maintenance_id": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "acknowledged_by": {"anyOf": [_STR, {"type": "null"}]},
        "acknowledged_at": {"anyOf": [_TIME, {"type": "null"}]},
        "assignee": {"anyOf": [_STR, {"type": "null"}]},
        "notes": {"type": "array", "items": {"type": "object", "properties": {"by": _STR, "at": _TIME,
                                                                               "text": _STR}}},
    },
}


def returns(record: type | tuple[str, dict[str, Any]], many: bool = True) -> Callable[[F], F]:
    def mark(view: F) -> F:
        view.returns = (record, many)  # type: ignore[attr-defined]
        return view

    return mark


def paged(view: F) -> F:
    """Mark a list answered a page at a time (``_paged``): the OpenAPI builder documents its
    ``Link`` and ``X-Total-Count`` headers and its 400 for a bad ``limit``, ``offset`` or filter."""
    view.paged = True  # type: ignore[attr-defined]
    return view


def query(**params: tuple[str, str]) -> Callable[[F], F]:
    """Document query parameters: ``name=(json type, description)`` (read by the OpenAPI builder)."""

    def mark(view: F) -> F:
        view.query_params = params  # type: ignore[attr-defined]
        return view

    return mark


def _limit(default: int = 100, most: int = 1000) -> int:
    try:
        return max(1, min(most, int(request.args.get("limit", default))))
    except ValueError:
        abort(400)


@bp.get("/sites")
@require_role("helpdesk", scoped=True)
@returns(SiteStatus)
@paged
@query(state=("string", "only sites in this state: online, degraded, offline, unknown"),
       district=("string", "only sites of this district"), kind=("string", "only sites of this kind"),
       limit=("integer", "at most N sites (default: all)"), offset=("integer", "skip the first N sites"))
def sites() -> ResponseReturnValue:
    """Sites with their connectivity (online, degraded, offline), cause and path to the core.

    The cause is in plain words in the request's language (Accept-Language: en or id). Sorted
    by name; filter with ``state``, ``district``, ``kind`` and page with ``limit``/``offset``.
    """
    session = db_session()
    rows = (to_json(scoping.statuses(composite.site_statuses(session))) if scoping.scoped()
            else composite.site_statuses_json(session, to_json))
    state, district, kind = (request.args.get(k) for k in ("state", "district", "kind"))
    if state or district or kind:
        rows = [r for r in rows if (not state or r["state"] == state)
                and (not kind or r["site"]["kind"] == kind)
                and (not district or r["site"]["district"] == district)]
    offset = _count("offset", 0)
    limit = _count("limit", len(rows))
    return _paged(rows[offset : offset + limit], len(rows), offset, limit)


MAX_COUNT_DIGITS = 9


def _count(name: str, default: int) -> int:
    """A non-negative whole-number query parameter, or 400 naming it."""
    text = request.args.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_COUNT_DIGITS:
        raise BadRequest(f"{name}: expected a whole number, got {text[:20]!r}")
    return int(text)


def _paged(rows: list[Any], total: int, offset: int, limit: int) -> Response:
    """One page of a list: the rows as the body (a JSON array, as before paging), ``X-Total-Count``
    the rows of the whole list, ``Link`` the next and previous pages (``rel="next"``/``"prev"``,
    absent at either end), each with the same filters."""
    answer = jsonify(rows)
    answer.headers["X-Total-Count"] = str(total)
    links = []
    if limit and offset + limit < total:
        links.append(f'<{_page_url(offset + limit, limit)}>; rel="next"')
    if limit and offset > 0:
        links.append(f'<{_page_url(max(0, min(offset, total) - limit), limit)}>; rel="prev"')
    if links:
        answer.headers["Link"] = ", ".join(links)
    return answer


def _page_url(offset: int, limit: int) -> str:
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("offset", "limit")]
    return f"{request.base_url}?{urlencode([*kept, ('limit', limit), ('offset', offset)])}"


PER_PAGE, MAX_PER_PAGE = 100, 1000  # the long lists (devices, links), as NetBox pages its lists


def _page_bounds() -> tuple[int, int]:
    """``limit`` (1 to MAX_PER_PAGE, default PER_PAGE) and ``offset`` of a paged list, or 400."""
    limit = _count("limit", PER_PAGE)
    if not 1 <= limit <= MAX_PER_PAGE:
        raise BadRequest(f"limit: from 1 to {MAX_PER_PAGE}, got {limit}")
    return limit, _count("offset", 0)


def _one_of(name: str, allowed: tuple[str, ...]) -> str | None:
    text = request.args.get(name)
    if text is None or text == "":
        return None
    if text not in allowed:
        raise BadRequest(f"{name}: one of {', '.join(allowed)}, got {text[:20]!r}")
    return text


@bp.get("/devices")
@require_role("helpdesk", scoped=True)
@returns(DeviceView)
@paged
@query(q=("string", "only devices whose name, address, site, platform, role, state or sysName hold "
                    "every word (case-insensitive, as the inventory's search)"),
       role=("string", f"only devices of this role: {', '.join(DEVICE_ROLES)}"),
       district=("string", "only devices at a site of this district"),
       state=("string", f"only devices in this state: {', '.join(DEVICE_STATES)}"),
       limit=("integer", f"at most N devices, 1 to {MAX_PER_PAGE} (default {PER_PAGE})"),
       offset=("integer", "skip the first N devices (default 0)"))
def devices() -> ResponseReturnValue:
    """Devices with site, sysName and current state, by name, a page at a time.

    ``limit``/``offset`` page the list (100 a page unless asked; the ``Link`` header names the
    next and previous pages, ``X-Total-Count`` the devices that match); ``q``, ``role``,
    ``district`` and ``state`` filter it. A scoped login gets its own devices and counts.
    """
    limit, offset = _page_bounds()
    role, state = _one_of("role", DEVICE_ROLES), _one_of("state", DEVICE_STATES)
    district = request.args.get("district") or None
    session = db_session()
    rows = [d for d in searched(inventory_index.devices(session), request.args.get("q", ""))
            if (role is None or d.role == role) and (state is None or d.state == state)
            and (district is None or d.district == district)]
    shown = inventory_index.fresh_devices(session, rows[offset : offset + limit])
    return _paged(to_json(shown), len(rows), offset, limit)


@bp.get("/devices/<name>/latency")
@require_role("helpdesk", scoped=True)
@returns(LatencySeries, many=False)
@query(hours=("integer", f"the last N hours, 1 to {MAX_HOURS} (default 24)"))
def device_latency(name: str) -> ResponseReturnValue:
    """A device's round trip time and packet loss over time (Smokeping-style data).

    One point per ICMP burst of a status poll for windows up to 48 hours (``rtt_ms``: the burst's
    mean), one per hour beyond (``rtt_ms``: the hour's median); ``resolution`` says which.
    """
    text = request.args.get("hours", "24")
    if not text.isdigit() or not 1 <= int(text) <= MAX_HOURS:
        raise BadRequest(f"hours: expected a whole number from 1 to {MAX_HOURS}, got {text[:20]!r}")
    series = latency_series(db_session(), name, int(text))
    if series is None or (scoping.scoped() and not scoping.device_names([name])):
        raise NotFound(f"no device named {name[:100]!r}")
    return jsonify(to_json(series))


@bp.get("/interfaces")
@require_role("engineer", scoped=True)
@returns(InterfaceView)
@paged
@query(device=("string", "only this device's interfaces (all of them unless limit is given)"),
       limit=("integer", f"at most N interfaces, 1 to {MAX_PER_PAGE} (default {PER_PAGE}; with device: all)"),
       offset=("integer", "skip the first N interfaces (default 0)"))
def interfaces() -> ResponseReturnValue:
    """Interfaces with state, rates, errors and optics, by device and port (natural order).

    The whole province's list (tens of thousands of ports) is paged as ``/devices``; one device's
    ports (``?device=NAME``) come whole unless ``limit`` is given.
    """
    device = request.args.get("device")
    session = db_session()
    if device is not None:
        rows = scoping.interfaces(readers.list_interfaces(session, device))
        limit, offset = _page_bounds() if "limit" in request.args else (len(rows), _count("offset", 0))
        return _paged(to_json(rows[offset : offset + limit]), len(rows), offset, limit)
    limit, offset = _page_bounds()
    counts = readers.interface_counts(session)
    if scoping.scoped():
        inside = set(scoping.device_names(name for name, _ in counts))
        counts = [(name, n) for name, n in counts if name in inside]
    window: list[str] = []
    start = seen = 0  # the devices whose ports fall in [offset, offset + limit)
    for name, n in counts:
        if seen + n > offset and seen < offset + limit:
            if not window:
                start = seen
            window.append(name)
        seen += n
    rows = scoping.interfaces(readers.list_interfaces(session, devices=window)) if window else []
    return _paged(to_json(rows[offset - start : offset - start + limit]), seen, offset, limit)


@bp.get("/links")
@require_role("engineer", scoped=True)
@returns(LinkView)
@paged
@query(q=("string", "only links whose ends, medium, source or state hold every word (case-insensitive, "
                    "as the inventory's search)"),
       device=("string", "only links with an end on this device"),
       state=("string", f"only links in this state: {', '.join(LINK_STATES)}"),
       limit=("integer", f"at most N links, 1 to {MAX_PER_PAGE} (default {PER_PAGE})"),
       offset=("integer", "skip the first N links (default 0)"))
def links() -> ResponseReturnValue:
    """Links, declared and discovered, with state and utilisation, by A end and port, a page at a time.

    Paged as ``/devices`` (``limit``/``offset``, ``Link`` and ``X-Total-Count``); ``q``,
    ``device`` and ``state`` filter. A scoped login gets the links with an end in its scope,
    the other end shown as ….
    """
    limit, offset = _page_bounds()
    state, device = _one_of("state", LINK_STATES), request.args.get("device") or None
    session = db_session()
    rows = [lk for lk in searched(inventory_index.links(session), request.args.get("q", ""))
            if (state is None or lk.state == state)
            and (device is None or device in (lk.a_device, lk.b_device))]
    shown = inventory_index.fresh_links(session, rows[offset : offset + limit])
    return _paged(to_json(shown), len(rows), offset, limit)


@bp.get("/topology")
@require_role("engineer", scoped=True)
@query(level=("string", "district: one node per district with device counts by state, and the "
                        "links between districts (the zoomed-out map of a province)"))
def topology() -> ResponseReturnValue:
    """The network as node-link JSON with map positions and states (``?level=district``: by district)."""
    session = db_session()
    topo = scoping.topology(composite.topology(session))  # a scoped login's part, memoised apart
    district_level = request.args.get("level") == "district"

    def made() -> dict[str, Any]:
        return {
            "directed": False,
            "multigraph": True,
            "nodes": [to_json(n) | {"id": n.name} for n in topo.nodes],
            "links": [to_json(lk) | {"source": lk.a_device, "target": lk.b_device} for lk in topo.links],
            "districts": list(topo.districts),
        }

    if district_level:
        return jsonify(composite.memo(("topology_districts_json", scoping.key()),
                                      lambda: to_json(district_map(topo))))
    return jsonify(composite.memo(("topology_json", scoping.key()), made))


@bp.get("/outages")
@require_role("helpdesk", scoped=True)
@returns(("Outage", OUTAGE_SCHEMA))
@query(active=("boolean", "true: open outages only; false: closed ones only"), limit=("integer", "at most N"))
def outages() -> ResponseReturnValue:
    """Outages newest first; ?active=true|false filters open or closed ones."""
    flag = request.args.get("active")
    active = None if flag is None else flag.lower() in ("1", "true", "yes")
    outages = scoping.outages(history.list_outages(db_session(), active=active, limit=_limit(500, 5000)))
    return jsonify([o.to_json() for o in outages])


@bp.get("/events")
@require_role("helpdesk", scoped=True)
@returns(EventView)
@query(limit=("integer", "at most N (default 100)"))
def events() -> ResponseReturnValue:
    """Recent state changes, newest first (?limit=N)."""
    return jsonify(to_json(scoping.recent_events(db_session(), _limit())))


@bp.get("/jobs")
@require_role("engineer")
@returns(JobOverview)
def jobs() -> ResponseReturnValue:
    """Polling jobs: last run, duration, result, next run, paused, overruns."""
    session = db_session()
    return jsonify(
        to_json(
            overview(
                history.job_statuses(session),
                history.overrun_counts(session),
                current_app.extensions["netops.polling.scheduler"],
            )
        )
    )


def _job_action(job: str, action: str) -> ResponseReturnValue:
    control = current_app.extensions["netops.polling.scheduler"]
    if control is None:
        abort(503)
    try:
        act(control, job, action)
    except UnknownJob:
        abort(404)
    record_change(db_session(), f"job.{action}", job)
    db_session().commit()
    return jsonify({"job": job, "action": action, "accepted": True}), 202


@bp.post("/jobs/<job>/run")
@require_role("engineer")
def job_run(job: str) -> ResponseReturnValue:
    """Run a job now (the scheduler runs it; the web never polls)."""
    return _job_action(job, "run")


@bp.post("/jobs/<job>/pause")
@require_role("engineer")
def job_pause(job: str) -> ResponseReturnValue:
    """Pause a job."""
    return _job_action(job, "pause")


@bp.post("/jobs/<job>/resume")
@require_role("engineer")
def job_resume(job: str) -> ResponseReturnValue:
    """Resume a paused job."""
    return _job_action(job, "resume")


@dataclass(frozen=True, slots=True)
class UserView:
    """A web user as the API shows it (never the password hash)."""

    name: str
    role: str
    language: str | None
    enabled: bool
    created_at: datetime | None
    scope: list[str] | None = None  # ["district=Magelang Utara", "kind=school"]; null: sees everything


def _user_view(user: accounts.CurrentUser) -> UserView:
    return UserView(user.name, user.role, user.language, user.enabled, user.created_at,
                    user.scope.entries() if user.scope else None)


def describe(body: dict[str, Any] | None = None, **responses: str) -> Callable[[F], F]:
    """Document a request body and the answers (``_201="Created"``) for the OpenAPI builder."""

    def mark(view: F) -> F:
        view.request_schema = body  # type: ignore[attr-defined]
        view.responses = {code.lstrip("_"): text for code, text in responses.items()}  # type: ignore[attr-defined]
        return view

    return mark


_ROLE = {"type": "string", "enum": list(accounts.ROLES)}
_PASSWORD = {"type": "string", "minLength": accounts.MIN_PASSWORD}
_SCOPE = {"anyOf": [{"type": "array", "items": _STR}, {"type": "null"}],
          "description": "district=NAME, kind=KIND or site=NAME entries; null or []: sees everything"}
NEW_USER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "password", "role"],
    "properties": {"name": _STR, "password": _PASSWORD, "role": _ROLE, "language": {"enum": ["en", "id"]},
                   "scope": _SCOPE},
}
USER_CHANGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"role": _ROLE, "enabled": {"type": "boolean"}, "password": _PASSWORD, "scope": _SCOPE},
}


def _scope_of(body: dict[str, Any]) -> Scope | None:
    value = body.get("scope")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest("scope must be a list of district=NAME, kind=KIND or site=NAME strings")
    try:
        return Scope.parse(value) or None
    except ScopeError as exc:
        raise BadRequest(str(exc)) from None


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object")
    return body


def _account_call(call: Callable[[], Any]) -> Any:
    """Run an accounts change and commit it; user mistakes become 400, 404 or 409 answers."""
    session = db_session()
    try:
        result = call()
        session.commit()
    except accounts.UnknownUser as exc:
        session.rollback()
        raise NotFound(str(exc)) from None
    except (accounts.LastAdmin, accounts.UserExists) as exc:
        session.rollback()
        raise Conflict(str(exc)) from None
    except accounts.AccountError as exc:
        session.rollback()
        raise BadRequest(str(exc)) from None
    return result


@bp.get("/users")
@require_role("admin")
@returns(UserView)
def users() -> ResponseReturnValue:
    """Web users with role, language and whether they may log in."""
    return jsonify(to_json([_user_view(u) for u in accounts.list_users(db_session())]))


@bp.post("/users")
@require_role("admin")
@returns(UserView, many=False)
@describe(NEW_USER_SCHEMA, _201="Created", _400="Invalid name, password or role", _409="Exists")
def user_add() -> ResponseReturnValue:
    """Add a user (password at least 8 characters)."""
    body = _body()
    name, password, role = (body.get(key) for key in ("name", "password", "role"))
    if not (isinstance(name, str) and isinstance(password, str) and isinstance(role, str)):
        raise BadRequest("name, password and role are required strings")
    language = body.get("language")
    if language not in (None, "en", "id"):
        raise BadRequest("language must be en or id")
    scope = _scope_of(body)
    session = db_session()
    user = _account_call(lambda: accounts.add_user(session, name, password, role, language, scope))
    return jsonify(to_json(_user_view(user))), 201


@bp.patch("/users/<name>")
@require_role("admin")
@returns(UserView, many=False)
@describe(USER_CHANGE_SCHEMA, _200="Changed", _400="Invalid value", _404="No such user",
          _409="The last enabled admin cannot be demoted or disabled")
def user_change(name: str) -> ResponseReturnValue:
    """Change a user's role, password, enabled state (all but enabling end their sessions) or scope."""
    body = _body()
    unknown = set(body) - {"role", "enabled", "password", "scope"}
    if unknown or not body:
        raise BadRequest("send one or more of: role, enabled, password, scope")
    scope = _scope_of(body)
    if "enabled" in body and not isinstance(body["enabled"], bool):
        raise BadRequest("enabled must be true or false")
    if any(key in body and not isinstance(body[key], str) for key in ("role", "password")):
        raise BadRequest("role and password must be strings")
    session = db_session()

    def change() -> accounts.CurrentUser:
        user = accounts.find_user(session, name)
        if "scope" in body and scope is None:  # cleared first: the user may become an admin below
            user = accounts.set_scope(session, name, None)
        if "role" in body:
            user = accounts.set_role(session, name, body["role"])
        if "password" in body:
            user = accounts.set_password(session, name, body["password"])
        if "enabled" in body:
            user = accounts.set_enabled(session, name, body["enabled"])
        if "scope" in body and scope is not None:
            user = accounts.set_scope(session, name, scope)
        return user

    return jsonify(to_json(_user_view(_account_call(change))))


@bp.delete("/users/<name>")
@require_role("admin")
@describe(_204="Deleted", _404="No such user", _409="The last enabled admin cannot be deleted")
def user_delete(name: str) -> ResponseReturnValue:
    """Delete a user and their API tokens."""
    _account_call(lambda: accounts.delete_user(db_session(), name))
    return "", 204


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """This document (public: it holds no data)."""
    return jsonify(openapi_document(current_app))
