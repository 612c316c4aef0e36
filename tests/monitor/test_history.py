"""Availability from outages, retention and rollups, trap varbind parsing, the outage JSON shape."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from inventory.db import session_scope
from inventory.models import CounterRecord, CounterRollup, Device, Event, Interface, Outage
from netops.monitor.availability import availability, merged_downtime
from netops.monitor.queries import active_outages, outage_history
from netops.monitor.retention import run_retention
from netops.polling.traps import parse_varbinds
from netops.settings import Settings
from tests.monitor.seed import seed

NOW = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)


def _outage(
    engine: Engine, start_h: float, hours: float | None, sites: list[str], cause: str = "dist"
) -> None:
    with session_scope(engine) as session:
        started = NOW - timedelta(hours=start_h)
        session.add(
            Outage(
                root_cause_type="device",
                root_cause=cause,
                started_at=started,
                ended_at=None if hours is None else started + timedelta(hours=hours),
                affected_sites=sites,
                affected_devices=[cause, "school"],
            )
        )


def test_availability_merges_overlapping_outages_per_window(engine: Engine) -> None:
    _outage(engine, 10, 2, ["SD 1"])
    _outage(engine, 9, 2, ["SD 1", "SD 2"], cause="link-x")  # overlaps the first by one hour
    _outage(engine, 24 * 3, 24, ["SD 1"])  # only inside 7 d and 30 d
    with session_scope(engine) as session:
        rows = {(a.element, a.window): a for a in availability(session, "site", ["SD 1", "SD 2"], NOW)}
    assert rows[("SD 1", "24h")].downtime_s == 3 * 3600
    assert rows[("SD 1", "24h")].percent == round(100 * (1 - 3 / 24), 4)
    assert rows[("SD 1", "7d")].downtime_s == 27 * 3600
    assert rows[("SD 2", "24h")].downtime_s == 2 * 3600
    assert merged_downtime([]) == 0


def test_open_outage_counts_until_now_and_json_shape(engine: Engine) -> None:
    _outage(engine, 1, None, ["SD 1"])
    with session_scope(engine) as session:
        [row] = availability(session, "device", ["school"], NOW, windows=["24h"])
        [active] = active_outages(session, now=NOW)
        history = outage_history(session, since=NOW - timedelta(hours=2), now=NOW)
    assert row.downtime_s == 3600
    assert active.to_json() == {
        "id": active.id,
        "root_cause": {"type": "device", "name": "dist"},
        "affected_sites": ["SD 1"],
        "affected_devices": ["dist", "school"],
        "started_at": "2026-05-31T11:00:00Z",
        "ended_at": None,
        "duration_s": 3600.0,
        "flapping": False,
        "degraded_sites": [],
        "cause": {},
        "evidence": None,
        "planned": False,
        "maintenance_id": None,
        "acknowledged_by": None,
        "acknowledged_at": None,
        "assignee": None,
        "notes": [],
    }
    assert [o.id for o in history] == [active.id]


def test_retention_rolls_up_hours_before_purging_raw_samples(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        seed(session, [{"name": "sw", "address": "127.0.0.9", "site": "S"}], [])
        device = session.scalar(select(Device))
        assert device is not None
        iface = Interface(device_id=device.id, name="sfp1")
        session.add(iface)
        session.flush()
        old = NOW - timedelta(days=10)
        for minute in range(0, 60, 5):
            session.add(
                CounterRecord(
                    interface_id=iface.id,
                    sampled_at=old.replace(minute=minute),
                    in_octets=0,
                    out_octets=0,
                    in_bps=1000.0 + minute,
                    out_bps=10.0,
                )
            )
        session.add(CounterRecord(interface_id=iface.id, sampled_at=NOW - timedelta(hours=2), in_bps=5.0))
        session.add(Event(at=NOW - timedelta(days=200), element_type="device", element="sw", new_state="up"))
        session.add(Event(at=NOW - timedelta(days=1), element_type="device", element="sw", new_state="down"))
    monitor = dataclasses.replace(settings.monitor, counters_raw_days=7)
    settings = dataclasses.replace(settings, monitor=monitor)
    report = run_retention(engine, settings, now=NOW)
    again = run_retention(engine, settings, now=NOW)
    with session_scope(engine) as session:
        rollups = list(session.scalars(select(CounterRollup).order_by(CounterRollup.hour)))
        raw = session.scalar(select(func.count(CounterRecord.id)))
        events = session.scalar(select(func.count(Event.id)))
    assert report.counters_deleted == 12 and report.events_deleted == 1 and again.counters_deleted == 0
    assert raw == 1 and events == 1
    assert [r.samples for r in rollups] == [12, 1]  # the old hour and the recent complete hour
    assert rollups[0].in_bps_max == 1055.0 and rollups[0].in_bps_avg == 1027.5


def test_trap_varbinds_are_read_by_oid() -> None:
    link_down = [
        ("1.3.6.1.2.1.1.3.0", "77"),
        ("1.3.6.1.6.3.1.1.4.1.0", "1.3.6.1.6.3.1.1.5.3"),
        ("1.3.6.1.2.1.2.2.1.1.11", "11"),
        ("1.3.6.1.2.1.2.2.1.7.11", "1"),
        ("1.3.6.1.2.1.2.2.1.8.11", "2"),
    ]
    assert parse_varbinds(link_down) == ("linkDown", 11, "down")
    assert parse_varbinds([("1.3.6.1.6.3.1.1.4.1.0", "1.3.6.1.4.1.9.9.1")]) == (None, None, None)
    assert parse_varbinds([("1.3.6.1.6.3.1.1.4.1.0", "1.0.8802.1.1.2.0.0.1")])[0] == "lldpRemTablesChange"
