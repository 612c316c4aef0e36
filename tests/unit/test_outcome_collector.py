"""The one collector of workers' outcome rows: each row reaches the watcher whose task it is,
once; a watcher that fails on a row does not stop the others; deadlines are asked every tick.
SQLite with the real schema and the real ``write_outcomes`` the workers use."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine

from netops.polling.broker_gate import BrokerGate
from netops.polling.outcome_collector import OutcomeCollector
from netops.polling.outcomes import write_outcomes


class Watching:
    def __init__(self, tasks: list[str], fail: bool = False) -> None:
        self.tasks, self.fail = tasks, fail
        self.rows: list[tuple[str, str, str]] = []
        self.expired = 0
        self.done = threading.Event()

    def pending(self) -> list[str]:
        return list(self.tasks)

    def arrived(self, task_id: str, key: str, payload: str) -> None:
        self.rows.append((task_id, key, payload))
        if len(self.rows) == 2:
            self.done.set()
        if self.fail:
            raise RuntimeError("a handler that breaks")

    def expire(self, now: float) -> None:
        self.expired += 1


def test_rows_reach_the_watcher_of_their_task_once_and_a_failing_one_stops_nobody(engine: Engine) -> None:
    polls, pings = Watching(["r1-a"], fail=True), Watching(["p1-b"])
    collector = OutcomeCollector(engine)
    collector.add(polls)
    collector.add(pings)
    try:
        write_outcomes(engine, "r1-a", 1, "w1", [("sw1", "{}"), ("sw2", "{}")])
        write_outcomes(engine, "p1-b", 1, "w1", [("10.0.0.1", "null"), ("10.0.0.2", "null")])
        write_outcomes(engine, "r9-other", 9, "w1", [("sw9", "{}")])  # nobody's: left alone
        collector.wake()
        assert polls.done.wait(5) and pings.done.wait(5)
        time.sleep(0.3)  # more ticks: nothing comes twice
        assert sorted(polls.rows) == [("r1-a", "sw1", "{}"), ("r1-a", "sw2", "{}")]
        assert sorted(pings.rows) == [("p1-b", "10.0.0.1", "null"), ("p1-b", "10.0.0.2", "null")]
        assert polls.expired >= 2 and pings.expired >= 2
    finally:
        collector.close()
    other = Watching(["r9-other"])
    late = OutcomeCollector(engine)
    late.add(other)
    try:
        until = time.monotonic() + 5
        while not other.rows and time.monotonic() < until:
            time.sleep(0.02)
        assert other.rows == [("r9-other", "sw9", "{}")]  # left for the watcher whose task it is
    finally:
        late.close()


def test_after_a_failed_publish_the_gate_stays_shut_for_a_while() -> None:
    gate = BrokerGate(away_s=0.2)
    assert gate.away() is None
    assert gate.failed(ConnectionError("refused")) == "broker unreachable (ConnectionError)"
    assert gate.away() == "broker unreachable (ConnectionError)"
    time.sleep(0.25)
    assert gate.away() is None
