"""The fast availability report (columns instead of entities, no interval cutting for a site
without outages, one pass per group) gives the same report as the straightforward way on a month
made through the real path, plus quiet sites, a site without a district and a device without a
site: the reference below reads entities and cuts every site's period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from inventory.db import session_scope
from inventory.models import Device, MaintenanceWindow, Outage, Site
from netops.reports import availability_report as ar
from netops.reports.availability_report import CAUSES, Filters, GroupRow, SiteRow
from netops.reports.period import Period
from netops.settings import Settings
from tests.reports.test_availability_report import AFTER, NOV, at, november


def _slow_figures(pieces: Sequence[Any], start: datetime, end: datetime, measured_s: float
                  ) -> tuple[int, float, float, float, dict[str, float]]:
    cuts = sorted({start, end} | {t for p in pieces for s, e in (*p.down, *p.planned) for t in (s, e)})
    by_cause = dict.fromkeys(CAUSES, 0.0)
    down = planned = 0.0
    ordered = sorted(pieces, key=lambda p: (p.started_at, p.outage_id))
    for a, b in pairwise(cuts):
        length = (b - a).total_seconds()
        first = next((p for p in ordered if any(s <= a and b <= e for s, e in p.down)), None)
        if first is not None:
            down += length
            by_cause[first.cause] += length
        elif any(s <= a and b <= e for p in pieces for s, e in p.planned):
            planned += length
    measured = measured_s - planned
    pct = 100.0 if measured <= 0 else 100.0 * (1 - down / measured)
    return len({p.outage_id for p in pieces if p.down}), down, planned, round(pct, 4), by_cause


def _slow_group(group: str, name: str, rows: list[SiteRow], outages_of: dict[str, set[int]],
                measured_s: float) -> GroupRow:
    down = sum(r.downtime_s for r in rows)
    planned = sum(r.planned_s for r in rows)
    measured = measured_s * len(rows) - planned
    pct = 100.0 if measured <= 0 else 100.0 * (1 - down / measured)
    ids = set().union(*(outages_of.get(r.site, set()) for r in rows)) if rows else set()
    return GroupRow(group, name, len(rows), len(ids), down, planned, round(pct, 4))


def slow_report(session: Session, period: Period, filters: Filters, now: datetime) -> dict[str, Any]:
    """Sites, groups and outages of the report, the way it was first written (entities, lazy
    loads, every site's period cut at its outages)."""
    sites = list(session.scalars(select(Site).order_by(Site.name)))
    if filters.within is not None:
        sites = [s for s in sites if s.name in filters.within]
    for wanted, value in ((filters.district, lambda s: s.district or ""), (filters.kind, lambda s: s.kind)):
        if wanted is not None:
            sites = [s for s in sites if value(s).casefold() == wanted.casefold()]
    wanted_names = {s.name for s in sites}
    end = min(period.end, max(now, period.start))
    rows = [o for o in session.scalars(select(Outage).order_by(Outage.started_at, Outage.id))
            if o.started_at < end and (o.ended_at is None or o.ended_at > period.start)]
    device_sites = {d.name: (d.site.name if d.site else None) for d in session.scalars(select(Device))}
    windows = {w.id: w for w in session.scalars(select(MaintenanceWindow))}
    pieces: dict[str, list[Any]] = defaultdict(list)
    outages = []
    for o in rows:
        mine = sorted(set(o.affected_sites or []) & wanted_names)
        clipped = ar._clip([(o.started_at, o.ended_at or end)], period.start, end)
        if not mine or not clipped:
            continue
        planned = ar._planned_spans(o, clipped[0], windows)
        down = tuple(ar._minus(clipped[0], planned))
        for site in mine:
            pieces[site].append(ar._Piece(o.id, o.started_at, ar._cause(o, site, device_sites), down,
                                          tuple(planned)))
        outages.append(o.id)
    measured_s = (end - period.start).total_seconds()
    site_rows = [SiteRow(s.name, s.district or ar.NO_DISTRICT, s.kind, ar.agency_of(s.name, s.kind),
                         *_slow_figures(pieces.get(s.name, []), period.start, end, measured_s))
                 for s in sites]
    outages_of = {site: {p.outage_id for p in ps if p.down} for site, ps in pieces.items()}
    groups = {}
    keys: tuple[tuple[str, Callable[[SiteRow], str]], ...] = (
        ("district", lambda r: r.district), ("kind", lambda r: r.kind), ("agency", lambda r: r.agency))
    for group, key in keys:
        members: dict[str, list[SiteRow]] = defaultdict(list)
        for r in site_rows:
            members[key(r)].append(r)
        groups[group] = [_slow_group(group, n, members[n], outages_of, measured_s).to_json()
                         for n in sorted(members)]
    return {"sites": [r.to_json() for r in site_rows], "groups": groups, "outages": outages}


@pytest.fixture
def month(engine: Engine, settings: Settings) -> Engine:
    november(engine, settings)
    with session_scope(engine) as session:
        quiet = [Site(name=f"SD Desa {i:02d}", kind="school" if i % 3 else "agency",
                      district=None if i == 7 else f"Kec {i % 4}") for i in range(20)]
        session.add_all(quiet)
        session.add(Device(name="loose-sw", address="192.0.2.99", role="access"))  # no site
        session.flush()
        session.add(Outage(root_cause_type="device", root_cause="loose-sw", started_at=at(5, 6),
                           ended_at=at(5, 7), affected_sites=["SD Desa 03", "SD Desa 04"],
                           affected_devices=["loose-sw"], flapping=False))
        session.add(Outage(root_cause_type="link", root_cause="x:1--y:1", started_at=at(5, 6, 30),
                           ended_at=at(5, 8), affected_sites=["SD Desa 04"], affected_devices=[],
                           flapping=False))
    return engine


@pytest.mark.parametrize("filters", [
    Filters(), Filters(kind="school"), Filters(district="Kec 1"),
    Filters(within=frozenset({"SD Desa 03", "SD Desa 04", "SD Desa 07", "SMP Negeri 1 Magelang"})),
], ids=["all", "schools", "district", "within"])
def test_the_fast_report_equals_the_reference(month: Engine, filters: Filters) -> None:
    with session_scope(month) as session:
        for now in (AFTER, at(20, 2, 50)):  # the month over, and still running
            fast = ar.build(session, NOV, filters, now).to_json()
            slow = slow_report(session, NOV, filters, now)
            assert fast["sites"] == slow["sites"]
            assert fast["groups"] == slow["groups"]
            assert [o["id"] for o in fast["outages"]] == slow["outages"]
            assert any(s["downtime_s"] for s in fast["sites"]) or filters.district


def test_an_empty_selection_keeps_integer_zero_totals(month: Engine) -> None:
    with session_scope(month) as session:
        report = ar.build(session, Period(NOV.start, NOV.start + timedelta(days=1), "d"),
                          Filters(within=frozenset()), AFTER)
        assert report.sites == () and report.totals().to_json()["downtime_s"] == 0
