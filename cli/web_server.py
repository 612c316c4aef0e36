"""The web UI beside the service: the Flask app of ``web.create_app`` in a daemon thread.

Part of the composition root: only here do the scheduler (``netops``) and the web layer meet.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine

from netops.polling.scheduler import Scheduler
from netops.settings import Settings
from web import create_app

log = logging.getLogger(__name__)


def serve_web(settings: Settings, engine: Engine, scheduler: Scheduler) -> Any:
    """Start the web app in a daemon thread; returns the werkzeug server (``shutdown()`` stops it)."""
    from werkzeug.serving import make_server

    app = create_app(settings, scheduler_control=scheduler, engine=engine)
    server = make_server(settings.web.host, settings.web.port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="netops-web", daemon=True)
    thread.start()
    log.info("web UI on http://%s:%d/", settings.web.host, settings.web.port)
    return server
