"""The web UI beside the service: the Flask app of ``web.create_app`` served by waitress.

Part of the composition root: only here do the scheduler (``netops``) and the web layer meet.

Why waitress (pinned ``>=3.0.2,<4``): it is pure Python, runs inside our process in a thread
beside the scheduler (gunicorn forks workers and owns the process, so the scheduler would have
to move out), and it reads each request completely on its asyncore loop before a worker thread
runs the app. A client that connects and sends nothing, or dribbles a header, holds no worker
thread; it is dropped after ``web.connection_timeout_s`` of silence. ``web.threads`` request
threads run the app, at most ``web.connection_limit`` connections are open, request bodies are
capped at the app's own limit, and the ``Server`` header names no version.

No line per request unless asked (``-v`` or ``[log] access = true``): ``AccessLog`` then writes
``ADDRESS METHOD PATH STATUS N ms`` on the ``netops.access`` logger.

``shutdown()`` closes the listening socket and every connection from inside the loop, then
waits at most ``SHUTDOWN_GRACE_S`` for requests in progress: Ctrl-C stops promptly.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine

from cli.common import ACCESS_LOGGER, fail
from netops.settings import ConfigError, Settings
from web import create_app

log = logging.getLogger(__name__)
access_log = logging.getLogger(ACCESS_LOGGER)
SHUTDOWN_GRACE_S = 3.0
LOOP_TIMEOUT_S = 1  # how often the loop wakes to drop idle connections


class AccessLog:
    """WSGI wrapper: one INFO line per request on ``netops.access`` when that logger shows INFO
    (``-v``, or ``[log] access = true``); otherwise it only passes the request on."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not access_log.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        started, status = time.monotonic(), ["-"]

        def recording(line: str, headers: Any, exc_info: Any = None) -> Any:
            status[0] = line.split(" ", 1)[0]
            return start_response(line, headers, exc_info)

        try:
            return self.app(environ, recording)
        finally:
            query = environ.get("QUERY_STRING", "")
            path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
            elapsed_ms = (time.monotonic() - started) * 1000
            access_log.info("%s %s %s %s %.0f ms", environ.get("REMOTE_ADDR", "-"),
                            environ.get("REQUEST_METHOD"), path, status[0], elapsed_ms)


class WebServer:
    """A waitress server for one WSGI app, run in a daemon thread; ``shutdown()`` stops it."""

    def __init__(
        self, app: Any, settings: Settings, host: str | None = None, port: int | None = None
    ) -> None:
        from waitress.server import create_server
        from waitress.trigger import trigger

        from web.uploads import MAX_REQUEST_BYTES

        web = settings.web
        timeout = web.connection_timeout_s
        if settings.log.access:
            logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO)
        self._server = create_server(
            AccessLog(app),
            host=host or web.host,
            port=web.port if port is None else port,
            threads=web.threads,
            channel_timeout=timeout,
            cleanup_interval=max(1, min(30, timeout // 2)),
            connection_limit=web.connection_limit,
            max_request_body_size=MAX_REQUEST_BYTES,
            asyncore_loop_timeout=LOOP_TIMEOUT_S,
            ident="netops",
            clear_untrusted_proxy_headers=True,
        )
        server = self._server  # one TcpWSGIServer, or a MultiSocketServer for a name like localhost
        self._map: dict[int, Any] = server._map if hasattr(server, "_map") else server.map
        self._trigger = next(d for d in self._map.values() if isinstance(d, trigger))
        listen = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
        self.host: str = str(listen[0][0])
        self.server_port: int = int(listen[0][1])
        self._thread = threading.Thread(target=self._run, name="netops-web", daemon=True)
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.server_port}/"

    def start(self) -> WebServer:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._server.run()
        finally:
            self._stopped.set()

    def _close_everything(self) -> None:
        """In the loop thread: close the listener and every connection; the loop then ends."""
        for dispatcher in list(self._map.values()):
            with contextlib.suppress(OSError):
                dispatcher.close()

    def shutdown(self) -> None:
        """Stop accepting, drop open connections, give running requests a short grace."""
        if self._thread.is_alive():
            self._trigger.pull_trigger(self._close_everything)
            self._stopped.wait(LOOP_TIMEOUT_S + 2)
        else:
            self._close_everything()
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=SHUTDOWN_GRACE_S)
        self._thread.join(timeout=1)


def create_web_app(settings: Settings, engine: Engine, scheduler: Any = None) -> Any:
    """``web.create_app``, with configuration mistakes turned into one clear error line."""
    try:
        return create_app(settings, scheduler_control=scheduler, engine=engine)
    except ConfigError as exc:
        fail(f"configuration: {exc}")


def serve_web(settings: Settings, engine: Engine, scheduler: Any) -> WebServer:
    """Start the web app in a daemon thread; returns the server (``shutdown()`` stops it).

    Raises ``OSError`` when the address cannot be bound (busy port, unknown host); a web
    setting that cannot be used (an unset ``web.metrics_token`` variable) stops the command
    with one line naming it.
    """
    app = create_web_app(settings, engine, scheduler)
    server = WebServer(app, settings).start()
    log.info("web UI on %s", server.url)
    return server


def serve_with_gunicorn(settings: Settings, host: str, port: int, workers: int, timeout_s: int) -> None:
    """``netops serve --workers N``: gunicorn's pre-fork server, N processes of ``web.threads``
    threads each (``gthread``), a worker stuck on one request longer than ``timeout_s`` is
    replaced. Every process opens its own engine after the fork; logins, sessions and the login
    throttle live in the database and the shared session key, so they hold across processes.
    Runs in the foreground until SIGINT/SIGTERM (gunicorn's graceful stop)."""
    from gunicorn.app.base import BaseApplication

    from netops.runtime import open_existing_database

    web = settings.web
    if settings.log.access:
        logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO)
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": web.threads,
        "timeout": timeout_s,
        "graceful_timeout": int(SHUTDOWN_GRACE_S) + 2,
        "keepalive": 5,
        "worker_connections": web.connection_limit,
        "limit_request_field_size": 8190,
        "proc_name": "netops-web",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "forwarded_allow_ips": "",  # like waitress: proxy headers are not trusted
    }

    class NetopsGunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:  # in each worker, after the fork: its own engine and pool
            engine = open_existing_database(settings)
            return AccessLog(create_web_app(settings, engine))  # bodies capped by the app's own limit

    NetopsGunicorn().run()
