"""ICMP bursts through the workers: what a ping task asks for, how its answers come back, and
that an address without a live worker is unknown, never a lost echo.

The scheduler side runs on a real (SQLite) database with a stand-in for the broker that writes
the rows a worker would; the worker side (``TaskPoller.ping``) sends a real burst to loopback.
The real thing end to end (a worker inside a network namespace) is
tests/integration/test_worker_icmp.py.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from inventory.db import session_scope
from inventory.models import Device, PollOutcome
from netops.polling import remote_icmp
from netops.polling.executor import CURRENT_JOB_RUN
from netops.polling.icmp import BurstSettings, IcmpStats, has_net_raw
from netops.polling.outcomes import write_outcomes
from netops.polling.remote_icmp import PING_TASK, RemotePings, burst_of, shape_of
from netops.polling.result_codec import decode_icmp, encode_icmp
from netops.polling.worker import TaskPoller
from netops.settings import Settings

NORTH, SOUTH, STRANGER = "10.1.0.1", "10.2.0.1", "10.9.9.9"
STATS = IcmpStats(5, 4, 0.5, 0.75, 1.25, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))


def test_icmp_answers_cross_as_json_and_come_back_equal() -> None:
    assert decode_icmp(encode_icmp(STATS)) == STATS
    assert decode_icmp(encode_icmp(IcmpStats(5, 0, at=STATS.at))) == IcmpStats(5, 0, at=STATS.at)
    assert encode_icmp(None) == "null" and decode_icmp("null") is None


def test_a_ping_task_asks_for_the_schedulers_burst_held_to_the_configured_bounds() -> None:
    default = BurstSettings(5, 0.2, 1.0)
    assert burst_of(shape_of(BurstSettings(3, 0.1, 0.5)), default) == BurstSettings(3, 0.1, 0.5)
    assert burst_of([10**6, 0.0, 3600], default) == BurstSettings(100, 0.01, 10.0)  # a forged task: no flood
    assert burst_of(None, default) == default and burst_of([1, 2], default) == default


def test_cap_net_raw_in_the_effective_set_means_raw_sockets() -> None:
    assert has_net_raw("Name:\tnetops\nCapInh:\t0000000000000000\nCapEff:\t0000000000002000\n")
    assert not has_net_raw("CapEff:\t0000000000000400\n")  # CAP_NET_BIND_SERVICE only
    assert not has_net_raw("Name:\tnetops\n")


class Broker:
    """Stands in for Celery's ``send_task``: records the messages, and answers like a worker would
    (or not at all, or refuses them like a broker that is away)."""

    def __init__(self, engine: Engine, mode: str = "answer") -> None:
        self.engine, self.mode, self.sent = engine, mode, []  # type: ignore[var-annotated]

    def send_task(self, name: str, *, args: list[Any], task_id: str, queue: str, **options: Any) -> None:
        if self.mode == "refuse":
            raise ConnectionError("broker away")
        self.sent.append((name, args, queue, options))
        if self.mode == "answer":
            write_outcomes(self.engine, task_id, args[2], "w1", [(a, encode_icmp(STATS)) for a in args[0]])


@pytest.fixture
def fast(settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(remote_icmp, "PING_GRACE_S", 0.2)
    with session_scope(engine) as session:
        session.add_all([Device(name="n1", address=NORTH, poll_group="north"),
                         Device(name="n2", address=NORTH, poll_group="south"),  # one address, two groups
                         Device(name="s1", address=SOUTH, poll_group="south")])
    return replace(settings, monitor=replace(settings.monitor, icmp_count=2, icmp_interval_s=0.05,
                                             icmp_timeout_s=0.1))


def pings(settings: Settings, engine: Engine, broker: Broker) -> RemotePings:
    return RemotePings(settings, engine, broker, lambda: {"netops.north"})  # type: ignore[arg-type]


def test_each_address_goes_to_a_live_worker_of_its_group_and_the_rest_is_unknown(
        fast: Settings, engine: Engine) -> None:
    broker = Broker(engine)
    remote = pings(fast, engine, broker)
    token = CURRENT_JOB_RUN.set(77)
    try:
        answers = remote.ping([NORTH, SOUTH, STRANGER, NORTH]).result(timeout=5)
    finally:
        CURRENT_JOB_RUN.reset(token)
        remote.close()
    assert answers == {NORTH: STATS, SOUTH: None, STRANGER: None}
    [(name, args, queue, options)] = broker.sent
    assert (name, args, queue) == (PING_TASK, [[NORTH], [2, 0.05, 0.1], 77], "netops.north")
    assert options["expires"] == pytest.approx(0.15 + 0.2) and options["retry"] is False
    with session_scope(engine) as session:
        assert session.scalars(select(PollOutcome.taken_at)).all()[0] is not None  # taken once


def test_no_answer_from_the_worker_is_unknown_once_the_burst_and_its_grace_are_over(
        fast: Settings, engine: Engine) -> None:
    remote = pings(fast, engine, Broker(engine, mode="silent"))
    started = time.monotonic()
    try:
        answers = remote.ping([NORTH]).result(timeout=5)
    finally:
        remote.close()
    assert answers == {NORTH: None}
    assert 0.3 <= time.monotonic() - started < 2.0


def test_a_broker_that_refuses_the_task_is_unknown_at_once(fast: Settings, engine: Engine) -> None:
    remote = pings(fast, engine, Broker(engine, mode="refuse"))
    try:
        assert remote.ping([NORTH, SOUTH]).result(timeout=0.5) == {NORTH: None, SOUTH: None}
    finally:
        remote.close()


def test_closing_ends_bursts_still_out_with_unknown(fast: Settings, engine: Engine) -> None:
    remote = pings(fast, engine, Broker(engine, mode="silent"))
    future = remote.ping([NORTH])
    remote.close()
    assert future.result(timeout=0.5) == {NORTH: None}


def test_the_worker_pings_device_addresses_only_and_writes_each_answer(settings: Settings,
                                                                       engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(Device(name="lo", address="127.0.0.1"))
    poller = TaskPoller(settings, engine, "w1")
    try:
        assert poller.ping("p1-x", ["127.0.0.1", STRANGER], [3, 0.05, 0.5], 5) == 1

        def rows() -> dict[str, IcmpStats | None]:
            with session_scope(engine) as session:
                columns = (PollOutcome.device, PollOutcome.payload, PollOutcome.job_run_id)
                found = session.execute(select(*columns).where(PollOutcome.task_id == "p1-x"))
                return {device: decode_icmp(payload) for device, payload, run in found if run == 5}

        deadline = time.monotonic() + 5
        while len(rows()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        answers = rows()
    finally:
        poller.close()
    assert answers[STRANGER] is None  # not a device's address: never pinged
    loopback = answers["127.0.0.1"]
    if loopback is None:
        pytest.skip("no ICMP on this host (neither root, CAP_NET_RAW nor ping sockets)")
    assert (loopback.sent, loopback.received) == (3, 3) and loopback.rtt_avg_ms is not None


def test_a_database_that_fails_the_look_up_makes_the_batch_unknown_not_an_error(
        fast: Settings, engine: Engine) -> None:
    broker = Broker(engine)
    remote = RemotePings(fast, engine, broker, lambda: {"netops.north"})  # type: ignore[arg-type]
    with engine.begin() as conn:  # the table gone stands for any failing query
        conn.execute(text("ALTER TABLE devices RENAME TO devices_away"))
    try:
        assert remote.ping([NORTH]).result(timeout=0.5) == {NORTH: None}
    finally:
        remote.close()
    assert broker.sent == []
