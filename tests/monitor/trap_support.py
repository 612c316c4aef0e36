"""Real SNMP notifications for the trap receiver's tests and benchmark, sent over loopback UDP.

Also the small pieces every trap test needs: a free port, settings that flush counts fast,
a receiver started on them, and polling for a condition with a short timeout.

``TrapSender`` is pysnmp's own notification originator (hlapi ``send_notification``) on a
private event loop, sending from a chosen loopback source address (127.0.0.2 stands for a
known device, anything else for a stranger). ``capture`` returns the datagram it would send,
so a test can replay it from another address or mutate its engine ID into a forged one
(``with_engine_id``) and flood the receiver with hand-made copies at socket speed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pysnmp.hlapi.v3arch.asyncio import (
    USM_AUTH_HMAC96_SHA,
    USM_AUTH_NONE,
    USM_PRIV_CFB128_AES,
    USM_PRIV_NONE,
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    OctetString,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    send_notification,
)
from pysnmp.proto.rfc1902 import Integer32, ObjectIdentifier, TimeTicks
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import TrapStat
from netops.polling.traps import Trap, TrapReceiver
from netops.settings import Settings

SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1"
IF_OPER = "1.3.6.1.2.1.2.2.1.8"


@dataclass(frozen=True)
class V3User:
    """An SNMPv3 user as the sending device has it (SHA/AES by default)."""

    name: str = "netops"
    auth_key: str | None = "netops-auth-pass"
    priv_key: str | None = "netops-priv-pass"


def link_down(if_index: int) -> list[Any]:
    """The varbinds of an IF-MIB linkDown for ``if_index`` (sysUpTime and snmpTrapOID first)."""
    return [ObjectType(ObjectIdentity(SYS_UPTIME), TimeTicks(12345)),
            ObjectType(ObjectIdentity(SNMP_TRAP_OID), ObjectIdentifier(LINK_DOWN)),
            ObjectType(ObjectIdentity(f"{IF_INDEX}.{if_index}"), Integer32(if_index)),
            ObjectType(ObjectIdentity(f"{IF_OPER}.{if_index}"), Integer32(2))]


class TrapSender:
    """One SNMP engine (its own engine ID) sending traps from ``source`` on its own event loop.

    Give each sender one user (or community): pysnmp's high-level API keeps every target it was
    given and sends a later trap to the earlier ones too when the credentials change.
    """

    def __init__(self, source: str = "127.0.0.2", *, engine_id: bytes | None = None) -> None:
        self.source = source
        self.engine_id = engine_id or b"\x80\x00\x1f\x88\x04" + os.urandom(11)
        self._loop = asyncio.new_event_loop()
        self._engine = self._loop.run_until_complete(self._make_engine())

    async def _make_engine(self) -> SnmpEngine:
        return SnmpEngine(snmpEngineID=OctetString(self.engine_id))

    def close(self) -> None:
        dispatcher = self._engine.transport_dispatcher
        if dispatcher is not None:
            dispatcher.close_dispatcher()
        tasks = asyncio.all_tasks(self._loop)
        for task in tasks:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        self._loop.close()

    def __enter__(self) -> TrapSender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def send_v3(self, port: int, user: V3User = V3User(), *, if_index: int = 12,
                host: str = "127.0.0.1") -> None:
        """A v3 linkDown at the user's level: authPriv, authNoPriv or noAuthNoPriv."""
        self._send(port, host, _usm(user), if_index)

    def send_v2c(self, port: int, community: str = "netops-ro", *, if_index: int = 12,
                 host: str = "127.0.0.1") -> None:
        self._send(port, host, CommunityData(community, mpModel=1), if_index)

    def capture(self, user: V3User = V3User(), *, if_index: int = 12) -> bytes:
        """The datagram ``send_v3`` would send, caught on a socket of our own."""
        return self._capture(lambda port: self.send_v3(port, user, if_index=if_index))

    def capture_v2c(self, community: str = "netops-ro", *, if_index: int = 12) -> bytes:
        return self._capture(lambda port: self.send_v2c(port, community, if_index=if_index))

    @staticmethod
    def _capture(send: Callable[[int], None]) -> bytes:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
            sink.bind(("127.0.0.1", 0))
            sink.settimeout(5)
            send(sink.getsockname()[1])
            return sink.recv(65535)

    def _send(self, port: int, host: str, auth: Any, if_index: int) -> None:
        async def go() -> None:
            target = await UdpTransportTarget.create((host, port))
            target.set_local_address((self.source, 0))
            error, *_ = await send_notification(self._engine, auth, target, ContextData(), "trap",
                                                *link_down(if_index))
            if error:
                raise RuntimeError(f"sending the trap failed: {error}")

        self._loop.run_until_complete(go())


def _usm(user: V3User) -> UsmUserData:
    return UsmUserData(user.name, user.auth_key, user.priv_key,
                       authProtocol=USM_AUTH_HMAC96_SHA if user.auth_key else USM_AUTH_NONE,
                       privProtocol=USM_PRIV_CFB128_AES if user.priv_key else USM_PRIV_NONE)


def with_engine_id(datagram: bytes, old: bytes, new: bytes, *, times: int = 1) -> bytes:
    """``datagram`` with engine ID ``old`` replaced by ``new`` of the same length.

    An authPriv trap shows its engine ID once (the context engine ID is encrypted); a
    noAuthNoPriv trap twice (authoritative and context engine ID).
    """
    if len(old) != len(new) or datagram.count(old) != times:
        raise ValueError(f"the engine ID must occur {times} time(s) and keep its length")
    return datagram.replace(old, new)


def udp_socket(source: str) -> socket.socket:
    """A UDP socket bound to ``source`` (any 127.0.0.0/8 address works on Linux loopback)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, 0))
    return sock


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fast(settings: Settings, **traps: Any) -> Settings:
    """``settings`` with trap counts flushed every 0.1 s and any other ``[traps]`` values given."""
    values = {"stats_flush_s": 0.1, **traps}
    return dataclasses.replace(settings, traps=dataclasses.replace(settings.traps, **values))


@contextmanager
def running(db: Engine, settings: Settings) -> Iterator[tuple[TrapReceiver, list[Trap]]]:
    """A started receiver on a free port and the list its traps land in."""
    got: list[Trap] = []
    receiver = TrapReceiver(db, settings, got.append, port=free_udp_port())
    receiver.start()
    try:
        yield receiver, got
    finally:
        receiver.stop()


def wait_for(predicate: Callable[[], Any], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def stored_counts(db: Engine) -> dict[str, int]:
    """The ``trap_stats`` rows as written to the database."""
    with session_scope(db) as session:
        return {row.reason: row.count for row in session.scalars(select(TrapStat))}
