"""Helpers every command family shares: settings, the database engine, JSON output, errors.

Commands never build settings or engines themselves: ``settings_from(ctx)`` and
``engine_from(ctx)`` load them once per invocation and turn configuration or database problems
into one clear error line (``fail``), never a traceback.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from cli import exit_codes
from inventory.models import iso_utc
from netops.settings import ConfigError, Settings, load_settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class UsageError(click.ClickException):
    """A user mistake reported as one line with exit status ``exit_code`` (default 1)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]


def fail(msg: str, exit_code: int = 1) -> NoReturn:
    """Stop the command with one clear error line (``raise fail(...)`` reads well too)."""
    raise UsageError(msg, exit_code)


ACCESS_LOGGER = "netops.access"
# Chatty at INFO: APScheduler says "Running job ... executed successfully" for every run of every
# job (a heartbeat every 10 s), waitress says "Task queue depth is N" whenever a browser loads a
# page's assets at once. Shown from -v on; the service's own INFO lines are not.
CHATTY = {"apscheduler": logging.WARNING, "waitress.queue": logging.ERROR, ACCESS_LOGGER: logging.WARNING}


def setup_logging(verbose: int, service: bool = False) -> None:
    """Warnings by default, info with -v, debug with -vv; to the current stderr.

    A running service (``service``) shows its own INFO lines by default, but not the scheduler's
    per-job lines, waitress's queue notes or one line per web request: ``-v`` adds those
    (the access lines also with ``[log] access = true``)."""
    quiet = verbose <= 0
    level = logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 or service else logging.WARNING
    for name, chatty_level in CHATTY.items():
        logging.getLogger(name).setLevel(chatty_level if quiet else logging.NOTSET)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_netops", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler._netops = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def _obj(ctx: click.Context) -> dict[str, Any]:
    root = ctx.find_root()
    root.ensure_object(dict)
    obj: dict[str, Any] = root.obj
    return obj


def settings_from(ctx: click.Context) -> Settings:
    """The settings of this invocation (``--config`` / ``NETOPS_CONFIG`` + ``NETOPS_*``)."""
    obj = _obj(ctx)
    if "settings" not in obj:
        try:
            obj["settings"] = load_settings(obj.get("config_path"))
        except ConfigError as exc:
            fail(f"configuration: {exc}")
    settings: Settings = obj["settings"]
    return settings


def engine_from(ctx: click.Context) -> Engine:
    """An engine on the configured database, schema upgraded; disposed when the command ends.

    A data directory without a database stops the command (exit 4) instead of creating one:
    only ``init``, ``demo`` and ``start`` create it."""
    obj = _obj(ctx)
    if "engine" not in obj:
        from netops.runtime import NoDatabaseError, display_url, open_existing_database

        settings = settings_from(ctx)
        try:
            engine = open_existing_database(settings)
        except NoDatabaseError as exc:
            fail(f"{exc}{_stray_database_hint(settings)}", exit_codes.NO_DATABASE)
        except (SQLAlchemyError, OSError, CommandError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            fail(f"database {display_url(settings.effective_database_url)}: {detail}")
        obj["engine"] = engine
        ctx.find_root().call_on_close(engine.dispose)
    result: Engine = obj["engine"]
    return result


def _stray_database_hint(settings: Settings) -> str:
    """Older versions kept the database in ``./var``: point at one found there."""
    stray = Path.cwd() / "var" / "netops.db"
    if settings.database_url or not stray.is_file() or stray.parent == Path(settings.data_dir).resolve():
        return ""
    return f" (a database from an older netops is at {stray.parent}: NETOPS_DATA_DIR={stray.parent})"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def to_json(obj: Any) -> str:
    """JSON text; datetimes as ISO-8601 UTC (``...Z``), dataclasses as objects."""
    return json.dumps(obj, default=_json_default, indent=2, ensure_ascii=False)


def echo_json(obj: Any) -> None:
    click.echo(to_json(obj))
