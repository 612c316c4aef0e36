"""The JSON API under ``/api/v1`` (blueprint ``api``) and its OpenAPI document.

Scripts authenticate with ``Authorization: Bearer <token>``; the browser's session works too,
and then state-changing calls need the CSRF token (header ``X-CSRFToken``), since a cookie
alone must never be enough to trigger a job.
"""

from __future__ import annotations

from flask import Blueprint, Flask, g

from web.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _csrf_for_cookie_sessions() -> None:
    if g.get("user") is not None and not g.get("via_token"):
        csrf.protect()


def init_app(app: Flask) -> None:
    from web.api import (  # noqa: F401  (routes register on bp)
        audit_routes,
        operations_routes,
        report_routes,
        routes,
        topology_routes,
    )

    csrf.exempt(bp)
    app.register_blueprint(bp)
