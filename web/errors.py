"""One error handler for pages and API (JSON for ``/api/`` and JSON-preferring clients, else
HTML), and the security headers every response carries.

As in microblog's ``errors/handlers.py``; CSRF failures are 400s like any other bad request.
Every answer but the static files is ``Cache-Control: no-store`` (pages and API answers carry
what a logged-in user may see; a shared or back-button cache must not keep them), and the
``Server`` header names no software version.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from web.auth.access import wants_json

log = logging.getLogger(__name__)


def _handle(exc: HTTPException) -> ResponseReturnValue:
    code = exc.code or 500
    if wants_json():
        response = jsonify({"error": exc.name, "message": exc.description})
        response.status_code = code
        if code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="netops"'
        return response
    return render_template("errors/error.html", code=code, name=exc.name, description=exc.description), code


def _too_large(_exc: RequestEntityTooLarge) -> ResponseReturnValue:
    from web.uploads import MAX_UPLOAD_BYTES

    mb = MAX_UPLOAD_BYTES // (1024 * 1024)
    message = _("The upload is too large: files of at most %(mb)d MB can be imported.", mb=mb)
    return _handle(RequestEntityTooLarge(message))


def _unexpected(exc: Exception) -> ResponseReturnValue:
    log.exception("unhandled error", exc_info=exc)
    return _handle(InternalServerError())


SECURITY_HEADERS = {
    # Only our own vendored files run: an injected <script> or onclick= would not execute.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
SERVER_NAME = "netops"  # replaces "Werkzeug/x.y Python/x.y" or "waitress": no versions for scanners


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    response.headers["Server"] = SERVER_NAME
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(Exception, _unexpected)
    app.after_request(_security_headers)
