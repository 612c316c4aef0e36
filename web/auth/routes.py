"""Login and logout pages, and the language switch (a CSRF-protected form like every other).

Logout ends every session of the user, not only this browser's cookie. A successful login and a
logout are audit entries (``auth.login``/``auth.logout``); a failed login is not (the throttle
counts those, and a password typed into the name field must not be kept). ``next`` after login
(and after a language change) must be a path on this site without control characters: an
absolute or scheme-relative URL, a backslash (``/\\evil`` is ``//evil`` to browsers) or a
CR/LF is replaced by the dashboard.
"""

from __future__ import annotations

import time
import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from netops import audit
from netops.accounts import check_login, end_sessions, set_language
from web.auth import throttle
from web.auth.access import end_browser_session
from web.db import db_session
from web.extensions import LANGUAGES

bp = Blueprint("auth", __name__, url_prefix="/auth")


class LoginForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("User name"), validators=[DataRequired(_l("Required.")), Length(max=100, message=_l("Too long."))]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Required.")), Length(max=200, message=_l("Too long."))]
    )


class LanguageForm(FlaskForm):  # type: ignore[misc]
    lang = SelectField(_l("Language"), choices=list(LANGUAGES.items()))


def is_local_path(target: str) -> bool:
    """A path on this site: starts with one '/', no scheme or host, no backslash or control character."""
    if not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(unicodedata.category(ch) == "Cc" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _safe_next(target: str | None) -> str:
    return target if target and is_local_path(target) else url_for("ui.dashboard")


def _rules() -> throttle.ThrottleRules:
    config = current_app.config
    return throttle.ThrottleRules(
        pair_limit=int(config["LOGIN_MAX_FAILURES"]),
        pair_window_s=float(config["LOGIN_WINDOW_S"]),
        address_limit=int(config["LOGIN_ADDRESS_MAX_FAILURES"]),
        address_window_s=float(config["LOGIN_ADDRESS_WINDOW_S"]),
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        name, address, db, rules = str(form.name.data), request.remote_addr, db_session(), _rules()
        if throttle.blocked(db, rules, name, address):
            return render_template(
                "auth/login.html",
                form=form,
                error=_("Too many failed logins. Wait a few minutes and try again."),
            ), 429
        user = check_login(db, name, str(form.password.data))
        if user is None:
            throttle.failed(db, rules, name, address)
            return render_template("auth/login.html", form=form, error=_("Wrong user name or password.")), 401
        audit.record(db, audit.Actor(user.name, address or "unknown"), "auth.login", user.name)
        throttle.succeeded(db, name, address)  # commits
        end_browser_session(session)
        session.permanent = True
        session.update(user_id=user.id, login_at=time.time(), gen=user.generation)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=None)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    if g.get("user") is not None and not g.get("via_token"):
        end_sessions(db_session(), g.user.id)
        audit.record_change(db_session(), "auth.logout", g.user.name)
        db_session().commit()
    end_browser_session(session)
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language() -> ResponseReturnValue:
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if g.get("user") is not None:
            set_language(db_session(), g.user.id, str(form.lang.data))
            db_session().commit()
        flash(_("Language changed."))
    return redirect(_safe_next(request.form.get("next")))
