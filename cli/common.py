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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

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


def setup_logging(verbose: int) -> None:
    """Warnings by default, info with -v, debug with -vv; to the current stderr."""
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
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
    """An engine on the configured database, schema upgraded; disposed when the command ends."""
    obj = _obj(ctx)
    if "engine" not in obj:
        from netops.runtime import display_url, open_database

        settings = settings_from(ctx)
        try:
            engine = open_database(settings)
        except (SQLAlchemyError, OSError, CommandError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            fail(f"database {display_url(settings.effective_database_url)}: {detail}")
        obj["engine"] = engine
        ctx.find_root().call_on_close(engine.dispose)
    result: Engine = obj["engine"]
    return result


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
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
