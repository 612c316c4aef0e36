"""Traffic charts as inline SVG, computed on the server: no JavaScript chart library needed.

``rate_chart`` turns a series of rates into polyline point strings in a fixed view box; the
template draws them between axes, with the time window and the peak as labels. A chart with
fewer than two samples keeps its axes and window and says "no data" (``empty``), so an empty
chart never looks like a flat line at zero. Only numbers reach the SVG, so nothing needs
escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from web.history import RatePoint

WIDTH, HEIGHT = 600.0, 120.0


@dataclass(frozen=True, slots=True)
class Chart:
    in_points: str
    out_points: str
    max_bps: float
    start: datetime | None
    end: datetime | None
    samples: int

    @property
    def empty(self) -> bool:
        return self.samples < 2


def rate_chart(
    series: Sequence[RatePoint], window: tuple[datetime, datetime] | None = None
) -> Chart:
    """The chart of ``series``; ``window`` (start, end) labels the time axis when there is no data."""
    if len(series) < 2:
        start, end = window or (None, None)
        return Chart("", "", 0.0, start, end, len(series))
    start, end = series[0].at, series[-1].at
    span = max((end - start).total_seconds(), 1.0)
    peak = max(max(p.in_bps, p.out_bps) for p in series) or 1.0

    def points(values: Sequence[tuple[datetime, float]]) -> str:
        return " ".join(
            f"{(at - start).total_seconds() / span * WIDTH:.1f},{HEIGHT - value / peak * (HEIGHT - 4):.1f}"
            for at, value in values
        )

    return Chart(
        in_points=points([(p.at, p.in_bps) for p in series]),
        out_points=points([(p.at, p.out_bps) for p in series]),
        max_bps=peak,
        start=start,
        end=end,
        samples=len(series),
    )
