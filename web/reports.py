"""The availability report for the API and the reports page: the same choices as
``netops report availability`` (``netops.reports.export``), read from the query string."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from flask import current_app

from netops.reports import export
from netops.reports.availability_report import Filters, Report
from topology.traversal import paused_gc
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


def figures(args: Mapping[str, str]) -> Report:
    """The report without a file (the page shows it); ``ValueError`` as for ``make``."""
    settings = current_app.extensions["netops.settings"]
    return export.report_of(db_session(), settings, choices(args), _now(), scoping.visible())


def make(args: Mapping[str, str], default_format: str = "json") -> export.Rendered:
    """``ValueError`` (a ``PeriodError`` or ``ReportError``) for choices that name nothing.
    JSON is compact here: a client parses it, and 5,000 indented sites cost 300 ms."""
    settings = current_app.extensions["netops.settings"]
    chosen = choices(args, default_format)
    report = export.report_of(db_session(), settings, chosen, _now(), scoping.visible())
    with paused_gc():  # a row per site to JSON: no full collection in the middle
        return export.rendered(report, chosen, settings, pretty=False)
