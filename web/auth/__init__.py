"""Login, logout, language choice and the user/role machinery (blueprint ``auth``)."""

from __future__ import annotations

from flask import Flask

from web.auth.access import load_current_user


def init_app(app: Flask) -> None:
    from web.auth.routes import bp

    app.before_request(load_current_user)
    app.register_blueprint(bp)
