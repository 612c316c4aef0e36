"""Sustained loss or latency far above usual -> impaired device -> degraded sites and one outage.

A seeded network (core, two distribution switches in a ring, schools behind one of them), status
cycles applied through the one path (``netops.apply.apply_results``) with each device's ICMP
burst, a fake clock a minute per cycle. Everything the help desk reads is what the monitor stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from inventory.db import session_scope
from inventory.models import Device, Interface, LatencyRollup, LatencySample, Outage, Site, SiteState
from netops.apply import apply_results
from netops.monitor.monitor import Evaluation, Monitor, Probe
from netops.monitor.network_view import NetworkViews
from netops.monitor.retention import run_retention
from netops.polling.icmp import IcmpStats
from netops.settings import Settings
from netops.store.latency import record_latency
from tests.monitor.seed import seed

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
DEVICES = [
    {"name": "core", "address": "127.0.0.2", "site": "Balai Kota", "role": "core"},
    {"name": "dist", "address": "127.0.0.3", "site": "Kecamatan Utara", "role": "distribution"},
    {"name": "dist2", "address": "127.0.0.4", "site": "Kecamatan Selatan", "role": "distribution"},
    {"name": "smpn1", "address": "127.0.0.5", "site": "SMP Negeri 1"},
    {"name": "sdn2", "address": "127.0.0.6", "site": "SD Negeri 2"},
    {"name": "kel", "address": "127.0.0.8", "site": "Kelurahan Potrobangsan"},
    {"name": "sdn9", "address": "127.0.0.9", "site": "SD Negeri 9"},
]
LINKS = [("core", "xe1", "dist", "xe1"), ("dist", "xe2", "dist2", "xe1"), ("dist2", "xe2", "core", "xe2"),
         ("dist", "sfp1", "smpn1", "sfp1"), ("dist", "sfp2", "sdn2", "sfp1"),
         ("dist2", "sfp3", "kel", "sfp1"), ("kel", "sfp2", "sdn9", "sfp1")]  # sdn9 chained behind kel
CLEAN = (5, 5, 5, 5, 5)
LOSSY = (4, 3, 4, 3, 4, 3, 4, 3, 4, 3)  # 30 % of the echoes lost, a few every burst


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    with session_scope(engine) as session:
        seed(session, DEVICES, LINKS)
        for row in session.scalars(select(Interface)):
            row.oper_status, row.admin_status = "up", "up"
    yield engine


class Network:
    """Status cycles a minute apart: every device answers SNMP; ICMP bursts as the test says."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.monitor = Monitor(settings)
        self.minute = 0

    def cycle(self, received: Mapping[str, int] | None = None, rtt: Mapping[str, float] | None = None,
              silent: frozenset[str] = frozenset(), sent: int = 5) -> Evaluation:
        """One cycle at T0 + minute: ``received`` echoes of ``sent`` (default all), mean ``rtt`` (4 ms)."""
        now = T0 + timedelta(minutes=self.minute)
        self.minute += 1
        bursts = {}
        for d in DEVICES:
            name = d["name"]
            got = (received or {}).get(name, sent)
            mean = (rtt or {}).get(name, 4.0)
            bursts[name] = IcmpStats(sent, got, mean * 0.8 if got else None, mean if got else None,
                                     mean * 1.5 if got else None, now)
        probes = {d["name"]: Probe(d["name"], d["name"] not in silent, bursts[d["name"]].answered,
                                   "timeout" if d["name"] in silent else None) for d in DEVICES}
        with session_scope(self.engine) as session:
            return apply_results(session, self.monitor, [], job="status", now=now, probes=probes,
                                 latency=bursts).evaluation


def site(session: Session, name: str) -> tuple[str, str]:
    query = select(SiteState).join(Site, Site.id == SiteState.site_id).where(Site.name == name)
    state = session.scalar(query)
    assert state is not None
    return state.state, state.reason


def outages(engine: Engine) -> list[Outage]:
    with session_scope(engine) as session:
        rows = list(session.scalars(select(Outage).order_by(Outage.id)))
        session.expunge_all()
        return rows


