"""States -> events -> outages on a seeded database with a fake clock (no devices involved)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from inventory.db import session_scope
from inventory.models import Device, Event, Interface, Outage
from netops.monitor.monitor import Monitor, Probe
from netops.settings import Settings
from tests.monitor.seed import seed

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
DEVICES = [
    {"name": "core", "address": "127.0.0.2", "site": "Balai Kota", "role": "core"},
    {"name": "dist", "address": "127.0.0.3", "site": "Kecamatan Utara", "role": "distribution"},
    {"name": "dist2", "address": "127.0.0.4", "site": "Kecamatan Selatan", "role": "distribution"},
    {"name": "smpn1", "address": "127.0.0.5", "site": "SMP Negeri 1"},
    {"name": "sdn2", "address": "127.0.0.6", "site": "SD Negeri 2"},
    {"name": "rsud", "address": "127.0.0.7", "site": "RSUD"},
]
LINKS = [("core", "xe1", "dist", "xe1"), ("dist", "xe2", "dist2", "xe1"), ("dist2", "xe2", "core", "xe2"),
         ("dist", "sfp1", "smpn1", "sfp1"), ("dist", "sfp2", "sdn2", "sfp1"),
         ("dist", "sfp3", "rsud", "sfp1"), ("dist2", "sfp3", "rsud", "sfp2")]
UPLINK = "dist:sfp1--smpn1:sfp1"


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    with session_scope(engine) as session:
        seed(session, DEVICES, LINKS)
    yield engine


def set_ports(engine: Engine, status: str, *ports: tuple[str, str]) -> None:
    with session_scope(engine) as session:
        for device, port in ports:
            query = select(Interface).join(Device).where(Device.name == device, Interface.name == port)
            row = session.scalar(query)
            assert row is not None
            row.oper_status, row.admin_status = status, "up"


def cycle(engine: Engine, settings: Settings, at: datetime, silent: dict[str, bool | None] | None = None):
    """One status cycle: every device answers except ``silent`` (value = ICMP answer)."""
    silent = silent or {}
    probes = {d["name"]: Probe(d["name"], d["name"] not in silent, silent.get(d["name"]),
                               None if d["name"] not in silent else "timeout")
              for d in DEVICES}
    with session_scope(engine) as session:
        return Monitor(settings).evaluate(session, probes, at)


def outages(session: Session) -> list[Outage]:
    return list(session.scalars(select(Outage).order_by(Outage.id)))


def all_up(engine: Engine, settings: Settings) -> None:
    ports = [(a, ap) for a, ap, _, _ in LINKS] + [(b, bp) for _, _, b, bp in LINKS]
    set_ports(engine, "up", *ports)
    cycle(engine, settings, T0)


def test_uplink_cut_opens_one_outage_with_the_site_behind_and_restore_closes_it(
        db: Engine, settings: Settings) -> None:
    all_up(db, settings)
    set_ports(db, "down", ("dist", "sfp1"), ("smpn1", "sfp1"))
    first = cycle(db, settings, T0 + timedelta(seconds=60))
    again = cycle(db, settings, T0 + timedelta(seconds=120))
    assert len(first.outages.opened) == 1 and not again.outages.opened
    set_ports(db, "up", ("dist", "sfp1"), ("smpn1", "sfp1"))
    closed = cycle(db, settings, T0 + timedelta(seconds=185))
    with session_scope(db) as session:
        [outage] = outages(session)
        assert (outage.root_cause_type, outage.root_cause) == ("link", UPLINK)
        assert outage.affected_sites == ["SMP Negeri 1"]
        assert outage.affected_devices == ["smpn1"]
        assert closed.outages.closed == [outage.id]
        assert outage.ended_at is not None
        assert (outage.ended_at - outage.started_at).total_seconds() == 125
        rows = session.scalars(select(Event).order_by(Event.id))
        changes = [(e.element, e.old_state, e.new_state) for e in rows if e.at > T0]
    assert (UPLINK, "up", "down") in changes and (UPLINK, "down", "up") in changes
    assert ("smpn1", "up", "unreachable") in changes and ("smpn1", "unreachable", "up") in changes


def test_dead_distribution_switch_is_one_outage_listing_the_schools_behind_it(
        db: Engine, settings: Settings) -> None:
    all_up(db, settings)
    set_ports(db, "down", ("core", "xe1"), ("dist2", "xe1"), ("smpn1", "sfp1"), ("sdn2", "sfp1"),
              ("rsud", "sfp1"))
    result = cycle(db, settings, T0 + timedelta(seconds=60), silent={"dist": False})
    with session_scope(db) as session:
        [outage] = outages(session)
        assert (outage.root_cause_type, outage.root_cause) == ("device", "dist")
        # RSUD is dual-homed: not affected
        assert outage.affected_sites == ["Kecamatan Utara", "SD Negeri 2", "SMP Negeri 1"]
    assert result.device_states["dist"] == "down"
    assert result.device_states["smpn1"] == result.device_states["sdn2"] == "unreachable"
    assert result.device_states["rsud"] == "up"


def test_agent_down_is_not_an_outage(db: Engine, settings: Settings) -> None:
    all_up(db, settings)
    result = cycle(db, settings, T0 + timedelta(seconds=60), silent={"dist": True})
    assert result.device_states["dist"] == "agent_down"
    assert result.device_states["smpn1"] == "up"
    with session_scope(db) as session:
        assert outages(session) == []


def test_a_repeated_evaluation_after_restart_keeps_the_open_outage(db: Engine, settings: Settings) -> None:
    all_up(db, settings)
    cycle(db, settings, T0 + timedelta(seconds=60), silent={"smpn1": False})
    for minute in range(2, 5):
        result = cycle(db, settings, T0 + timedelta(minutes=minute), silent={"smpn1": False})
        assert not result.outages.opened and not result.events
    with session_scope(db) as session:
        assert [(o.root_cause, o.ended_at) for o in outages(session)] == [("smpn1", None)]


def test_flapping_link_is_marked_once_instead_of_many_outages(db: Engine, settings: Settings) -> None:
    settings = dataclasses.replace(settings, monitor=dataclasses.replace(settings.monitor, flap_changes=3,
                                                                          flap_window_s=600))
    all_up(db, settings)
    flapping = []
    for i in range(8):
        status = "down" if i % 2 == 0 else "up"
        set_ports(db, status, ("dist", "sfp1"), ("smpn1", "sfp1"))
        flapping += cycle(db, settings, T0 + timedelta(seconds=30 * (i + 1))).outages.flapping
    with session_scope(db) as session:
        rows = outages(session)
        assert len(rows) <= 2
        assert sum(o.flapping for o in rows) == 1 and len(flapping) == 1
        flap = next(o for o in rows if o.flapping)
        assert flap.ended_at is None  # recovered, but not yet stable for a whole window
    stable = cycle(db, settings, T0 + timedelta(seconds=30 * 8 + 601))
    assert stable.outages.closed == [flap.id]
    with session_scope(db) as session:
        closed = session.get(Outage, flap.id)
        assert closed is not None and closed.ended_at == T0 + timedelta(seconds=30 * 8)


def test_a_stale_down_port_next_to_a_rebooted_switch_opens_no_outage_until_it_persists(
        db: Engine, settings: Settings) -> None:
    all_up(db, settings)
    set_ports(db, "down", ("core", "xe1"), ("dist2", "xe1"), ("smpn1", "sfp1"), ("sdn2", "sfp1"),
              ("rsud", "sfp1"))
    cycle(db, settings, T0 + timedelta(seconds=60), silent={"dist": False})
    # dist is back; its neighbours' agents still serve a cached "down" for their ports to it
    set_ports(db, "up", ("core", "xe1"), ("dist2", "xe1"), ("sdn2", "sfp1"), ("rsud", "sfp1"))
    back = cycle(db, settings, T0 + timedelta(seconds=120))
    assert back.outages.closed and not back.outages.opened
    assert back.link_states.get(UPLINK) is None or back.link_states[UPLINK] != "down"
    set_ports(db, "down", ("dist", "sfp1"))  # now both ends agree: the fiber is really down
    settling = cycle(db, settings, T0 + timedelta(seconds=150))
    assert not settling.outages.opened  # a rebooted switch's ports are not trusted at once
    settle = settings.polling.status_interval_s + 6
    persists = cycle(db, settings, T0 + timedelta(seconds=120 + settle))
    assert len(persists.outages.opened) == 1  # still down after the settling time: a real fault


def test_a_cut_fiber_stays_the_root_cause_when_the_far_side_then_goes_silent(
        db: Engine, settings: Settings) -> None:
    all_up(db, settings)
    set_ports(db, "down", ("dist", "sfp1"), ("smpn1", "sfp1"))
    cut = cycle(db, settings, T0 + timedelta(seconds=60))  # smpn1 still answered this time
    silent = cycle(db, settings, T0 + timedelta(seconds=120), silent={"smpn1": False})
    later = cycle(db, settings, T0 + timedelta(seconds=180), silent={"smpn1": False})
    assert len(cut.outages.opened) == 1
    assert not silent.outages.opened and not silent.outages.closed and not later.outages.opened
    assert silent.device_states["smpn1"] == "unreachable"
    with session_scope(db) as session:
        [outage] = outages(session)
        assert (outage.root_cause_type, outage.root_cause, outage.ended_at) == ("link", UPLINK, None)
        assert outage.affected_devices == ["smpn1"] and outage.affected_sites == ["SMP Negeri 1"]
    set_ports(db, "up", ("dist", "sfp1"), ("smpn1", "sfp1"))
    repaired = cycle(db, settings, T0 + timedelta(seconds=240))
    assert repaired.outages.closed == cut.outages.opened
    assert repaired.device_states["smpn1"] == "up"


def test_a_dead_switch_seen_first_from_a_school_behind_it_moves_that_outage_to_the_switch(
        db: Engine, settings: Settings) -> None:
    all_up(db, settings)
    # the school behind dist is polled first in the cycle: silent, while dist still looks fine
    first = cycle(db, settings, T0 + timedelta(seconds=60), silent={"smpn1": False})
    set_ports(db, "down", ("core", "xe1"), ("dist2", "xe1"), ("rsud", "sfp1"))
    dead = cycle(db, settings, T0 + timedelta(seconds=90), silent={"smpn1": False, "sdn2": False,
                                                                   "dist": False})
    assert len(first.outages.opened) == 1
    assert dead.outages.moved == first.outages.opened and not dead.outages.opened
    assert not dead.outages.closed
    with session_scope(db) as session:
        [outage] = outages(session)
        assert (outage.root_cause_type, outage.root_cause) == ("device", "dist")
        assert outage.started_at == T0 + timedelta(seconds=60) and outage.ended_at is None
        assert "first seen as device smpn1" in (outage.cause_text or "")
        assert outage.affected_devices == ["dist", "sdn2", "smpn1"]
    assert dead.device_states["dist"] == "down" and dead.device_states["smpn1"] == "unreachable"


def test_a_flapping_outage_closes_a_window_after_its_last_recovery_despite_later_unreachability(
        db: Engine, settings: Settings) -> None:
    settings = dataclasses.replace(settings, monitor=dataclasses.replace(settings.monitor, flap_changes=4,
                                                                          flap_window_s=300))
    all_up(db, settings)
    at = T0
    for _ in range(3):  # smpn1 reboots three times in six minutes
        at += timedelta(seconds=60)
        cycle(db, settings, at, silent={"smpn1": False})
        at += timedelta(seconds=60)
        cycle(db, settings, at)
    recovered = at
    with session_scope(db) as session:
        [flap] = [o for o in outages(session) if o.flapping]
        assert (flap.root_cause, flap.ended_at) == ("smpn1", None)
    # later dist fails for a minute: smpn1 is unreachable behind it, not failing itself
    set_ports(db, "down", ("core", "xe1"), ("dist2", "xe1"), ("rsud", "sfp1"))
    dead = cycle(db, settings, at + timedelta(seconds=120), silent={"dist": False, "smpn1": False,
                                                                    "sdn2": False})
    assert flap.id not in dead.outages.moved
    set_ports(db, "up", ("core", "xe1"), ("dist2", "xe1"), ("rsud", "sfp1"))
    cycle(db, settings, at + timedelta(seconds=180))
    early = cycle(db, settings, at + timedelta(seconds=290))
    assert flap.id not in early.outages.closed
    stable = cycle(db, settings, at + timedelta(seconds=301))
    assert flap.id in stable.outages.closed
    with session_scope(db) as session:
        closed = session.get(Outage, flap.id)
        assert closed is not None and closed.ended_at == recovered and closed.root_cause == "smpn1"
