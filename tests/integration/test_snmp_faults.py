"""Faults on the real testbed: a cut fiber shows oper down on both ends (and up after the
repair); a powered-off node is reported unreachable within timeout x (retries + 1) without
delaying the other devices' polls. Every fault is restored in ``finally``."""

from __future__ import annotations

import pytest

from collectors.observations import ErrorKind, PollKind
from tests.integration.snmp_helpers import TIMEOUTS, node_target, oper_status, poll, poll_many, wait_for
from tests.integration.testbed import Testbed

pytestmark = [pytest.mark.testbed, pytest.mark.timing]
STATUS = frozenset({PollKind.INTERFACES})


def _ends(bed: Testbed, index: int) -> list[tuple[str, str]]:
    link = bed.inventory["links"][index]
    return [tuple(link["a"].split(":")), tuple(link["b"].split(":"))]  # type: ignore[misc]


def _status_of(bed: Testbed, ends: list[tuple[str, str]]) -> list[str | None]:
    return [oper_status(poll(node_target(bed, node), STATUS), port) for node, port in ends]


def test_fail_link_shows_down_on_both_ends_then_up(testbed: Testbed) -> None:
    ends = _ends(testbed, 1)
    assert _status_of(testbed, ends) == ["up", "up"]
    try:
        testbed.fail_link(*(f"{n}:{p}" for n, p in ends))
        # net-snmp serves ifTable from a ~3 s cache: poll until both ends say down
        assert wait_for(lambda: _status_of(testbed, ends) == ["down", "down"], 10), _status_of(testbed, ends)
        for node, port in ends:
            state = next(i for i in poll(node_target(testbed, node), STATUS).interfaces if i.name == port)
            assert state.admin_status == "up", "a cut fiber leaves the port administratively up"
    finally:
        testbed.restore_link(ends[0][0], ends[1][0])
    assert wait_for(lambda: _status_of(testbed, ends) == ["up", "up"], 10), _status_of(testbed, ends)


def test_fail_node_is_unreachable_in_time_and_does_not_delay_others(testbed: Testbed) -> None:
    dead = "acc-sman1"
    limit = TIMEOUTS.snmp_timeout_s * (TIMEOUTS.snmp_retries + 1)
    targets = [node_target(testbed, n) for n in sorted(testbed.inventory["nodes"])]
    try:
        testbed.fail_node(dead)
        results = {r.device_key: r for r in poll_many(targets, STATUS)}
    finally:
        testbed.restore_node(dead)
        testbed.verify(30)
    silent = results[dead]
    assert not silent.completed
    assert {e.kind for e in silent.errors} == {ErrorKind.TIMEOUT}
    # one timeout x (retries + 1); the margin absorbs a busy test machine (three test workers on
    # two cores)
    assert limit - 0.1 <= silent.duration_s <= limit + 2.0, f"unreachable after {silent.duration_s:.2f} s"
    others = [r for key, r in results.items() if key != dead]
    assert all(r.completed == STATUS for r in others), [r.errors for r in others if r.errors]
    slowest = max(r.duration_s for r in others)
    assert slowest < limit, f"a live device took {slowest:.2f} s: delayed by the dead one"