def test_sustained_loss_degrades_the_site_with_a_loss_cause_and_one_outage(db: Engine,
                                                                          settings: Settings) -> None:
    net = Network(db, settings)
    first = net.cycle({"smpn1": 3})
    second = net.cycle({"smpn1": 4})
    assert "smpn1" not in first.impaired and "smpn1" not in second.impaired, "two bursts are not sustained"
    assert outages(db) == []
    third = net.cycle({"smpn1": 3})
    assert third.impaired["smpn1"] == "33 % of packets lost over the last 5 min"
    assert third.site_states["SMP Negeri 1"] == "degraded"
    assert third.device_states["smpn1"] == "up", "a lossy switch is up: its site is degraded, not offline"
    [outage] = outages(db)
    assert (outage.root_cause_type, outage.root_cause) == ("device", "smpn1")
    assert outage.degraded_sites == ["SMP Negeri 1"] and outage.affected_sites == []
    assert outage.cause_text == "33 % of packets lost over the last 5 min"
    assert outage.cause_words["en"] == (
        "the connection through SMP Negeri 1 loses packets or is slow (smpn1): "
        "33 % of packets lost over the last 5 min")
    assert outage.cause_words["id"] == (
        "koneksi melalui SMP Negeri 1 kehilangan paket atau lambat (smpn1): "
        "33 % paket hilang dalam 5 menit terakhir")
    assert third.outages.opened == [outage.id]
    with session_scope(db) as session:
        assert site(session, "SMP Negeri 1") == ("degraded", "impaired")
        assert site(session, "SD Negeri 2") == ("connected", "")
    view = NetworkViews(db).current()
    row = view.status_row(view.sites["SMP Negeri 1"])
    assert row["state"] == "degraded" and row["root_cause"] == {"type": "device", "name": "smpn1"}
    assert row["cause"] == ("slow or unstable: the connection through SMP Negeri 1 loses packets or is slow "
                            "(smpn1)")
    assert view.status_row(view.sites["SMP Negeri 1"], "id")["cause"].startswith("lambat atau tidak stabil: ")
    for n in range(4):  # the loss goes on: the same outage, no new ones
        assert not net.cycle({"smpn1": LOSSY[n]}).outages.opened
    assert [o.id for o in outages(db)] == [outage.id]


def test_loss_that_stops_closes_the_outage_once_the_window_is_clean(db: Engine, settings: Settings) -> None:
    net = Network(db, settings)
    for n in range(5):
        net.cycle({"smpn1": LOSSY[n]})
    [outage] = outages(db)
    closed_at = None
    for minute in range(8):
        result = net.cycle()
        if result.outages.closed:
            closed_at = minute
            break
    assert closed_at is not None and closed_at >= 2, "recovers when the window's loss is below 70 % of 10 %"
    [closed] = outages(db)
    assert closed.id == outage.id and closed.ended_at is not None
    assert net.cycle().site_states["SMP Negeri 1"] == "connected"


def test_a_fresh_monitor_keeps_an_open_impairment_by_its_outage(db: Engine, settings: Settings) -> None:
    """After a restart the hysteresis comes from the open outage: 7.5 % loss keeps it open."""
    net = Network(db, settings)
    for n in range(5):
        net.cycle({"smpn1": LOSSY[n]})
    for n in range(8):
        net.monitor = Monitor(settings)  # a restart every cycle
        result = net.cycle({"smpn1": 19 - n % 2}, sent=20)  # 1 or 2 of 20 lost: 7.5 % over the window
    assert "smpn1" in result.impaired
    assert len(outages(db)) == 1 and outages(db)[0].ended_at is None


def test_the_impaired_device_closest_to_the_core_is_the_root_cause(db: Engine, settings: Settings) -> None:
    net = Network(db, settings)
    for n in range(4):
        result = net.cycle({"kel": LOSSY[n], "sdn9": LOSSY[n + 1]})
    assert set(result.impaired) == {"kel", "sdn9"}
    [outage] = outages(db)
    assert (outage.root_cause_type, outage.root_cause) == ("device", "kel")
    assert outage.degraded_sites == ["Kelurahan Potrobangsan", "SD Negeri 9"]
    assert result.site_states["SD Negeri 9"] == result.site_states["Kelurahan Potrobangsan"] == "degraded"
    assert result.site_states["SMP Negeri 1"] == "connected"


def test_a_device_that_was_down_is_not_lossy_after_it_comes_back(db: Engine, settings: Settings) -> None:
    net = Network(db, settings)
    net.cycle()
    for _ in range(3):
        net.cycle({"smpn1": 0}, silent=frozenset({"smpn1"}))
    [down] = outages(db)
    assert (down.root_cause, down.ended_at) == ("smpn1", None)
    for _ in range(4):
        result = net.cycle()
    assert "smpn1" not in result.impaired
    [closed] = outages(db)
    assert closed.id == down.id and closed.ended_at is not None


def test_a_device_that_never_answers_ping_is_never_judged(db: Engine, settings: Settings) -> None:
    net = Network(db, settings)
    for _ in range(6):
        result = net.cycle({"smpn1": 0})  # SNMP answers, ICMP filtered
    assert result.device_states["smpn1"] == "up" and not result.impaired and outages(db) == []


