"""The inventory models on both backends: constraints, cascades, UTC datetimes, declared vs observed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from inventory.db import session_scope
from inventory.models import Credential, Device, Interface, Link, ObservedFacts, Site


def _network(engine: Engine) -> None:
    with session_scope(engine) as s:
        site = Site(
            name="Balai Kota", kind="core", district="Magelang Tengah", latitude=-7.48, longitude=110.22
        )
        cred = Credential(name="c", type="snmp", snmp_version="2c", community="env:C")
        dev = Device(name="core-1", address="192.0.2.1", site=site, snmp_credential=cred, role="core")
        a, b = Interface(device=dev, name="Gi1"), Interface(device=dev, name="Gi2")
        s.add_all([site, cred, dev, a, b])
        s.flush()
        s.add(Link(a_interface_id=a.id, b_interface_id=b.id, medium="fiber", declared=True))


def test_defaults_and_relationships(db_engine: Engine) -> None:
    _network(db_engine)
    with session_scope(db_engine) as s:
        dev = s.scalars(select(Device)).one()
        assert (dev.snmp_port, dev.ssh_port, dev.enabled, dev.source) == (161, 22, True, "declared")
        assert dev.site is not None and dev.site.name == "Balai Kota"
        assert dev.snmp_credential is not None and dev.snmp_credential.community == "env:C"
        assert sorted(i.name for i in dev.interfaces) == ["Gi1", "Gi2"]


@pytest.mark.parametrize("model", ["site", "device", "credential", "interface"])
def test_unique_names(db_engine: Engine, model: str) -> None:
    _network(db_engine)
    with pytest.raises(IntegrityError), session_scope(db_engine) as s:
        if model == "site":
            s.add(Site(name="Balai Kota"))
        elif model == "device":
            s.add(Device(name="core-1", address="192.0.2.9"))
        elif model == "credential":
            s.add(Credential(name="c", type="ssh"))
        else:
            dev = s.scalars(select(Device)).one()
            s.add(Interface(device_id=dev.id, name="Gi1"))
        s.flush()


def test_deleting_a_device_cascades_to_interfaces_and_links(db_engine: Engine) -> None:
    _network(db_engine)
    with session_scope(db_engine) as s:
        s.delete(s.scalars(select(Device)).one())
    with session_scope(db_engine) as s:
        assert s.scalar(select(func.count()).select_from(Interface)) == 0
        assert s.scalar(select(func.count()).select_from(Link)) == 0
        assert s.scalar(select(func.count()).select_from(Site)) == 1


def test_deleting_a_site_keeps_its_devices(db_engine: Engine) -> None:
    _network(db_engine)
    with session_scope(db_engine) as s:
        s.delete(s.scalars(select(Site)).one())
    with session_scope(db_engine) as s:
        assert s.scalars(select(Device)).one().site_id is None


def test_datetimes_come_back_aware_in_utc(db_engine: Engine) -> None:
    _network(db_engine)
    wib = timezone(timedelta(hours=7))
    learned = datetime(2026, 5, 1, 9, 30, tzinfo=wib)
    with session_scope(db_engine) as s:
        dev = s.scalars(select(Device)).one()
        s.add(ObservedFacts(device_id=dev.id, sys_name="core-1.magelang", learned_at=learned))
    with session_scope(db_engine) as s:
        facts = s.scalars(select(ObservedFacts)).one()
        assert facts.learned_at == learned
        assert facts.learned_at is not None and facts.learned_at.utcoffset() == timedelta(0)
        assert facts.learned_at.tzinfo == UTC


def test_naive_datetimes_are_refused(db_engine: Engine) -> None:
    _network(db_engine)
    with pytest.raises(Exception, match="naive"), session_scope(db_engine) as s:
        dev = s.scalars(select(Device)).one()
        s.add(ObservedFacts(device_id=dev.id, learned_at=datetime(2026, 1, 1)))
        s.flush()


def test_session_scope_rolls_back_on_error(db_engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(db_engine) as s:
        s.add(Site(name="temporary"))
        s.flush()
        raise RuntimeError("boom")
    with session_scope(db_engine) as s:
        assert s.scalar(select(func.count()).select_from(Site)) == 0
