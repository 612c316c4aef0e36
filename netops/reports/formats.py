"""CSV and JSON of a report: one row per site, the same figures as the PDF.

CSV cells go through ``inventory.csvcells`` (a site name starting with ``=`` is not a formula).
Seconds are written with up to three decimals; the percentage with four.
"""

from __future__ import annotations

import csv
import io
import json

from inventory.csvcells import safe_row
from netops.reports.availability_report import CAUSES, Report

CSV_COLUMNS = ("site", "district", "kind", "agency", "outages", "downtime_s", "planned_s",
               "availability_pct", *(f"{c}_s" for c in CAUSES))


def seconds(value: float) -> str:
    """``125``, ``125.5``: exact to the millisecond, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def percent(value: float) -> str:
    return f"{value:.4f}"


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in report.sites:
        writer.writerow(safe_row([r.site, r.district, r.kind, r.agency, r.outages, seconds(r.downtime_s),
                                  seconds(r.planned_s), percent(r.availability_pct),
                                  *(seconds(r.by_cause[c]) for c in CAUSES)]))
    return out.getvalue()


def to_json(report: Report, *, pretty: bool = True) -> str:
    """Indented for a file a person opens; compact (``pretty=False``) for the API, where the
    C encoder writes 5,000 sites ten times faster than the indenting one."""
    if not pretty:
        return json.dumps(report.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
