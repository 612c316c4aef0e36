"""The same records with either SNMP codec: netops' own v1/v2c codec (the poll path) and pysnmp
(the reference), on the 20 LibreNMS recordings and the hostile recording served by snmpsim
(v2c, and v1 for a few), and on the hostile UDP agent's faults (bad values, endless walks,
empty tables, garbage)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from collectors.observations import PollKind, PollResult
from collectors.targets import Secret, SnmpV2c, Timeouts
from tests.collectors.codec_parity import poll_with, record
from tests.collectors.conftest import DEVICES, DISCOVERY, sim_target
from tests.collectors.hostile_udp_agent import HostileAgent
from tests.collectors.test_snmp_hardening import target as agent_target

KINDS = DISCOVERY | {PollKind.COUNTERS}
V1_DEVICES = ("linux_ntc", "hostile", DEVICES[0])


@pytest.fixture(scope="module")
def by_codec(snmpsim: int) -> dict[str, dict[str, PollResult]]:
    targets = [sim_target(name, snmpsim) for name in (*DEVICES, "hostile")]
    v1 = [replace(sim_target(name, snmpsim), device_key=f"{name}@v1", snmp=SnmpV2c(Secret(name), version="1"))
          for name in V1_DEVICES]
    return {codec: poll_with(codec, targets + v1, KINDS) for codec in ("fast", "pysnmp")}


@pytest.mark.parametrize("device", [*DEVICES, "hostile", *(f"{d}@v1" for d in V1_DEVICES)])
def test_recordings_give_the_same_records_with_either_codec(by_codec: dict[str, dict[str, PollResult]],
                                                            device: str) -> None:
    fast, reference = by_codec["fast"][device], by_codec["pysnmp"][device]
    assert reference.completed, f"{device}: the reference poll read nothing: {reference.errors}"
    # snmpsim serves a recorded sysUpTime: even the clock-derived fields must agree
    assert record(fast, clock=False) == record(reference, clock=False)
    assert [i.last_change_s for i in fast.interfaces] == [i.last_change_s for i in reference.interfaces]


@pytest.mark.parametrize("mode", ["good", "bad-value", "endless", "nosuchobject", "endofmib", "same-oid",
                                  "truncated", "garbage"])
def test_hostile_agent_gives_the_same_records_with_either_codec(mode: str) -> None:
    agent = HostileAgent(mode, "127.0.0.1").start()
    try:
        target = agent_target(agent, Timeouts(snmp_timeout_s=0.5, snmp_retries=1))
        fast = poll_with("fast", [target], KINDS)[mode]
        reference = poll_with("pysnmp", [target], KINDS)[mode]
    finally:
        agent.stop()
    if mode in ("garbage", "truncated"):
        # random bytes each time, or a cut whose byte offsets follow the request-id's length:
        # the reason's details differ, not the verdict
        def reason(message: str) -> str:
            return re.sub(r"\d+", "N", message) if mode == "truncated" else message.split(":")[0]

        fast, reference = (replace(r, errors=tuple(replace(e, message=reason(e.message)) for e in r.errors))
                           for r in (fast, reference))
    assert record(fast) == record(reference)
    assert fast.errors == reference.errors
