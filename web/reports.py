"""The availability report for the API and the reports page: the same choices as
``netops report availability`` (``netops.reports.export``), read from the query string."""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from flask import current_app

from netops.reports import export
from netops.reports.availability_report import Filters, Report
from netops.settings import Settings
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
    with paused_gc():  # a row per site, gone when the request is: no full collection meanwhile
        return export.report_of(db_session(), settings, choices(args), _now(), scoping.visible())


def make(args: Mapping[str, str], default_format: str = "json") -> export.Rendered:
    """``ValueError`` (a ``PeriodError`` or ``ReportError``) for choices that name nothing.
    JSON is compact here: a client parses it, and 5,000 indented sites cost 300 ms."""
    settings = current_app.extensions["netops.settings"]
    chosen = choices(args, default_format)
    with paused_gc():  # a row per site, gone when the request is: no full collection meanwhile
        report = export.report_of(db_session(), settings, chosen, _now(), scoping.visible())
        if chosen.format == "pdf":
            return _pdf(report, chosen, settings)
        return export.rendered(report, chosen, settings, pretty=False)


PDFS_KEPT = 8
_pdfs: OrderedDict[bytes, export.Rendered] = OrderedDict()
_pdfs_lock = threading.Lock()


def _pdf(report: Report, chosen: export.Choices, settings: Settings) -> export.Rendered:
    """The PDF of ``report``, laid out again only when its figures changed.

    The figures are computed for every request (about 70 ms for 5,000 sites); laying out their
    100-odd pages takes 0.6 s more. The same figures (a finished month nobody changed since) give
    the same document, so the last few are kept by a digest of everything the PDF shows but the
    time it was made (its footer then names the first time these figures were laid out). A month
    not over yet changes with every request (``measured_until``) and is laid out every time.
    """
    same = replace(report, generated_at=datetime(1970, 1, 1, tzinfo=UTC))
    shown = (same, chosen.lang, settings.web.timezone, export.header_of(settings))
    key = hashlib.blake2b(pickle.dumps(shown), digest_size=20).digest()
    with _pdfs_lock:
        if key in _pdfs:
            _pdfs.move_to_end(key)
            return _pdfs[key]
    made = export.rendered(report, chosen, settings, pretty=False)
    with _pdfs_lock:
        _pdfs[key] = made
        while len(_pdfs) > PDFS_KEPT:
            _pdfs.popitem(last=False)
    return made
