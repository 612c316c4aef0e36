"""SNMP hardening, with real UDP packets from a hostile agent on loopback
(``hostile_udp_agent.py``): a device that walks for ever, an empty ifTable from a device that
announces ports, one badly encoded value, truncated BER and garbage, a silent device.

Each fault is reported as the device misbehaving (``malformed``), never as a timeout, and the
kinds read before it stay completed."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterable, Iterator

import pytest

from collectors.observations import ErrorKind, PollKind, PollResult
from collectors.snmp import SnmpPoller
from collectors.targets import Secret, SnmpV2c, Target, Timeouts
from tests.collectors.conftest import DISCOVERY
from tests.collectors.hostile_udp_agent import HostileAgent

FAST = Timeouts(snmp_timeout_s=1.0, snmp_retries=1)


@pytest.fixture
def agents() -> Iterator[list[HostileAgent]]:
    started: list[HostileAgent] = []
    yield started
    for agent in started:
        agent.stop()


def start(agents: list[HostileAgent], mode: str, host: str = "127.0.0.1") -> HostileAgent:
    agent = HostileAgent(mode, host).start()
    agents.append(agent)
    return agent


def target(agent: HostileAgent, timeouts: Timeouts = FAST, key: str | None = None) -> Target:
    host = agent.sock.getsockname()[0]
    return Target(device_key=key or agent.mode, host=host, snmp_port=agent.port,
                  snmp=SnmpV2c(Secret("public")), timeouts=timeouts)


def poll(targets: Iterable[Target], kinds: frozenset[PollKind] = DISCOVERY) -> tuple[list[PollResult], float]:
    async def run() -> tuple[list[PollResult], float]:
        poller = SnmpPoller()
        try:
            await poller.prepare(targets)  # engine start-up is not the device's cost
            begin = time.monotonic()
            results = [r async for r in poller.poll_many(targets, kinds)]
            return sorted(results, key=lambda r: r.device_key), time.monotonic() - begin
        finally:
            poller.close()

    return asyncio.run(run())


def errors_of(result: PollResult, kind: PollKind | None) -> list[str]:
    return [f"{e.kind}: {e.message}" for e in result.errors if e.poll_kind == kind]


def test_endless_walk_stops_at_the_row_cap_as_malformed(agents: list[HostileAgent]) -> None:
    agent = start(agents, "endless")  # ifNumber.0 = 3: the cap is 2 x 3 + 100 rows
    (result,), elapsed = poll([target(agent)])
    assert PollKind.FACTS in result.completed
    assert PollKind.INTERFACES not in result.completed and PollKind.COUNTERS not in result.completed
    assert {e.kind for e in result.errors} == {ErrorKind.MALFORMED}
    assert "walk exceeded 106 rows" in errors_of(result, PollKind.INTERFACES)[0]
    # caught inventing rows: the later kinds are not read (one capped walk per poll)
    assert errors_of(result, PollKind.OPTICS) == errors_of(result, PollKind.INTERFACES)
    assert elapsed < 10
    assert agent.requests < 20


def test_endless_walk_without_ifnumber_stops_at_the_ceiling(agents: list[HostileAgent]) -> None:
    agent = start(agents, "endless-blind")
    (result,), _elapsed = poll([target(agent, Timeouts(snmp_timeout_s=1.0, snmp_max_rows=700))],
                               frozenset({PollKind.INTERFACES}))
    assert result.completed == frozenset()
    assert "walk exceeded 700 rows (the configured ceiling)" in errors_of(result, PollKind.INTERFACES)[0]


def test_poll_deadline_is_snmp_own_and_malformed(agents: list[HostileAgent]) -> None:
    agent = start(agents, "endless-blind")
    slow = Timeouts(snmp_timeout_s=1.0, snmp_retries=1, snmp_deadline_s=2.0, snmp_max_rows=10**9,
                    deadline_s=600)
    (result,), elapsed = poll([target(agent, slow)])
    assert 1.9 < elapsed < 4.0
    assert PollKind.FACTS in result.completed  # read before the deadline: kept
    interfaces = errors_of(result, PollKind.INTERFACES)
    assert interfaces == ["malformed: device poll exceeded its deadline of 2 s (SNMP walk did not end)"]
    assert not [e for e in result.errors if e.kind is ErrorKind.TIMEOUT]


def test_default_snmp_deadline_follows_timeout_and_retries() -> None:
    assert Timeouts().snmp_poll_deadline_s == 30.0  # 15 x 1 s x (1 + 1), not ssh's deadline_s
    assert Timeouts(snmp_timeout_s=2.0, snmp_retries=2).snmp_poll_deadline_s == 90.0
    assert Timeouts(snmp_deadline_s=12.5).snmp_poll_deadline_s == 12.5


@pytest.mark.parametrize("mode", ["nosuchobject", "endofmib", "same-oid"])
@pytest.mark.parametrize("kinds", [DISCOVERY, frozenset({PollKind.INTERFACES})], ids=["discovery", "status"])
def test_empty_iftable_from_a_device_with_ports_is_not_complete(agents: list[HostileAgent], mode: str,
                                                                kinds: frozenset[PollKind]) -> None:
    agent = start(agents, mode)  # ifNumber.0 = 24
    (result,), elapsed = poll([target(agent)], kinds)
    assert PollKind.INTERFACES not in result.completed
    assert result.interfaces == ()
    (message,) = errors_of(result, PollKind.INTERFACES)
    assert message.startswith("malformed: ")
    assert ("ifNumber.0 = 24" in message) if mode != "same-oid" else ("walk does not advance" in message)
    if PollKind.FACTS in kinds:
        assert PollKind.FACTS in result.completed and PollKind.COUNTERS not in result.completed
    assert elapsed < 5


@pytest.mark.parametrize("mode", ["nosuchobject", "endofmib"])
def test_empty_iftable_after_a_read_with_ports_is_not_complete(agents: list[HostileAgent], mode: str) -> None:
    """Without ifNumber.0 the table alone cannot tell; the poller remembers the last read."""
    agent = start(agents, "good")

    async def run() -> tuple[PollResult, PollResult, PollResult]:
        poller = SnmpPoller()
        try:
            first = await poller.poll(target(agent, key="sw"), DISCOVERY)
            agent.become(mode, if_number=False)
            return first, await poller.poll(target(agent, key="sw"), frozenset({PollKind.INTERFACES})), \
                await poller.poll(target(agent, key="sw"), frozenset({PollKind.COUNTERS}))
        finally:
            poller.close()

    first, status, counters = asyncio.run(run())
    assert first.completed == DISCOVERY and len(first.interfaces) == 3
    for broken, kind in ((status, PollKind.INTERFACES), (counters, PollKind.COUNTERS)):
        assert broken.completed == frozenset()
        assert errors_of(broken, kind) == ["malformed: interface table empty although the last read had 3 "
                                           "interfaces"]


def test_one_bad_value_spoils_only_its_varbind(agents: list[HostileAgent]) -> None:
    bad, good = start(agents, "bad-value"), start(agents, "good")
    results, _elapsed = poll([target(bad), target(good)])
    spoiled, control = results
    assert spoiled.device_key == "bad-value"
    assert spoiled.completed == DISCOVERY == control.completed
    assert control.errors == ()
    (error,) = spoiled.errors
    assert error.kind is ErrorKind.MALFORMED and error.poll_kind is None
    assert "1.3.6.1.2.1.2.2.1.14.2 (Counter32 -5 out of range)" in error.message
    assert "1.3.6.1.2.1.31.1.1.1.6.3 (undecodable unknown type (tag 0x49)" in error.message
    assert [i.name for i in spoiled.interfaces] == [i.name for i in control.interfaces]
    counters = {c.if_index: c for c in spoiled.counters}
    assert counters[2].in_errors is None and counters[1].in_errors == 1 and counters[3].in_errors == 3
    assert counters[2].in_octets == control.counters[1].in_octets  # the rest of that answer was used
    assert counters[3].counter_bits == 32  # its ifHCInOctets is unknown: the 32-bit counters are used


@pytest.mark.parametrize("mode", ["truncated", "garbage"])
def test_undecodable_answers_are_malformed_not_timeout(agents: list[HostileAgent], mode: str) -> None:
    agent = start(agents, mode)
    (result,), elapsed = poll([target(agent)])
    assert result.completed == frozenset()
    assert {e.kind for e in result.errors} == {ErrorKind.MALFORMED}
    assert all(e.message.startswith("malformed response: ") for e in result.errors)
    if mode == "truncated":
        assert "truncated BER" in result.errors[0].message
    assert elapsed < 2.0  # an undecodable answer ends its attempt at once: no timeouts waited for
    assert agent.requests == 2 * len(DISCOVERY)  # each kind tried (retries + 1) times
    assert result.answered and not result.reachable  # misbehaving, not silent


def test_silent_device_still_costs_timeout_times_attempts() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        dead = Target(device_key="dead", host="127.0.0.1", snmp_port=silent.getsockname()[1],
                      snmp=SnmpV2c(Secret("public")), timeouts=Timeouts(snmp_timeout_s=0.5, snmp_retries=1))
        (result,), elapsed = poll([dead])
    assert {e.kind for e in result.errors} == {ErrorKind.TIMEOUT}
    assert len(result.errors) == len(DISCOVERY)
    assert not result.answered
    assert 0.95 < elapsed < 1.6


def test_hostile_agent_over_ipv6(agents: list[HostileAgent]) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 in this Python")
    try:
        agent = start(agents, "bad-value", "::1")
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    (result,), _elapsed = poll([target(agent)])
    assert result.completed == DISCOVERY
    assert len(result.interfaces) == 3
    assert [e.kind for e in result.errors] == [ErrorKind.MALFORMED]


def test_bad_value_over_snmpv1(agents: list[HostileAgent]) -> None:
    """SNMPv1 (GETNEXT, its own VarBind type): the same per-varbind rescue."""
    from dataclasses import replace

    agent = start(agents, "bad-value")
    v1 = replace(target(agent), snmp=SnmpV2c(Secret("public"), version="1"))
    (result,), _elapsed = poll([v1], frozenset({PollKind.COUNTERS}))
    assert result.completed == {PollKind.COUNTERS}
    (error,) = result.errors
    assert "1.3.6.1.2.1.2.2.1.14.2 (Counter32 -5 out of range)" in error.message
    assert {c.if_index: c.in_errors for c in result.counters} == {1: 1, 2: None, 3: 3}


def test_registration_is_quick_and_both_sockets_get_the_large_buffer(agents: list[HostileAgent]) -> None:
    """Each transport's shared socket gets RECV_BUFFER_BYTES (as far as rmem_max allows) as soon as
    it opens; registering a target does not wait for it."""
    from pathlib import Path

    from collectors.snmp.session import RECV_BUFFER_BYTES, SnmpEngineHost

    v4 = start(agents, "good")
    try:
        v6: HostileAgent | None = start(agents, "good", "::1")
    except OSError:
        v6 = None

    async def run() -> tuple[float, int | None, int | None]:
        host = SnmpEngineHost()
        try:
            begin = time.monotonic()
            for agent in (v4, v6):
                if agent is not None:
                    await host.endpoint(target(agent))
            return time.monotonic() - begin, host.receive_buffer_bytes(), host.receive_buffer_bytes(ipv6=True)
        finally:
            host.close()

    elapsed, buffer4, buffer6 = asyncio.run(run())
    granted = min(RECV_BUFFER_BYTES, 2 * int(Path("/proc/sys/net/core/rmem_max").read_text()))
    assert elapsed < 0.5
    assert buffer4 is not None and buffer4 >= granted
    if v6 is not None:
        assert buffer6 is not None and buffer6 >= granted
