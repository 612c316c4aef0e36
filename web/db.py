"""One SQLAlchemy session per request, opened lazily and closed at teardown.

Views call ``db_session()``; the engine is bound by the factory (``init_db``), never a global.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker


def init_db(app: Flask, engine: Engine) -> None:
    app.extensions["netops.engine"] = engine
    app.extensions["netops.sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["netops.sessions"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
