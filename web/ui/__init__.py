"""Server-rendered pages (blueprint ``ui``): dashboard, schools, outages, topology, devices, jobs."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("ui", __name__)


def init_app(app: Flask) -> None:
    # routes (and the template global latency_chart) register on bp
    from web.ui import (  # noqa: F401
        admin_pages,
        audit_pages,
        city_pages,
        inventory_edit,
        latency_chart,
        network_pages,
        operations_pages,
        report_pages,
        route_pages,
        status_pages,
        user_scopes,
    )

    app.register_blueprint(bp)
