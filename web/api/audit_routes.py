"""``GET /api/v1/audit``: the audit log for admins, newest first, filtered and paged.

Read-only on purpose: no route edits or deletes an entry (only the retention job prunes them).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from netops import audit
from web.api import bp
from web.api.routes import _limit, query, returns
from web.audit import since_of
from web.auth.access import require_role
from web.db import db_session

_STR = {"type": "string"}
_ANY: dict[str, Any] = {"description": "the values before/after (secrets only as markers such as (set))"}
AUDIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
        "who": {**_STR, "description": "the user, or token:<prefix> (user) for an API token"},
        "user": _STR, "token": {"type": ["string", "null"]},
        "origin": {**_STR, "description": "client address, or cli:<os user>"},
        "action": _STR, "target": _STR, "before": _ANY, "after": _ANY,
    },
}


@bp.get("/audit")
@require_role("admin")
@returns(("AuditEntry", AUDIT_SCHEMA))
@query(since=("string", "only the last 30m, 12h, 7d ..."),
       user=("string", "only this user (and their tokens)"),
       action=("string", "only this action (user.role) or family (user)"),
       limit=("integer", "at most N (default 100, at most 1000)"), offset=("integer", "skip the first N"))
def audit_log() -> ResponseReturnValue:
    """Who changed what, when and from where (newest first)."""
    since_text = request.args.get("since")
    since = since_of(since_text)
    if since_text and since is None:
        raise BadRequest("since: write a span such as 30m, 12h or 7d")
    offset_text = request.args.get("offset", "0")
    if not offset_text.isdigit():
        raise BadRequest("offset: a number of entries to skip")
    wanted = audit.AuditFilter(since, request.args.get("user") or None, request.args.get("action") or None)
    rows = audit.list_entries(db_session(), wanted, limit=_limit(), offset=int(offset_text))
    return jsonify([r.to_json() for r in rows])
