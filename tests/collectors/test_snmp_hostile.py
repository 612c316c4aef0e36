"""Hostile and malformed values from a real agent (snmpsim serving ``hostile_agent.py``):
non-UTF-8 and NUL-padded strings, control characters, a 5,000-character ifAlias, negative
gauges, strings where integers belong, duplicate names. Every kind must complete with safe
values, and the result must store in the database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from collectors.observations import PollKind, PollResult
from inventory.models import Device, Interface, NeighborRecord
from netops.store.persist import persist
from tests.collectors.conftest import DISCOVERY, poll_once, sim_target

CONTROL = {chr(c) for c in range(32)} | {"\x7f"}


@pytest.fixture(scope="module")
def hostile(snmpsim: int) -> PollResult:
    return poll_once(sim_target("hostile", snmpsim), DISCOVERY)


def test_every_kind_completes(hostile: PollResult) -> None:
    assert hostile.errors == ()
    assert hostile.completed == DISCOVERY


def test_facts_are_clean_text(hostile: PollResult) -> None:
    facts = hostile.facts
    assert facts is not None
    assert facts.sys_name == "sw\u00e9-core"  # Latin-1 fallback, NUL padding dropped
    assert facts.sys_descr == "Evil OS version 1\u00ff\u00fe"
    assert facts.sys_contact == "42"
    assert facts.sys_location == "<script>alert('x')</script> & <private>"  # escaping is the web's job
    for value in (facts.sys_name, facts.sys_descr, facts.sys_location):
        assert not CONTROL & set(value)


def test_interfaces_are_safe(hostile: PollResult) -> None:
    by_index = {i.if_index: i for i in hostile.interfaces}
    assert [by_index[i].name for i in (1, 2, 3)] == ["eth0", "port two", "eth0#3"]
    one, two, three = by_index[1], by_index[2], by_index[3]
    assert one.mtu is None and one.mac is None  # -1 MTU, 5-byte MAC
    assert one.speed_bps == 1_000_000_000  # negative ifHighSpeed ignored, ifSpeed used
    assert len(one.alias) <= 255 and one.alias.startswith("AAAA")
    assert one.last_change_s == 0.0  # ifLastChange after sysUpTime: never negative
    assert str(two.oper_status) == "unknown" and str(three.oper_status) == "unknown"
    assert two.if_type is None  # an OCTET STRING where an IANAifType INTEGER belongs
    counters = {c.if_index: c for c in hostile.counters}
    assert counters[1].in_octets == 2**64 - 1 and counters[1].counter_bits == 64


def test_neighbors_are_safe(hostile: PollResult) -> None:
    first, second = hostile.neighbors  # rows in index order
    assert first.chassis_id == "001122"  # a 3-byte "MAC" is shown as hex, not misparsed
    assert first.port_id == "aa:bb:cc:dd:ee:ff"
    assert not CONTROL & set(first.system_name)
    assert str(second.chassis_id_kind) == "other"
    assert "\x1b" not in second.port_id
    assert len(second.system_name) <= 255


def test_hostile_result_is_stored(hostile: PollResult, session: Session) -> None:
    session.add(Device(name="hostile", address="127.0.0.1"))
    session.commit()
    from dataclasses import replace

    persist(session, replace(hostile, device_key="hostile"), job="discovery")
    session.commit()
    names = {i.name for i in session.query(Interface).all()}
    assert names == {"eth0", "port two", "eth0#3"}
    assert session.query(NeighborRecord).count() == 2
    assert PollKind.NEIGHBORS in hostile.completed
