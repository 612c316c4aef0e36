"""Jobs (engineers: history, run now / pause / resume) and users (admins: list, add)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from netops.accounts import ROLES, AccountError, add_user, list_users
from web import history
from web.auth.access import require_role
from web.credentials import list_credentials
from web.db import db_session
from web.jobs import ACTIONS, UnknownJob, act, overview
from web.ui import bp


class ActionForm(FlaskForm):  # type: ignore[misc]
    """An empty form: only the CSRF token, for the job buttons."""


class UserForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("User name"), validators=[DataRequired(_l("Required.")), Length(max=100, message=_l("Too long."))]
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Required.")),
            Length(min=8, max=200, message=_l("At least 8 characters.")),
        ],
    )
    role = SelectField(_l("Role"), choices=[(r, r) for r in ROLES])


@bp.route("/jobs")
@require_role("engineer")
def jobs() -> ResponseReturnValue:
    session = db_session()
    control = current_app.extensions["netops.polling.scheduler"]
    return render_template(
        "ui/jobs.html",
        jobs=overview(history.job_statuses(session), history.overrun_counts(session), control),
        runs=history.job_runs(session, request.args.get("job"), limit=50),
        control=control is not None,
        form=ActionForm(),
    )


@bp.route("/jobs/<job>/<action>", methods=["POST"])
@require_role("engineer")
def job_action(job: str, action: str) -> ResponseReturnValue:
    control = current_app.extensions["netops.polling.scheduler"]
    if action not in ACTIONS:
        abort(404)
    if control is None:
        abort(503)
    try:
        act(control, job, action)
    except UnknownJob:
        abort(404)
    flash(_("Job %(job)s: %(action)s requested.", job=job, action=action))
    return redirect(url_for("ui.jobs"))


@bp.route("/credentials")
@require_role("admin")
def credentials() -> ResponseReturnValue:
    return render_template("ui/credentials.html", credentials=list_credentials(db_session()))


@bp.route("/users", methods=["GET", "POST"])
@require_role("admin")
def users() -> ResponseReturnValue:
    form = UserForm()
    session = db_session()
    if form.validate_on_submit():
        try:
            add_user(session, str(form.name.data), str(form.password.data), str(form.role.data))
            session.commit()
            flash(_("User %(name)s added.", name=form.name.data))
            return redirect(url_for("ui.users"))
        except AccountError:
            session.rollback()
            flash(_("User %(name)s already exists.", name=form.name.data))
    return render_template("ui/users.html", users=list_users(session), form=form)
