"""The users admin page's scope form: limit a user to districts, site kinds and named sites.

Entries as on the command line (``netops user scope``), separated by ";" or new lines; an empty
field clears the scope. A name that does not exist is refused with the nearest ones, and nothing
changes (``netops.accounts.set_scope``).
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from netops.accounts import AccountError, get_user, set_scope
from netops.scope import Scope, ScopeError
from web.auth.access import require_role
from web.db import db_session
from web.ui import bp
from web.ui.admin_pages import ActionForm

MAX_SCOPE_CHARS = 2000


@bp.route("/users/<int:user_id>/scope", methods=["POST"])
@require_role("admin")
def user_scope(user_id: int) -> ResponseReturnValue:
    session = db_session()
    user = get_user(session, user_id)
    if user is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    text = (request.form.get("scope") or "")[:MAX_SCOPE_CHARS]
    entries = [e.strip() for e in re.split(r"[;\n]", text) if e.strip()]
    try:
        changed = set_scope(session, user.name, Scope.parse(entries) or None)
    except (ScopeError, AccountError) as exc:
        session.rollback()
        flash(_("Not changed: %(reason)s", reason=str(exc)))
        return redirect(url_for("ui.users"))
    session.commit()
    if changed.scope:
        flash(_("%(name)s now sees only: %(scope)s", name=user.name, scope=changed.scope.describe()))
    else:
        flash(_("%(name)s sees every site.", name=user.name))
    return redirect(url_for("ui.users"))
