"""The availability report for the API and the reports page: the same choices as
``netops report availability`` (``netops.reports.export``), read from the query string."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from flask import current_app

from netops.reports import export
from netops.reports.availability_report import Filters
from web import scoping
from web.db import db_session

PARAMS = ("month", "from", "to", "district", "kind", "site", "format", "lang")


def _now() -> datetime:
    return datetime.now(UTC)


def choices(args: Mapping[str, str], default_format: str = "json") -> export.Choices:
    def get(key: str) -> str | None:
        value = (args.get(key) or "").strip()
        return value or None

    return export.Choices(get("month"), get("from"), get("to"),
                          Filters(get("district"), get("kind"), get("site")),
                          get("format") or default_format, get("lang") or "id")


def make(args: Mapping[str, str], default_format: str = "json") -> export.Rendered:
    """``ValueError`` (a ``PeriodError`` or ``ReportError``) for choices that name nothing."""
    settings = current_app.extensions["netops.settings"]
    return export.make(db_session(), settings, choices(args, default_format), _now(), scoping.visible())
