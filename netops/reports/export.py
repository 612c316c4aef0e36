"""One way from the user's choices to a report file, shared by the command line, the API and the
reports page: period from ``--month`` or ``--from``/``--to`` (in ``web.timezone``), the report,
then CSV, JSON or PDF bytes with their media type and a file name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from netops.reports import formats, pdf
from netops.reports.availability_report import Filters, Report, build
from netops.reports.period import Period, PeriodError, between, month
from netops.scope import Visible
from netops.settings import Settings

MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "pdf": "application/pdf"}
FORMATS = tuple(MEDIA)
LANGS = ("id", "en")


@dataclass(frozen=True, slots=True)
class Choices:
    month: str | None = None
    start: str | None = None  # --from
    end: str | None = None  # --to
    filters: Filters = field(default_factory=Filters)
    format: str = "csv"
    lang: str = "id"


@dataclass(frozen=True, slots=True)
class Rendered:
    report: Report
    body: bytes
    media_type: str
    filename: str


def period_of(choices: Choices, zone: ZoneInfo) -> Period:
    """``PeriodError`` unless exactly one of a month or a from/to pair is given."""
    if choices.month and (choices.start or choices.end):
        raise PeriodError("give either a month or a from/to range, not both")
    if choices.month:
        return month(choices.month, zone)
    if choices.start and choices.end:
        return between(choices.start, choices.end, zone)
    raise PeriodError("give a month (2026-11) or both a from and a to date")


def check(choices: Choices) -> None:
    if choices.format not in MEDIA:
        raise PeriodError(f"format {choices.format!r}: one of {', '.join(FORMATS)}")
    if choices.lang not in LANGS:
        raise PeriodError(f"language {choices.lang!r}: one of {', '.join(LANGS)}")


def header_of(settings: Settings) -> pdf.Header:
    return pdf.Header(settings.reports.city, settings.reports.office, settings.reports.logo)


def render(report: Report, fmt: str, lang: str, settings: Settings, *, pretty: bool = True) -> bytes:
    if fmt == "csv":
        return formats.to_csv(report).encode()
    if fmt == "json":
        return formats.to_json(report, pretty=pretty).encode()
    return pdf.render(report, lang, ZoneInfo(settings.web.timezone), header_of(settings))


def filename(report: Report, fmt: str) -> str:
    label = re.sub(r"[^0-9A-Za-z-]+", "_", report.period.label.replace("..", "_to_"))
    return f"availability-{label}.{fmt}"


def restrict(report: Report, visible: Visible) -> Report:
    """The report with outside names in root causes, cause words and planned works replaced."""
    def words(w: dict[str, str]) -> dict[str, str]:
        return {k: visible.redact(v) or "" for k, v in w.items()}

    return replace(
        report,
        outages=tuple(replace(o, root_cause=visible.redact(o.root_cause) or "", words=words(o.words))
                      for o in report.outages),
        planned_works=tuple(replace(p, target=visible.redact(p.target) or "",
                                    reason=visible.redact(p.reason) or "") for p in report.planned_works),
    )


def report_of(session: Session, settings: Settings, choices: Choices, now: datetime,
              visible: Visible | None = None) -> Report:
    """The figures alone (the reports page shows them and needs no file); ``PeriodError`` /
    ``ReportError`` (both ``ValueError``) for bad choices. ``visible``: a scoped login's report,
    of its sites only, outside names in causes replaced."""
    check(choices)
    filters = choices.filters if visible is None else replace(choices.filters, within=visible.sites)
    report = build(session, period_of(choices, ZoneInfo(settings.web.timezone)), filters, now)
    return report if visible is None else restrict(report, visible)


def rendered(report: Report, choices: Choices, settings: Settings, *, pretty: bool = True) -> Rendered:
    return Rendered(report, render(report, choices.format, choices.lang, settings, pretty=pretty),
                    MEDIA[choices.format], filename(report, choices.format))


def make(session: Session, settings: Settings, choices: Choices, now: datetime,
         visible: Visible | None = None, *, pretty: bool = True) -> Rendered:
    """The report file (``report_of``, then ``rendered``); ``pretty``: indented JSON."""
    report = report_of(session, settings, choices, now, visible)
    return rendered(report, choices, settings, pretty=pretty)
