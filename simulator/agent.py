"""Simulated SNMP agents without root: one asyncio UDP socket per switch on its own
loopback address (127.x.y.z, all of 127.0.0.0/8 is local on Linux), one port for all.

A small command responder of our own (hand-written BER, ``ber``): GET, GETNEXT and
GETBULK over the device's sorted OID index (bisect), community ``demo``. A failed switch
simply stops answering. Port changes can be sent as SNMPv2c linkDown/linkUp traps from the
switch's own address, so a trap receiver sees them come from the right device.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from typing import cast

from simulator import ber
from simulator.mib import MibView, build_view
from simulator.state import PortChange, SimState
from simulator.usm import V3Responder

log = logging.getLogger(__name__)

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
            if self.server.v3 is not None and ber.message_version(data) == 3:
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
    _trap_id: int = 0
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
        request = ber.decode_request(data)
        if request.version != 1 or request.community != self.community.encode():  # v2c only
            self.stats.dropped += 1
            return None
        view = self.view(device)
        self.stats.requests += 1
        status, index = 0, 0
        if request.pdu == ber.GET:
            binds = [(view.name(oid), _get(view, oid)) for oid in request.oids]
        elif request.pdu == ber.GETNEXT:
            binds = [_next(view, oid) for oid in request.oids]
        elif request.pdu == ber.GETBULK:
            binds = self._bulk(view, request)
        else:  # SET and anything else: a read-only agent
            binds = [(ber.oid(oid), b"\x05\x00") for oid in request.oids]
            status, index = 17, 1  # notWritable
        self.stats.varbinds += len(binds)
        return ber.message(1, request.community, ber.RESPONSE, request.request_id, status, index, binds)

    def _bulk(self, view: MibView, request: ber.Request) -> list[tuple[bytes, bytes]]:
        oids = request.oids
        non_repeaters = max(0, min(request.field1, len(oids)))
        binds = [_next(view, oid) for oid in oids[:non_repeaters]]
        current = list(oids[non_repeaters:])
        size = sum(len(a) + len(b) for a, b in binds)
        limit = max(1, (MAX_VARBINDS - len(binds)) // max(1, len(current)))
        for _ in range(min(max(0, request.field2), limit) if current else 0):
            row = [view.next(oid) for oid in current]
            if all(found is None for found in row):
                binds += [(view.name(oid), ber.END_OF_MIB_VIEW) for oid in current]
                break
            encoded = [(view.name(f[0]), f[1]()) if f is not None else (view.name(oid), ber.END_OF_MIB_VIEW)
                       for oid, f in zip(current, row, strict=True)]
            size += sum(len(a) + len(b) + 4 for a, b in encoded)
            if size > MAX_RESPONSE_BYTES and len(binds) > non_repeaters:
                break
            binds += encoded
            current = [f[0] if f is not None else oid for oid, f in zip(current, row, strict=True)]
        return binds

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
        binds = [
            (ber.oid(SYS_UPTIME), ber.unsigned(int(self.state.uptime_s(change.device) * 100) % 2**32,
                                                ber.TIMETICKS)),
            (ber.oid(SNMP_TRAP_OID), ber.oid(LINK_UP if change.up else LINK_DOWN)),
            (ber.oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, i)), ber.integer(i)),
            (ber.oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 7, i)), ber.integer(1 if change.port.admin_up else 2)),
            (ber.oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, i)), ber.integer(1 if change.up else 2)),
        ]
        self._trap_id = (self._trap_id + 1) % 2**31
        return ber.message(1, self.community.encode(), ber.TRAP_V2, self._trap_id, 0, 0, binds)


def _send(protocol: _DeviceProtocol, data: bytes, addr: tuple[str, int]) -> None:
    if protocol.transport is not None:
        protocol.transport.sendto(data, addr)


def _get(view: MibView, oid: tuple[int, ...]) -> bytes:
    getter = view.get(oid)
    if getter is not None:
        return getter()
    found = view.next(oid[:-1])
    if found is not None and found[0][: len(oid) - 1] == oid[:-1]:
        return ber.NO_SUCH_INSTANCE
    return ber.NO_SUCH_OBJECT


def _next(view: MibView, oid: tuple[int, ...]) -> tuple[bytes, bytes]:
    found = view.next(oid)
    if found is None:
        return view.name(oid), ber.END_OF_MIB_VIEW
    return view.name(found[0]), found[1]()
