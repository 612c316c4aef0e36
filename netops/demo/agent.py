"""Simulated SNMP agents without root: one asyncio UDP socket per switch on its own
loopback address (127.x.y.z, all of 127.0.0.0/8 is local on Linux), one port for all.

A small command responder of our own on pysnmp's v1/v2c message API: GET, GETNEXT and
GETBULK over the device's sorted OID index (bisect), community ``demo``. A failed switch
simply stops answering. Port changes can be sent as SNMPv2c linkDown/linkUp traps from the
switch's own address, so a trap receiver sees them come from the right device.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from typing import Any, cast

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api, rfc1902, rfc1905

from netops.demo.mib import MibView, build_view
from netops.demo.state import PortChange, SimState
from netops.demo.usm import V3Responder

log = logging.getLogger(__name__)

V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
MAX_VARBINDS = 2000
MAX_RESPONSE_BYTES = 60000
SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SNMP_TRAP_OID = (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)
LINK_DOWN, LINK_UP = (1, 3, 6, 1, 6, 3, 1, 1, 5, 3), (1, 3, 6, 1, 6, 3, 1, 1, 5, 4)


class AgentError(RuntimeError):
    """The agents cannot start (for example the UDP port is taken); one plain sentence."""


@dataclass
class AgentStats:
    requests: int = 0
    varbinds: int = 0
    dropped: int = 0
    traps: int = 0


class _DeviceProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: AgentServer, device: str) -> None:
        self.server, self.device = server, device
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not self.server.state.answers(self.device) or self.transport is None:
            return
        try:
            if self.server.v3 is not None and api.decodeMessageVersion(data) == 3:
                self.server.v3.receive(self.device, data, addr)
                return
            reply = self.server.respond(self.device, data)
        except Exception as exc:  # a malformed packet must never stop the agent
            self.server.stats.dropped += 1
            log.debug("dropped a request to %s: %s", self.device, exc)
            return
        if reply is not None:
            self.transport.sendto(reply, addr)


@dataclass
class AgentServer:
    state: SimState
    port: int = 16161
    community: str = "demo"
    trap_target: tuple[str, int] | None = None
    stats: AgentStats = field(default_factory=AgentStats)
    v3: V3Responder | None = None
    _views: dict[str, tuple[int, MibView]] = field(default_factory=dict)
    _protocols: dict[str, _DeviceProtocol] = field(default_factory=dict)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.v3 = V3Responder(self.view)
        try:
            for dev in self.state.network.devices:
                _transport, protocol = await loop.create_datagram_endpoint(
                    functools.partial(_DeviceProtocol, self, dev.name), local_addr=(dev.address, self.port))
                self._protocols[dev.name] = protocol
                self.v3.add_device(dev.name, functools.partial(_send, protocol))
        except OSError as exc:
            self.close()
            raise AgentError(f"cannot serve SNMP on {dev.address}:{self.port} ({exc.strerror}); "
                             "is another demo running? choose another --snmp-port") from exc

    def close(self) -> None:
        for protocol in self._protocols.values():
            if protocol.transport is not None:
                protocol.transport.close()
        self._protocols.clear()

    # ------------------------------------------------------------ requests

    def view(self, device: str) -> MibView:
        version = self.state.version[device]
        cached = self._views.get(device)
        if cached is None or cached[0] != version:
            cached = (version, build_view(self.state, self.state.network.device(device)))
            self._views[device] = cached
        return cached[1]

    def respond(self, device: str, data: bytes) -> bytes | None:
        if api.decodeMessageVersion(data) != api.SNMP_VERSION_2C:
            return None
        msg, _rest = decoder.decode(data, asn1Spec=V2C.Message())
        if bytes(V2C.apiMessage.get_community(msg)) != self.community.encode():
            self.stats.dropped += 1
            return None
        pdu = V2C.apiMessage.get_pdu(msg)
        reply = V2C.apiMessage.get_response(msg)
        reply_pdu = V2C.apiMessage.get_pdu(reply)
        oids = [tuple(oid) for oid, _value in V2C.apiPDU.get_varbinds(pdu)]
        view = self.view(device)
        self.stats.requests += 1
        if pdu.isSameTypeWith(V2C.GetRequestPDU()):
            binds = [(oid, _get(view, oid)) for oid in oids]
        elif pdu.isSameTypeWith(V2C.GetNextRequestPDU()):
            binds = [_next(view, oid) for oid in oids]
        elif pdu.isSameTypeWith(V2C.GetBulkRequestPDU()):
            return self._bulk(msg, reply, reply_pdu, view, oids,
                              int(V2C.apiBulkPDU.get_non_repeaters(pdu)),
                              int(V2C.apiBulkPDU.get_max_repetitions(pdu)))
        else:  # SET and anything else: read-only agent
            V2C.apiPDU.set_error_status(reply_pdu, 17)  # notWritable
            V2C.apiPDU.set_error_index(reply_pdu, 1)
            V2C.apiPDU.set_varbinds(reply_pdu, [(oid, rfc1902.Null("")) for oid in oids])
            return bytes(encoder.encode(reply))
        return self._encode(reply, reply_pdu, binds)

    def _bulk(self, msg: Any, reply: Any, reply_pdu: Any, view: MibView, oids: list[tuple[int, ...]],
              non_repeaters: int, max_reps: int) -> bytes:
        non_repeaters = max(0, min(non_repeaters, len(oids)))
        binds = [_next(view, oid) for oid in oids[:non_repeaters]]
        current = oids[non_repeaters:]
        rows: list[list[tuple[tuple[int, ...], Any]]] = []
        limit = max(1, (MAX_VARBINDS - len(binds)) // max(1, len(current)))
        for _ in range(min(max(0, max_reps), limit) if current else 0):
            row = [_next(view, oid) for oid in current]
            rows.append(row)
            current = [oid for oid, _value in row]
            if all(isinstance(value, rfc1905.EndOfMibView) for _oid, value in row):
                break
        while True:
            encoded = self._encode(reply, reply_pdu, binds + [b for row in rows for b in row])
            if len(encoded) <= MAX_RESPONSE_BYTES or len(rows) <= 1:
                return encoded
            rows = rows[: len(rows) // 2]

    def _encode(self, reply: Any, reply_pdu: Any, binds: list[tuple[tuple[int, ...], Any]]) -> bytes:
        self.stats.varbinds += len(binds)
        V2C.apiPDU.set_varbinds(reply_pdu, binds)
        return bytes(encoder.encode(reply))

    # ------------------------------------------------------------ traps

    def send_traps(self, changes: list[PortChange]) -> None:
        """linkDown/linkUp (SNMPv2c) from each changed port's switch, if it is answering."""
        if self.trap_target is None:
            return
        for change in changes:
            protocol = self._protocols.get(change.device)
            if protocol is None or protocol.transport is None or not self.state.answers(change.device):
                continue
            protocol.transport.sendto(self._trap(change), self.trap_target)
            self.stats.traps += 1

    def _trap(self, change: PortChange) -> bytes:
        i = change.port.if_index
        pdu = V2C.SNMPv2TrapPDU()
        V2C.apiTrapPDU.set_defaults(pdu)
        V2C.apiTrapPDU.set_varbinds(pdu, [
            (SYS_UPTIME, rfc1902.TimeTicks(int(self.state.uptime_s(change.device) * 100) % 2**32)),
            (SNMP_TRAP_OID, rfc1902.ObjectIdentifier(LINK_UP if change.up else LINK_DOWN)),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, i), rfc1902.Integer32(i)),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 7, i), rfc1902.Integer32(1 if change.port.admin_up else 2)),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, i), rfc1902.Integer32(1 if change.up else 2)),
        ])
        msg = V2C.Message()
        V2C.apiMessage.set_defaults(msg)
        V2C.apiMessage.set_community(msg, self.community)
        V2C.apiMessage.set_pdu(msg, pdu)
        return bytes(encoder.encode(msg))


def _send(protocol: _DeviceProtocol, data: bytes, addr: tuple[str, int]) -> None:
    if protocol.transport is not None:
        protocol.transport.sendto(data, addr)


def _get(view: MibView, oid: tuple[int, ...]) -> Any:
    getter = view.get(oid)
    if getter is not None:
        return getter()
    found = view.next(oid[:-1])
    if found is not None and found[0][: len(oid) - 1] == oid[:-1]:
        return rfc1905.noSuchInstance
    return rfc1905.noSuchObject


def _next(view: MibView, oid: tuple[int, ...]) -> tuple[tuple[int, ...], Any]:
    found = view.next(oid)
    if found is None:
        return oid, rfc1905.endOfMibView
    return found[0], found[1]()
