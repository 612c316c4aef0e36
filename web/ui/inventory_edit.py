"""Inventory edits for engineers: import a YAML/CSV file (dry run, then confirm), enable/disable a device.

The import reuses ``inventory.files.import_inventory_file`` through ``web.uploads``: the first
POST stages the upload and shows what a dry run would change (or every located problem); only
the confirm POST writes. The session remembers which staged file the confirm button may apply.
Credentials in an upload are applied for admins only (checked again at confirm time); an
engineer's upload imports the rest and says how many credentials it ignored.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from inventory.models import Device
from netops.audit import record_change
from netops.encryption import SecretError
from netops.settings import Settings
from web import scoping, uploads
from web.auth.access import require_role
from web.db import db_session
from web.ui import bp

SESSION_KEY = "inventory_upload"


class UploadForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("Inventory file (YAML or CSV)"), validators=[FileRequired(_l("Choose a file."))])


class TokenForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token; the staged upload's token comes from the session."""


def _settings() -> Settings:
    settings: Settings = current_app.extensions["netops.settings"]
    return settings


def _is_admin() -> bool:
    user = g.get("user")
    return bool(user is not None and user.has_role("admin"))


def _forget_upload() -> None:
    staged = session.pop(SESSION_KEY, None)
    if isinstance(staged, dict) and isinstance(staged.get("token"), str):
        uploads.discard(_settings(), staged["token"])


@bp.route("/inventory/import", methods=["POST"])
@require_role("engineer")
def inventory_import() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a YAML or CSV file to import."))
        return redirect(url_for("ui.inventory"))
    upload = form.file.data
    filename = str(upload.filename or "")
    try:
        suffix = uploads.suffix_for(filename)
    except uploads.UploadError:
        flash(_("Only .yaml, .yml and .csv files can be imported."))
        return redirect(url_for("ui.inventory"))
    data = upload.read(uploads.MAX_UPLOAD_BYTES + 1)
    if len(data) > uploads.MAX_UPLOAD_BYTES:
        flash(_("The file is larger than %(mb)d MB.", mb=uploads.MAX_UPLOAD_BYTES // (1024 * 1024)))
        return redirect(url_for("ui.inventory"))
    _forget_upload()
    settings = _settings()
    token = uploads.stage(settings, data, suffix)
    try:
        path = uploads.staged_path(settings, token)
        outcome = uploads.run_import(db_session(), settings, path, dry_run=True, shown_as=filename,
                                     admin=_is_admin())
    except (SecretError, SQLAlchemyError) as exc:
        db_session().rollback()
        uploads.discard(settings, token)
        return _failed(exc)
    if outcome.ok:
        session[SESSION_KEY] = {"token": token, "name": filename}
    else:
        uploads.discard(settings, token)
    return render_template(
        "ui/inventory_import.html", outcome=outcome, filename=filename, dry_run=True, form=TokenForm()
    )


@bp.route("/inventory/import/confirm", methods=["POST"])
@require_role("engineer")
def inventory_import_confirm() -> ResponseReturnValue:
    staged = session.get(SESSION_KEY)
    settings = _settings()
    try:
        if not isinstance(staged, dict):
            raise uploads.UploadError("nothing staged")
        path = uploads.staged_path(settings, str(staged.get("token", "")))
    except uploads.UploadError:
        session.pop(SESSION_KEY, None)
        flash(_("Nothing to import: upload the file again."))
        return redirect(url_for("ui.inventory"))
    db = db_session()
    try:
        outcome = uploads.run_import(db, settings, path, dry_run=False, shown_as=str(staged.get("name", "")),
                                     admin=_is_admin())
        if outcome.ok:
            db.commit()
    except (SecretError, SQLAlchemyError) as exc:
        db.rollback()
        return _failed(exc)
    finally:
        _forget_upload()
    if not outcome.ok:
        name = str(staged.get("name", ""))
        return render_template(
            "ui/inventory_import.html", outcome=outcome, filename=name, dry_run=False, form=TokenForm()
        )
    created, updated, unchanged = outcome.totals
    flash(_("Inventory imported: %(c)d created, %(u)d updated, %(n)d unchanged.", c=created, u=updated,
            n=unchanged))
    return redirect(url_for("ui.inventory"))


@bp.route("/inventory/import/cancel", methods=["POST"])
@require_role("engineer")
def inventory_import_cancel() -> ResponseReturnValue:
    _forget_upload()
    flash(_("Import cancelled; nothing was written."))
    return redirect(url_for("ui.inventory"))


def _failed(exc: Exception) -> ResponseReturnValue:
    current_app.logger.warning("inventory import failed: %s", exc)
    flash(_("The import failed; nothing was written."))
    return redirect(url_for("ui.inventory"))


@bp.route("/devices/<path:name>/enabled", methods=["POST"])
@require_role("engineer", scoped=True)
def device_enabled(name: str) -> ResponseReturnValue:
    # The CSRF token is checked by CSRFProtect before this view runs.
    wanted = request.form.get("enabled")
    if wanted not in ("0", "1"):
        abort(400)
    db = db_session()
    device = db.scalars(select(Device).where(Device.name == name)).first()
    if device is None:
        abort(404)
    scoping.require_device(name)  # a scoped engineer's own devices only
    if device.enabled != (wanted == "1"):
        record_change(db, "device.enabled", name, {"enabled": device.enabled}, {"enabled": wanted == "1"})
    device.enabled = wanted == "1"
    db.commit()
    if device.enabled:
        flash(_("Device %(name)s enabled: it is polled again.", name=name))
    else:
        flash(_("Device %(name)s disabled: it is no longer polled.", name=name))
    return redirect(url_for("ui.device", name=name))
