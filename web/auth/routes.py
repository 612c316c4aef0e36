"""Login and logout pages, and the language switch (a CSRF-protected form like every other)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from netops.accounts import check_login, set_language
from web.auth.access import LoginThrottle
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


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("ui.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    throttle: LoginThrottle = current_app.extensions["netops.throttle"]
    if form.validate_on_submit():
        keys = (f"user:{form.name.data}", f"addr:{request.remote_addr}")
        if throttle.blocked(*keys):
            return render_template(
                "auth/login.html",
                form=form,
                error=_("Too many failed logins. Wait a few minutes and try again."),
            ), 429
        user = check_login(db_session(), str(form.name.data), str(form.password.data))
        if user is None:
            throttle.failed(*keys)
            return render_template("auth/login.html", form=form, error=_("Wrong user name or password.")), 401
        throttle.succeeded(f"user:{form.name.data}")
        lang = session.get("lang")
        session.clear()
        session.permanent = True
        session.update(user_id=user.id, login_at=time.time())
        if lang:
            session["lang"] = lang
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=None)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
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
