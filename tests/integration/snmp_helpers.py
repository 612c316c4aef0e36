"""Helpers for the SNMP integration tests: targets for testbed nodes, polling until a state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from collectors.observations import PollKind, PollResult
from collectors.snmp import SnmpPoller
from collectors.targets import AuthProtocol, PrivProtocol, Secret, SnmpV2c, SnmpV3, Target, Timeouts
from tests.integration.testbed import Testbed

TIMEOUTS = Timeouts(snmp_timeout_s=1.0, snmp_retries=1, deadline_s=30)
AUTH = {"SHA": AuthProtocol.SHA, "SHA-256": AuthProtocol.SHA256}
PRIV = {"AES": PrivProtocol.AES, "AES-256": PrivProtocol.AES256}


def v2c(bed: Testbed) -> SnmpV2c:
    return SnmpV2c(Secret(bed.inventory["snmp"]["community"]))


def v3(bed: Testbed, user: str, auth_key: str | None = None) -> SnmpV3:
    spec: dict[str, Any] = next(u for u in bed.inventory["snmp"]["v3"] if u["user"] == user)
    priv = spec["level"] == "authPriv"
    return SnmpV3(user=user, auth_protocol=AUTH[spec["auth_protocol"]],
                  auth_key=Secret(auth_key or spec["auth_key"]),
                  priv_protocol=PRIV[spec["priv_protocol"]] if priv else None,
                  priv_key=Secret(spec["priv_key"]) if priv else None)


def node_target(bed: Testbed, node: str, cred: SnmpV2c | SnmpV3 | None = None) -> Target:
    return Target(device_key=node, host=bed.address(node), profile="linux_netsnmp", snmp=cred or v2c(bed),
                  timeouts=TIMEOUTS)


def poll(target: Target, kinds: frozenset[PollKind]) -> PollResult:
    async def run() -> PollResult:
        poller = SnmpPoller()
        try:
            return await poller.poll(target, kinds)
        finally:
            poller.close()

    return asyncio.run(run())


def poll_many(targets: list[Target], kinds: frozenset[PollKind]) -> list[PollResult]:
    async def run() -> list[PollResult]:
        poller = SnmpPoller(max_in_flight=50)
        try:
            return [r async for r in poller.poll_many(targets, kinds)]
        finally:
            poller.close()

    return asyncio.run(run())


def oper_status(result: PollResult, port: str) -> str | None:
    found = [i for i in result.interfaces if i.name == port]
    return str(found[0].oper_status) if found else None


def wait_for(check: Callable[[], bool], timeout_s: float, step_s: float = 0.5) -> bool:
    """Poll ``check`` until true (net-snmp caches ifTable ~3 s, LLDP needs ~1 s)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step_s)
    return check()
