"""A month with known outages, produced through polls -> apply -> assess with a fake clock, gives
exact figures: clipped at the month's start, an open outage counted to its end, planned works
excluded (and the part of an outage that outlived its works counted), attribution per site."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from inventory.db import session_scope
from netops.reports import availability_report, formats, period
from netops.reports.availability_report import Filters, Report
from netops.settings import Settings
from tests.monitor.test_maintenance import plan
from tests.reports.city import City

NOV = period.month("2026-11", UTC)
MONTH_S = 30 * 86400
UPLINK_SMP = ("dist", "sfp1"), ("smpn1", "sfp1")
DIST_DEAD = ("core", "xe1"), ("dist2", "xe1")
RSUD_PORTS = ("dist", "sfp3"), ("dist2", "sfp3")
AFTER = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def november(engine: Engine, settings: Settings) -> None:
    """The month of the test, through the real path."""
    city = City.seeded(engine, settings)
    city.tick(at(31, 22, month=10))
    # a fiber cut that began in October: only its November hour counts
    city.set("down", *UPLINK_SMP)
    city.tick(at(31, 23, month=10))
    city.set("up", *UPLINK_SMP)
    city.tick(at(1, 1))
    # the district switch dies for 30 minutes: its own site, and the two schools behind it
    city.dead.add("dist")
    city.set("down", *DIST_DEAD)
    city.tick(at(10, 10))
    city.dead.discard("dist")
    city.set("up", *DIST_DEAD)
    city.tick(at(10, 10, 30))
    # the school's own switch hangs (its fiber stays lit) for 20 minutes
    city.dead.add("sdn2")
    city.tick(at(12, 8))
    city.dead.discard("sdn2")
    city.tick(at(12, 8, 20))
    # planned works on the school's fiber 01:00-03:00: one planned cut, one that outlives the works
    plan(engine, settings, "link", "dist:sfp1,smpn1:sfp1", at(20, 1), at(20, 3))
    city.set("down", *UPLINK_SMP)
    city.tick(at(20, 1, 30))
    city.set("up", *UPLINK_SMP)
    city.tick(at(20, 2, 30))
    city.set("down", *UPLINK_SMP)
    city.tick(at(20, 2, 45))
    city.tick(at(20, 3))
    city.set("up", *UPLINK_SMP)
    city.tick(at(20, 3, 15))
    # the hospital's router dies an hour before the month ends and is still dead
    city.dead.add("rsud")
    city.set("down", *RSUD_PORTS)
    city.tick(at(30, 23))


@pytest.fixture
def report(engine: Engine, settings: Settings) -> Report:
    november(engine, settings)
    with session_scope(engine) as session:
        return availability_report.build(session, NOV, Filters(), AFTER)


def pct(down: float, planned: float = 0.0) -> float:
    return round(100 * (1 - down / (MONTH_S - planned)), 4)


def test_exact_figures_per_site(report: Report) -> None:
    rows = {r.site: r for r in report.sites}
    smp = rows["SMP Negeri 1"]
    assert (smp.outages, smp.downtime_s, smp.planned_s) == (3, 3600 + 1800 + 900, 3600 + 900)
    assert smp.by_cause == {"fiber": 3600 + 900, "switch": 1800, "own": 0, "unknown": 0}
    assert smp.availability_pct == pct(6300, 4500)
    sdn = rows["SD Negeri 2"]
    assert (sdn.outages, sdn.downtime_s, sdn.planned_s) == (2, 3000, 0)
    assert sdn.by_cause == {"fiber": 0, "switch": 1800, "own": 1200, "unknown": 0}
    utara = rows["Kecamatan Utara"]
    assert (utara.outages, utara.downtime_s, utara.by_cause["own"]) == (1, 1800, 1800)
    rsud = rows["RSUD"]  # open at the month's end: counted up to its end, not to "now"
    assert (rsud.outages, rsud.downtime_s, rsud.by_cause["own"]) == (1, 3600, 3600)
    assert rsud.availability_pct == pct(3600)
    for quiet in ("Balai Kota", "Kecamatan Selatan"):
        assert (rows[quiet].outages, rows[quiet].downtime_s, rows[quiet].availability_pct) == (0, 0, 100.0)
    for r in report.sites:
        assert sum(r.by_cause.values()) == r.downtime_s


def test_groups_agencies_worst_and_planned_works(report: Report) -> None:
    utara = next(g for g in report.groups["district"] if g.name == "Magelang Utara")
    assert (utara.sites, utara.outages, utara.downtime_s, utara.planned_s) == (3, 4, 6300 + 3000 + 1800, 4500)
    assert utara.availability_pct == round(100 * (1 - 11100 / (3 * MONTH_S - 4500)), 4)
    agencies = {g.name: g for g in report.groups["agency"]}
    assert agencies["Dinas Pendidikan"].sites == 2 and agencies["Dinas Kesehatan"].sites == 1
    assert agencies["Kecamatan Utara"].sites == 1  # a kecamatan office is its own agency
    assert [s.site for s in report.worst()] == ["SMP Negeri 1", "RSUD", "SD Negeri 2", "Kecamatan Utara"]
    [works] = report.planned_works
    assert works.sites == ("SMP Negeri 1",) and works.occurrences == ((at(20, 1), at(20, 3)),)
    planned = [o for o in report.outages if o.planned]
    assert [(o.started_at, o.in_period_s) for o in planned] == [(at(20, 1, 30), 3600)]
    assert report.totals().outages == 5  # distinct outages with downtime; the planned one apart


def test_csv_and_json_carry_the_same_figures(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(report))))
    assert list(rows[0]) == list(formats.CSV_COLUMNS)
    smp = next(r for r in rows if r["site"] == "SMP Negeri 1")
    assert smp == {"site": "SMP Negeri 1", "district": "Magelang Utara", "kind": "school",
                   "agency": "Dinas Pendidikan", "outages": "3", "downtime_s": "6300", "planned_s": "4500",
                   "availability_pct": f"{pct(6300, 4500):.4f}", "fiber_s": "4500", "switch_s": "1800",
                   "own_s": "0", "unknown_s": "0"}
    data = json.loads(formats.to_json(report))
    assert data["period"] == {"label": "2026-11", "start": "2026-11-01T00:00:00Z",
                              "end": "2026-12-01T00:00:00Z"}
    assert next(s for s in data["sites"] if s["site"] == "SMP Negeri 1")["downtime_s"] == 6300


def test_a_month_not_over_counts_up_to_now(engine: Engine, settings: Settings) -> None:
    november(engine, settings)
    now = at(30, 23, 30)
    with session_scope(engine) as session:
        early = availability_report.build(session, NOV, Filters(site="rsud"), now)
    [rsud] = early.sites
    assert rsud.downtime_s == 1800 and early.measured_until == now
    assert rsud.availability_pct == round(100 * (1 - 1800 / (MONTH_S - 1800)), 4)


def test_month_bounds_are_local_and_ranges_include_the_last_day() -> None:
    wib = ZoneInfo("Asia/Jakarta")
    nov = period.month("2026-11", wib)
    assert nov.start == datetime(2026, 10, 31, 17, tzinfo=UTC) and nov.seconds == MONTH_S
    assert period.month("2026-12", UTC).end == datetime(2027, 1, 1, tzinfo=UTC)
    span = period.between("2026-11-01", "2026-11-15", UTC)
    assert span.end == at(16, 0) and span.label == "2026-11-01..2026-11-15"
    assert period.between("2026-11-01T06:00", "2026-11-01T07:30", UTC).seconds == 5400
    for bad in ("2026-13", "11-2026", "nov"):
        with pytest.raises(period.PeriodError, match="give a month like 2026-11"):
            period.month(bad, UTC)
    with pytest.raises(period.PeriodError, match="not after"):
        period.between("2026-11-02", "2026-11-01", UTC)
    with pytest.raises(period.PeriodError, match="give a date"):
        period.between("yesterday", "2026-11-01", UTC)


def test_filters_and_did_you_mean(engine: Engine, settings: Settings) -> None:
    City.seeded(engine, settings)
    with session_scope(engine) as session:
        schools = availability_report.build(session, NOV, Filters(kind="school"), AFTER)
        assert [s.site for s in schools.sites] == ["SD Negeri 2", "SMP Negeri 1"]
        north = availability_report.build(session, NOV, Filters(district="magelang utara"), AFTER)
        assert {s.district for s in north.sites} == {"Magelang Utara"}
        with pytest.raises(availability_report.ReportError, match="did you mean Magelang Utara"):
            availability_report.build(session, NOV, Filters(district="Magelang Utar"), AFTER)
        with pytest.raises(availability_report.ReportError, match="no site 'SMP Negeri 9'; did you mean"):
            availability_report.build(session, NOV, Filters(site="SMP Negeri 9"), AFTER)


def test_overlapping_outages_of_one_site_count_once_and_go_to_the_first(engine: Engine,
                                                                         settings: Settings) -> None:
    """Stored outages (no polls needed): a fiber cut 10:00-11:00 and its switch dead 10:30-12:00
    overlap at the school; both are counted, the hour and a half overlap once."""
    from inventory.models import Outage

    City.seeded(engine, settings)
    with session_scope(engine) as session:
        session.add_all([
            Outage(root_cause_type="link", root_cause="dist:sfp1--smpn1:sfp1", started_at=at(3, 10),
                   ended_at=at(3, 11), affected_sites=["SMP Negeri 1"]),
            Outage(root_cause_type="device", root_cause="dist", started_at=at(3, 10, 30),
                   ended_at=at(3, 12), affected_sites=["SMP Negeri 1", "Kecamatan Utara"]),
            Outage(root_cause_type="site", root_cause="?", started_at=at(30, 23, 30),
                   ended_at=at(2, 0, month=12), affected_sites=["SMP Negeri 1"]),
        ])
    with session_scope(engine) as session:
        [smp] = availability_report.build(session, NOV, Filters(site="SMP Negeri 1"), AFTER).sites
    assert (smp.outages, smp.downtime_s) == (3, 7200 + 1800)
    assert smp.by_cause == {"fiber": 3600, "switch": 3600, "own": 0, "unknown": 1800}
