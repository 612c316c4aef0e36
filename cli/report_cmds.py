"""``netops report availability``: the availability report of a month or a range, as CSV, JSON or PDF.

Months and dates are in ``web.timezone`` (the month the help desk lived through); ``--to`` is a
day included in full. ``-o -`` (the default) writes CSV or JSON to standard output; a PDF needs
a file. An unknown district or site stops with the nearest names (exit 2).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from cli import exit_codes
from cli.common import engine_from, fail, settings_from
from inventory.db import session_scope
from inventory.models.sites import SITE_KINDS
from netops.reports import export
from netops.reports.availability_report import Filters


@click.group("report")
def report_group() -> None:
    """Reports for the city: availability per site, district, kind and agency."""


@report_group.command("availability")
@click.option("--month", metavar="YYYY-MM", help="A calendar month in web.timezone, e.g. 2026-11.")
@click.option("--from", "start", metavar="DATE", help="First day (or ISO time) of a range.")
@click.option("--to", "end", metavar="DATE", help="Last day of the range (included), or an ISO time.")
@click.option("--district", metavar="NAME", help="Only the sites of this district.")
@click.option("--kind", type=click.Choice(SITE_KINDS), help="Only sites of this kind.")
@click.option("--site", metavar="NAME", help="Only this site.")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="csv", show_default=True)
@click.option("--lang", type=click.Choice(export.LANGS), default="id", show_default=True,
              help="Language of the PDF.")
@click.option("-o", "--output", default="-", metavar="FILE", help="Where to write ('-': standard output).")
@click.pass_context
def availability_cmd(ctx: click.Context, month: str | None, start: str | None, end: str | None,
                     district: str | None, kind: str | None, site: str | None, fmt: str, lang: str,
                     output: str) -> None:
    """Minutes down, outages and availability per site, planned works excluded, by cause."""
    if fmt == "pdf" and output == "-":
        fail("a PDF needs a file: -o FILE", exit_codes.USAGE)
    choices = export.Choices(month, start, end, Filters(district, kind, site), fmt, lang)
    settings = settings_from(ctx)
    try:
        export.check(choices)
        export.period_of(choices, ZoneInfo(settings.web.timezone))  # before needing a database
    except ValueError as exc:
        fail(str(exc), exit_codes.USAGE)
    with session_scope(engine_from(ctx)) as session:
        try:
            made = export.make(session, settings, choices, datetime.now(UTC))
        except ValueError as exc:
            fail(str(exc), exit_codes.USAGE)
    if output == "-":
        click.echo(made.body.decode(), nl=False)  # through the terminal's escaping
        return
    try:
        Path(output).write_bytes(made.body)
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}")
    click.echo(f"wrote {output} ({len(made.report.sites)} sites, {made.report.period.label})", err=True)


def register(group: click.Group) -> None:
    group.add_command(report_group)
