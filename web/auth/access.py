"""Who is asking, and may they? Session or Bearer-token login, and role checks.

Every request gets ``g.user`` (a ``CurrentUser`` or None). API calls without a user get a
401 JSON answer, calls beyond the role a 403 JSON answer; pages redirect to the login form
or show the 403 page. Sessions expire after ``web.session_minutes`` counted from login, and
end at once when the user's session generation moves on (logout, new password or role,
disabled, deleted): the session cookie is then cleared, CSRF token included.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, redirect, request, session, url_for
from flask.sessions import SessionMixin

from netops.accounts import get_user, user_for_token
from web.db import db_session

F = TypeVar("F", bound=Callable[..., Any])


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def load_current_user() -> None:
    g.user = None
    g.via_token = False
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.user = user_for_token(db_session(), header[7:].strip())
        g.via_token = g.user is not None
        if g.via_token and db_session().dirty:
            db_session().commit()
        return
    user_id = session.get("user_id")
    if user_id is None:
        return
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if time.time() - float(session.get("login_at", 0)) > lifetime:
        end_browser_session(session)
        return
    user = get_user(db_session(), int(user_id))
    if user is None or not user.enabled or session.get("gen") != user.generation:
        end_browser_session(session)
        return
    g.user = user


def end_browser_session(cookie: SessionMixin) -> None:
    """Forget who is logged in (and the CSRF token bound to that login); keep the language."""
    lang = cookie.get("lang")
    cookie.clear()
    if lang:
        cookie["lang"] = lang


def require_role(role: str, *, scoped: bool = False) -> Callable[[F], F]:
    """Decorator: the view needs a logged-in user with at least ``role``.

    ``scoped=True``: the view applies the user's scope (``web.scoping``); without it a user limited
    to a scope gets 403, so no route shows a scoped user more than it should by being forgotten.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = g.get("user")
            if user is None:
                if wants_json():
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not user.has_role(role) or (user.scope and not scoped):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]
        wrapped.scope_aware = scoped  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorate
