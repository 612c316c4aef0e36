"""Smokeping-style latency graphs as inline SVG, computed on the server (no script, strict CSP).

The window is cut into at most ``MAX_STEPS`` steps. Per step: the band from the lowest to the
highest round trip, the median line coloured by the step's loss, and a loss strip under the plot
(one cell per step, coloured by loss, empty where nothing was lost). Axes always show (round
trip in ms, time); an empty window says so. Only numbers and CSS classes reach the SVG; the
template formats times and translates words. Templates call ``latency_chart(device)``, so a page
shows a device's graph with one include line and no change to its view function.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from web.db import db_session
from web.latency import LatencyPoint, LatencySeries, latency_series
from web.ui import bp

WIDTH, HEIGHT = 600.0, 170.0
LEFT, RIGHT, TOP = 46.0, 8.0, 8.0
PLOT_BOTTOM = 134.0  # the plot's base line; the loss strip and the time labels are below it
STRIP_TOP, STRIP_HEIGHT = 138.0, 8.0
MAX_STEPS = 150
LOSS_CLASSES = ((0.0, "l0"), (10.0, "l1"), (25.0, "l2"), (50.0, "l3"), (100.0, "l4"))  # below -> class
FULL_LOSS = "l5"


@dataclass(frozen=True, slots=True)
class Tick:
    at: float  # x or y in the view box
    label: str


@dataclass(frozen=True, slots=True)
class TimeTick:
    x: float
    at: datetime


@dataclass(frozen=True, slots=True)
class Segment:
    css: str
    points: str


@dataclass(frozen=True, slots=True)
class Cell:
    css: str
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class LatencyChart:
    device: str
    empty: bool
    band: str
    segments: tuple[Segment, ...]
    cells: tuple[Cell, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[TimeTick, ...]
    resolution: str
    loss_pct: float | None  # over the whole window
    median_ms: float | None
    samples: int
    width: float = WIDTH
    height: float = HEIGHT
    left: float = LEFT
    right: float = WIDTH - RIGHT
    top: float = TOP
    bottom: float = PLOT_BOTTOM
    strip_top: float = STRIP_TOP
    strip_height: float = STRIP_HEIGHT


@dataclass(frozen=True, slots=True)
class _Step:
    x0: float
    x1: float
    sent: int
    received: int
    low: float | None
    median: float | None
    high: float | None


def loss_class(loss_pct: float) -> str:
    if loss_pct >= 100.0:
        return FULL_LOSS
    for limit, css in LOSS_CLASSES:
        if loss_pct <= limit:
            return css
    return FULL_LOSS


def latency_chart_of(series: LatencySeries | None, device: str = "") -> LatencyChart:
    """The graph of ``series`` (None or no points: the axes and "no data")."""
    if series is None or not series.points:
        end = series.end if series else datetime.now(UTC)
        start = series.start if series else end - timedelta(hours=24)
        return LatencyChart(device, True, "", (), (), _y_ticks(1.0), _x_ticks(start, end), "", None, None, 0)
    steps = _steps(series.points, series.start, series.end)
    answered = [s for s in steps if s.median is not None]
    top = _scale(answered)
    sent = sum(p.sent for p in series.points)
    received = sum(p.received for p in series.points)
    rtts = [p.rtt_ms for p in series.points if p.rtt_ms is not None]
    return LatencyChart(
        device=series.device,
        empty=False,
        band=_band(answered, top),
        segments=_segments(steps, top),
        cells=tuple(Cell(loss_class(_step_loss(s)), round(s.x0, 1), round(max(s.x1 - s.x0, 1.0), 1))
                    for s in steps if s.sent and s.received < s.sent),
        y_ticks=_y_ticks(top),
        x_ticks=_x_ticks(series.start, series.end),
        resolution=series.resolution,
        loss_pct=round(100.0 * (sent - received) / sent, 1) if sent else None,
        median_ms=statistics.median(rtts) if rtts else None,
        samples=len(series.points),
    )


@bp.app_template_global("latency_chart")
def latency_chart(device: str, hours: int = 24) -> LatencyChart:
    """For templates: the graph of ``device``'s last ``hours`` hours."""
    return latency_chart_of(latency_series(db_session(), device, hours), device)


def _x(at: datetime, start: datetime, end: datetime) -> float:
    span = max((end - start).total_seconds(), 1.0)
    return LEFT + (at - start).total_seconds() / span * (WIDTH - RIGHT - LEFT)


def _y(value: float, top: float) -> float:
    return PLOT_BOTTOM - min(value, top) / top * (PLOT_BOTTOM - TOP)


def _steps(points: Sequence[LatencyPoint], start: datetime, end: datetime) -> list[_Step]:
    """Points grouped into at most ``MAX_STEPS`` equal steps of the window (empty steps dropped)."""
    width = (WIDTH - RIGHT - LEFT) / MAX_STEPS
    groups: dict[int, list[LatencyPoint]] = {}
    for point in points:
        index = min(MAX_STEPS - 1, max(0, int((_x(point.at, start, end) - LEFT) / width)))
        groups.setdefault(index, []).append(point)
    steps = []
    for index, group in sorted(groups.items()):
        lows = [p.rtt_min_ms for p in group if p.rtt_min_ms is not None]
        mids = [p.rtt_ms for p in group if p.rtt_ms is not None]
        highs = [p.rtt_max_ms for p in group if p.rtt_max_ms is not None]
        steps.append(_Step(
            LEFT + index * width, LEFT + (index + 1) * width,
            sum(p.sent for p in group), sum(p.received for p in group),
            min(lows) if lows else None, statistics.median(mids) if mids else None,
            max(highs) if highs else None))
    return steps


def _step_loss(step: _Step) -> float:
    return 100.0 * (step.sent - step.received) / step.sent if step.sent else 0.0


def _scale(steps: Sequence[_Step]) -> float:
    """The top of the y axis: the highest round trip, but at most four times the highest median
    (one wild echo must not flatten the graph; the band is clipped at the top)."""
    highs = [s.high for s in steps if s.high is not None]
    medians = [s.median for s in steps if s.median is not None]
    if not medians:
        return 1.0
    top = max(highs) if highs else max(medians)
    return _nice(min(top, 4.0 * max(medians)) or 1.0)


def _nice(value: float) -> float:
    """The next 1, 2 or 5 times a power of ten at or above ``value``."""
    power = 10.0 ** math.floor(math.log10(value))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= value * 0.999:
            return factor * power
    return 10.0 * power


def _band(steps: Sequence[_Step], top: float) -> str:
    upper = [(s.x0, s.x1, s.high if s.high is not None else s.median) for s in steps]
    lower = [(s.x0, s.x1, s.low if s.low is not None else s.median) for s in steps]
    forth = " ".join(f"{x:.1f},{_y(v or 0.0, top):.1f}" for x0, x1, v in upper for x in (x0, x1))
    back = " ".join(f"{x:.1f},{_y(v or 0.0, top):.1f}" for x0, x1, v in reversed(lower) for x in (x1, x0))
    return f"{forth} {back}" if forth else ""


def _segments(steps: Sequence[_Step], top: float) -> tuple[Segment, ...]:
    """The median line, one polyline per run of steps with the same loss colour (broken where
    nothing answered)."""
    out: list[Segment] = []
    run: list[str] = []
    css = ""
    for step in steps:
        if step.median is None:
            if run:
                out.append(Segment(css, " ".join(run)))
            run, css = [], ""
            continue
        here = loss_class(_step_loss(step))
        y = f"{_y(step.median, top):.1f}"
        coords = [f"{step.x0:.1f},{y}", f"{step.x1:.1f},{y}"]
        if run and here != css:
            out.append(Segment(css, " ".join(run)))
            run = [run[-1]]  # the next colour starts where this one ended: one continuous line
        css = here
        run.extend(coords)
    if run:
        out.append(Segment(css, " ".join(run)))
    return tuple(out)


def _y_ticks(top: float) -> tuple[Tick, ...]:
    return tuple(Tick(round(_y(top * f, top), 1), _label(top * f)) for f in (0.0, 0.25, 0.5, 0.75, 1.0))


def _label(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == 0 else f"{value:.2g}"


def _x_ticks(start: datetime, end: datetime) -> tuple[TimeTick, ...]:
    span = end - start
    return tuple(TimeTick(round(_x(start + span * f, start, end), 1), start + span * f)
                 for f in (0.0, 0.25, 0.5, 0.75, 1.0))
