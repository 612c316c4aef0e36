"""The netops web application: the Flask factory that builds UI, JSON API, login and metrics.

``create_app(settings)`` follows the flaskr/microblog pattern: settings come in (never from
import-time environment reads), extensions are created unbound in ``web.extensions`` and
bound here, one blueprint per feature. The web layer only reads stored state; it never
polls a device. Scheduler actions (run now, pause, resume) go through the
``scheduler_control`` object the service passes in (see ``web.jobs.SchedulerControl``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from netops.settings import Settings
    from web.jobs import SchedulerControl


def create_app(
    settings: Settings | None = None,
    *,
    scheduler_control: SchedulerControl | None = None,
    engine: Engine | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    """Build the app; ``engine`` and ``config`` let tests and the benchmark inject their own."""
    from netops.monitor.network_view import NetworkViews
    from web import api, audit, auth, errors, extensions, metrics, ui
    from web.db import init_db
    from web.secret import secret_key_for
    from web.uploads import MAX_REQUEST_BYTES

    if settings is None:
        from netops.settings import load_settings

        settings = load_settings()
    if engine is None:
        from netops.runtime import open_database

        engine = open_database(settings)
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=settings.web.secret_key or secret_key_for(settings.data_dir),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.web.session_minutes),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.web.session_cookie_secure,
        # A form's CSRF token lives no longer than a login; the token's secret sits in the
        # session, which ends with the user's session generation.
        WTF_CSRF_TIME_LIMIT=settings.web.session_minutes * 60,
        BABEL_DEFAULT_LOCALE=settings.web.default_language,
        LOGIN_MAX_FAILURES=5,  # per (user name, client address) pair ...
        LOGIN_WINDOW_S=300,
        LOGIN_ADDRESS_MAX_FAILURES=50,  # ... and per address, over any user names
        LOGIN_ADDRESS_WINDOW_S=900,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    app.config.update(config or {})
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["netops.settings"] = settings
    app.extensions["netops.polling.scheduler"] = scheduler_control
    init_db(app, engine)
    views = app.extensions["netops.topology"] = NetworkViews.from_settings(engine, settings)

    @app.after_request
    def _changes_show_at_once(response: Response) -> Response:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            views.recheck_structure()  # an edit made here is on the next page, not 2 s later
        return response

    auth.init_app(app)  # first: a voided session is cleared before the CSRF check reads it
    audit.init_app(app)  # then: changes are recorded as the logged-in user's
    extensions.init_app(app)
    ui.init_app(app)
    api.init_app(app)
    metrics.init_app(app)
    errors.init_app(app)
    return app
