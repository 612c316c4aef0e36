"""Jobs (engineers: history, run now / pause / resume) and users (admins: list, add, change
role, disable/enable, reset password, delete).

A user change that ends the user's sessions (role, password, disable, delete) takes effect on
their next request. The last enabled admin cannot be demoted, disabled or deleted; the page
says so. An admin resetting their own password stays logged in here (other sessions end).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from netops.accounts import (
    MIN_PASSWORD,
    ROLES,
    AccountError,
    CurrentUser,
    LastAdmin,
    add_user,
    delete_user,
    get_user,
    list_users,
    set_enabled,
    set_password,
    set_role,
)
from netops.audit import record_change
from netops.settings import Settings
from web import history
from web.auth.access import require_role
from web.credentials import list_credentials
from web.db import db_session
from web.jobs import ACTIONS, UnknownJob, act, cycle_progress, job_rows, overview, window_of
from web.paging import page_number, paginate_count
from web.ui import bp

RUNS_PER_PAGE = 25


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
    """The jobs with their state and buttons, and the run history: cycles by default, the trap
    polls apart (``?runs=traps|all``), one job's history with ``?job=``."""
    session = db_session()
    control = current_app.extensions["netops.polling.scheduler"]
    settings: Settings = current_app.extensions["netops.settings"]
    job = request.args.get("job") or None
    shown = request.args.get("runs", "cycles")
    if shown not in history.RUN_FILTERS:
        shown = "cycles"
    now = datetime.now(UTC)
    listed = overview(history.job_statuses(session), history.overrun_counts(session), control)
    cycles = history.last_cycles(session)
    page = paginate_count(history.count_runs(session, job, shown), page_number(request.args.get("page")),
                          RUNS_PER_PAGE)
    runs = history.filtered_runs(session, job, shown, limit=RUNS_PER_PAGE, offset=page.offset)
    running = {r.id: r for r in [*cycles.values(), *runs] if r.result == "running"}
    done = history.devices_done(session, list(running))
    planned = history.planned_sizes(session)
    intervals = {j.name: j.interval_s for j in listed}
    traps = history.trap_poll_counts(session, now - timedelta(hours=24))
    rows = job_rows(listed, cycles, done, planned, traps, settings.polling.spread, now)
    progress = {
        run.id: cycle_progress(run, done.get(run.id, 0), planned.get(run.job),
                               window_of(intervals.get(run.job), settings.polling.spread), now)
        for run in running.values()
    }
    return render_template(
        "ui/jobs.html",
        jobs=rows,
        runs=runs,
        runs_page=page,
        progress=progress,
        job=job,
        shown=shown,
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
    record_change(db_session(), f"job.{action}", job)
    db_session().commit()
    done = {
        "run": _("Job %(job)s: a run was requested.", job=job),
        "pause": _("Job %(job)s paused.", job=job),
        "resume": _("Job %(job)s resumed.", job=job),
    }
    flash(done[action])
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
    return render_template(
        "ui/users.html", users=list_users(session), form=form, roles=ROLES, min_password=MIN_PASSWORD
    )


class RoleForm(FlaskForm):  # type: ignore[misc]
    role = SelectField(_l("Role"), choices=[(r, r) for r in ROLES])


class PasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Required.")),
            Length(min=MIN_PASSWORD, max=200, message=_l("At least 8 characters.")),
        ],
    )


def _target(user_id: int) -> CurrentUser:
    user = get_user(db_session(), user_id)
    if user is None:
        abort(404)
    return user


def _commit(done: str) -> ResponseReturnValue:
    """Commit the user change the view made, say what was done, back to the list."""
    db_session().commit()
    flash(done)
    return redirect(url_for("ui.users"))


def _refused(exc: AccountError, user: CurrentUser) -> ResponseReturnValue:
    db_session().rollback()
    if isinstance(exc, LastAdmin):
        flash(_("%(name)s is the last enabled admin: add or enable another admin first.", name=user.name))
    else:
        flash(_("Not changed: %(reason)s", reason=str(exc)))
    return redirect(url_for("ui.users"))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@require_role("admin")
def user_role(user_id: int) -> ResponseReturnValue:
    user, form = _target(user_id), RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        set_role(db_session(), user.name, str(form.role.data))
    except AccountError as exc:
        return _refused(exc, user)
    return _commit(_("%(name)s is now %(role)s.", name=user.name, role=form.role.data))


@bp.route("/users/<int:user_id>/enabled", methods=["POST"])
@require_role("admin")
def user_enabled(user_id: int) -> ResponseReturnValue:
    user = _target(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    enabled = request.form.get("enabled") == "1"
    try:
        set_enabled(db_session(), user.name, enabled)
    except AccountError as exc:
        return _refused(exc, user)
    done = _("%(name)s enabled.", name=user.name) if enabled else _("%(name)s disabled.", name=user.name)
    return _commit(done)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require_role("admin")
def user_password(user_id: int) -> ResponseReturnValue:
    user, form = _target(user_id), PasswordForm()
    if not form.validate_on_submit():
        flash(_("Password not changed: at least 8 characters."))
        return redirect(url_for("ui.users"))
    try:
        changed = set_password(db_session(), user.name, str(form.password.data))
    except AccountError as exc:
        return _refused(exc, user)
    response = _commit(_("Password of %(name)s reset.", name=user.name))
    if user.id == g.user.id:
        session["gen"] = changed.generation  # keep this session; the others end
    return response


@bp.route("/users/<int:user_id>/delete", methods=["POST"])
@require_role("admin")
def user_delete(user_id: int) -> ResponseReturnValue:
    user = _target(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm deleting %(name)s.", name=user.name))
        return redirect(url_for("ui.users"))
    try:
        delete_user(db_session(), user.name)
    except AccountError as exc:
        return _refused(exc, user)
    return _commit(_("User %(name)s deleted.", name=user.name))
