"""Times on the terminal: in the zone of ``web.timezone`` (as the web pages show them), with its name.

The database and ``--json`` keep UTC (ISO-8601 with ``Z``); what a person reads says the zone,
``2026-05-01 15:04:05 WIB``, so a help-desk answer read out on the phone means the same time
as the page. A zone whose abbreviation is only an offset (``+04``) is shown as ``UTC+04``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click

from cli.common import settings_from


class Clock:
    """Formats aware (or naive UTC) datetimes in one zone."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    def local(self, at: datetime) -> datetime:
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(self.zone)

    def abbreviation(self, at: datetime) -> str:
        name = self.local(at).tzname() or ""
        return f"UTC{name}" if name and name[0] in "+-" else name

    def format(self, at: datetime | None, seconds: bool = True, empty: str = "-") -> str:
        """``YYYY-MM-DD HH:MM[:SS] ZONE``, or ``empty`` for no time."""
        if at is None:
            return empty
        pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
        return f"{self.local(at).strftime(pattern)} {self.abbreviation(at)}"


def clock_from(ctx: click.Context) -> Clock:
    """The clock of this invocation's ``web.timezone`` (``NETOPS_WEB__TIMEZONE``)."""
    return Clock(settings_from(ctx).web.timezone)
