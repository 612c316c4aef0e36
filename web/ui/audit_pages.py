"""The audit log page for admins: who changed what, when and from where, filtered and paged.

Read-only: the page has no form that edits or deletes an entry, and no such route exists.
Values are shown as compact JSON text (escaped like every other text).
"""

from __future__ import annotations

import json
from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue

from netops import audit
from web.audit import SINCE_CHOICES, since_of
from web.auth.access import require_role
from web.db import db_session
from web.paging import page_number, paginate_count
from web.ui import bp

PER_PAGE = 50


def _text(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@bp.route("/audit")
@require_role("admin")
def audit_page() -> ResponseReturnValue:
    session = db_session()
    since = request.args.get("since", "7d")
    if since not in SINCE_CHOICES and since != "all":
        since = "7d"
    user = (request.args.get("user") or "").strip()[:100]
    action = (request.args.get("action") or "").strip()[:60]
    wanted = audit.AuditFilter(since_of(since) if since != "all" else None, user or None, action or None)
    total = audit.count_entries(session, wanted)
    page = paginate_count(total, page_number(request.args.get("page")), PER_PAGE)
    rows = [(e, _text(e.before), _text(e.after))
            for e in audit.list_entries(session, wanted, limit=PER_PAGE, offset=page.offset)]
    return render_template("ui/audit.html", rows=rows, page=page, since=since, user=user, action=action,
                           actions=audit.actions(session), since_choices=list(SINCE_CHOICES))