def add_baseline(engine: Engine, device: str, median_ms: float, hours: int = 6) -> None:
    with session_scope(engine) as session:
        device_id = session.scalar(select(Device.id).where(Device.name == device))
        for h in range(1, hours + 1):
            session.add(LatencyRollup(device_id=device_id, hour=T0 - timedelta(hours=h), samples=60, sent=300,
                                      received=300, rtt_min_ms=median_ms * 0.8, rtt_median_ms=median_ms,
                                      rtt_avg_ms=median_ms, rtt_max_ms=median_ms * 2))


def test_latency_far_above_the_usual_degrades_the_site_as_slow(db: Engine, settings: Settings) -> None:
    add_baseline(db, "smpn1", 4.0)
    add_baseline(db, "sdn2", 4.0, hours=2)  # too little history for a usual round trip
    net = Network(db, settings)
    for _ in range(4):
        result = net.cycle(rtt={"smpn1": 180.0, "sdn2": 180.0, "dist2": 15.0})
    assert result.impaired == {"smpn1": "round trip 180 ms, usually 4 ms"}
    [outage] = outages(db)
    assert outage.root_cause == "smpn1" and outage.degraded_sites == ["SMP Negeri 1"]
    assert outage.cause_words["id"].endswith(": latensi 180 ms, biasanya 4 ms")


def test_the_quick_path_notices_a_device_becoming_impaired(db: Engine, settings: Settings) -> None:
    """A batch where no port and no verdict changed still re-assesses when a device became lossy."""
    net = Network(db, settings)
    for _ in range(2):
        net.cycle()
    for minute in range(2, 6):
        now = T0 + timedelta(minutes=minute)
        with session_scope(db) as session:
            record_latency(session, {"smpn1": IcmpStats(5, 3, 3.0, 4.0, 6.0, now)})
            session.flush()
            result = net.monitor.evaluate(session, {"smpn1": Probe("smpn1", True, True)}, now, quick=True)
    assert result.assessment is None, "the last batch changed nothing: the quick path"
    with session_scope(db) as session:
        assert site(session, "SMP Negeri 1") == ("degraded", "impaired")
    with session_scope(db) as session:  # nothing new: the quick path is taken again
        later = T0 + timedelta(minutes=6)
        quiet = net.monitor.evaluate(session, {"smpn1": Probe("smpn1", True, True)}, later, quick=True)
    assert quiet.assessment is None


def test_retention_rolls_latency_up_per_hour_and_purges_old_samples(db: Engine, settings: Settings) -> None:
    monitor = dataclasses.replace(settings.monitor, counters_raw_days=1)
    settings = dataclasses.replace(settings, monitor=monitor)
    start = T0 - timedelta(days=2)
    with session_scope(db) as session:
        rows = {"smpn1": [], "sdn2": []}
        for minute in range(0, 2 * 24 * 60 + 90, 30):
            at = start + timedelta(minutes=minute)
            answered = 5 if minute % 60 else 0
            rows["smpn1"].append(IcmpStats(5, answered, 2.0, 4.0 + (minute % 60) / 30, 9.0, at))
            rows["sdn2"].append(IcmpStats(5, 4, 1.0, 1.5, 2.0, at))
        for name in rows:
            for stats in rows[name]:
                record_latency(session, {name: stats})
    report = run_retention(db, settings, now=T0 + timedelta(minutes=95))
    again = run_retention(db, settings, now=T0 + timedelta(minutes=95))
    assert report.latency_rollups_written == 2 * (2 * 24 + 1) and again.latency_rollups_written == 2
    assert report.latency_deleted > 0 and again.latency_deleted == 0
    with session_scope(db) as session:
        smpn1 = session.scalar(select(Device.id).where(Device.name == "smpn1"))
        hour = session.scalar(select(LatencyRollup).where(LatencyRollup.device_id == smpn1,
                                                          LatencyRollup.hour == T0 - timedelta(hours=5)))
        assert hour is not None
        assert (hour.samples, hour.sent, hour.received) == (2, 10, 5)  # :00 lost everything, :30 answered
        assert (hour.rtt_min_ms, hour.rtt_median_ms, hour.rtt_avg_ms, hour.rtt_max_ms) == (2.0, 5.0, 5.0, 9.0)
        oldest = session.scalar(select(LatencySample.sampled_at).order_by(LatencySample.sampled_at).limit(1))
        assert oldest is not None and oldest >= T0 - timedelta(days=1, hours=1)
        assert session.query(LatencyRollup).count() == 2 * (2 * 24 + 1)
