"""The period of a report: a calendar month or a range of days, in the zone times are shown in.

``2026-11`` is 1 November 00:00 to 1 December 00:00 local time (``web.timezone``), so a report
for November in Magelang covers the November that the help desk lived through. ``--to`` is a
day included in full (``--from 2026-11-01 --to 2026-11-15`` ends at 16 November 00:00); a time
with hours (``2026-11-15T12:00``) is taken as given. Bounds are kept in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from inventory.models import iso_utc

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A month or date that cannot be read, or a range that ends before it starts."""


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime  # UTC, included
    end: datetime  # UTC, excluded
    label: str  # "2026-11" or "2026-11-01..2026-11-15"

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "start": _iso(self.start), "end": _iso(self.end)}


def _iso(at: datetime) -> str:
    return iso_utc(at)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def month(text: str, zone: tzinfo) -> Period:
    """``YYYY-MM`` as a period in ``zone``."""
    match = MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"month {text!r}: give a month like 2026-11")
    year, mon = int(match.group(1)), int(match.group(2))
    first = date(year, mon, 1)
    following = date(year + (mon == 12), mon % 12 + 1, 1)
    return Period(_midnight(first, zone), _midnight(following, zone), f"{year:04d}-{mon:02d}")


def _point(text: str, zone: tzinfo, what: str, *, end: bool) -> tuple[datetime, str]:
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return _midnight(day + timedelta(days=1) if end else day, zone), raw
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise PeriodError(f"{what} {text!r}: give a date like 2026-11-01 or a time like "
                          f"2026-11-01T08:00") from None
    at = at if at.tzinfo else at.replace(tzinfo=zone)
    return at.astimezone(UTC), raw


def between(start_text: str, end_text: str, zone: tzinfo) -> Period:
    """``--from``/``--to``: dates (the ``--to`` day included) or times, in ``zone``."""
    start, a = _point(start_text, zone, "--from", end=False)
    end, b = _point(end_text, zone, "--to", end=True)
    if end <= start:
        raise PeriodError(f"--to {end_text!r} is not after --from {start_text!r}")
    return Period(start, end, f"{a}..{b}")
