"""SNMP v1/v2c requests on an asyncio datagram endpoint of our own, with ``fastcodec``.

``FastSnmpHost`` offers what the walker and the readers use of ``SnmpEngineHost`` (``endpoint``,
``get``, ``bulk``, ``take_bad_values``, ``close``) for community targets: one unconnected UDP
socket per address family with a large receive buffer, request-ids matched to the waiting
request (an answer must also come from the target's address, in the request's version and
community; anything else is dropped as pysnmp drops it), our own timeout and retries (a late
answer to an earlier attempt of the same request is taken). An undecodable datagram ends the
attempts waiting on its sender at once; if no attempt got a good answer, the request fails as
MALFORMED ("malformed response"), as in the pysnmp path. SNMPv1 gets GETNEXT for GETBULK and
pysnmp's translation of ``noSuchName`` (endOfMibView after GETNEXT, noSuchObject after GET).

``SnmpHosts`` is what the poller holds: community targets go to ``FastSnmpHost`` unless
``codec`` is "pysnmp"; SNMPv3 always goes to pysnmp (``SnmpEngineHost``, created on first use).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import random
import socket
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from collectors.errors import SnmpError
from collectors.observations import ErrorKind
from collectors.snmp import fastcodec
from collectors.snmp.fastcodec import GET, GETBULK, GETNEXT, RESPONSE, SnmpDecodeError
from collectors.snmp.session import (
    NO_SUCH_NAME,
    RECV_BUFFER_BYTES,
    Address,
    BadValues,
    Endpoint,
    MalformedResponse,
    SnmpEngineHost,
    VarBind,
    address_key,
    ipv6_literal,
)
from collectors.targets import SnmpV2c, Target

CODECS = ("fast", "pysnmp")
CODEC_ENV = "NETOPS_SNMP__CODEC"  # the same name the settings file's [snmp] codec has in the environment
Answer = tuple[int, int, list[VarBind]]


def default_codec() -> str:
    codec = os.environ.get(CODEC_ENV, "fast").strip().lower() or "fast"
    if codec not in CODECS:
        raise ValueError(f"{CODEC_ENV} must be one of {', '.join(CODECS)}, not {codec!r}")
    return codec


@dataclass(frozen=True, slots=True)
class FastEndpoint(Endpoint):
    """An endpoint of the fast path: where to send (``sockaddr``) and the credentials."""

    community: bytes = b""
    version_number: int = 1
    sockaddr: tuple[Any, ...] = ("", 0)
    ipv6: bool = False


class _Request:
    """One request across its attempts: every attempt's request-id points here."""

    __slots__ = ("ep", "future")

    def __init__(self, ep: FastEndpoint, future: asyncio.Future[fastcodec.Response]) -> None:
        self.ep, self.future = ep, future


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, host: FastSnmpHost) -> None:
        self.host = host

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.host.received(data, addr)

    def error_received(self, exc: Exception) -> None:  # ICMP errors: the timeout decides
        pass


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


class FastSnmpHost:
    """Community (v1/v2c) requests with ``fastcodec``; see the module docstring."""

    def __init__(self, recv_buffer_bytes: int = RECV_BUFFER_BYTES) -> None:
        self._recv_buffer = recv_buffer_bytes
        self._transports: dict[bool, asyncio.DatagramTransport] = {}
        self._opening: dict[bool, asyncio.Lock] = {}
        self._endpoints: dict[tuple[Any, ...], FastEndpoint] = {}
        self._pending: dict[int, _Request] = {}
        self._waiting: dict[Address, set[asyncio.Future[fastcodec.Response]]] = {}
        self._bad_values: dict[str, BadValues] = {}
        self._next_id = random.randrange(1, 2**30)
        self._closed = False
        self.discarded: Counter[Address] = Counter()  # undecodable datagrams per source address
        self.dropped = 0  # answers not for any waiting request (late, wrong community or source)

    async def endpoint(self, target: Target) -> FastEndpoint:
        """The endpoint of a community target (cached); resolves a host name once."""
        cred = target.snmp
        if not isinstance(cred, SnmpV2c):
            raise SnmpError(ErrorKind.UNSUPPORTED, "the fast SNMP path serves SNMP v1/v2c only")
        t = target.timeouts
        key = (target.host, target.snmp_port, t.snmp_timeout_s, t.snmp_retries, t.snmp_max_rows, cred)
        found = self._endpoints.get(key)
        if found is not None:
            return found
        sockaddr, ipv6 = await self._resolve(target)
        await self._transport(ipv6)
        found = FastEndpoint(
            addr_name=f"fast-{len(self._endpoints)}", version=cred.version, context=b"",
            timeout_s=t.snmp_timeout_s, retries=max(0, t.snmp_retries), address=address_key(sockaddr),
            max_rows=max(1, t.snmp_max_rows), community=cred.community.reveal().encode(),
            version_number=0 if cred.version == "1" else 1, sockaddr=sockaddr, ipv6=ipv6)
        self._endpoints[key] = found
        return found

    async def _resolve(self, target: Target) -> tuple[tuple[Any, ...], bool]:
        host, port = target.host.strip(), target.snmp_port
        v6 = ipv6_literal(host)
        if v6 is None:
            try:
                if ipaddress.ip_address(host).version == 4:
                    return (host, port), False
            except ValueError:
                pass
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(v6 or host, port, type=socket.SOCK_DGRAM)
        except (OSError, UnicodeError) as exc:
            raise SnmpError(ErrorKind.UNREACHABLE, f"cannot resolve {target.host}: {exc}") from exc
        infos.sort(key=lambda info: info[0] != socket.AF_INET)  # IPv4 first, as pysnmp does
        for family, _type, _proto, _name, sockaddr in infos:
            if family in (socket.AF_INET, socket.AF_INET6):
                return tuple(sockaddr), family == socket.AF_INET6
        raise SnmpError(ErrorKind.UNREACHABLE, f"cannot resolve {target.host}: no IPv4 or IPv6 address")

    async def _transport(self, ipv6: bool) -> asyncio.DatagramTransport:
        found = self._transports.get(ipv6)
        if found is not None:
            return found
        async with self._opening.setdefault(ipv6, asyncio.Lock()):
            found = self._transports.get(ipv6)
            if found is not None:
                return found
            sock = socket.socket(socket.AF_INET6 if ipv6 else socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._recv_buffer)
                sock.bind(("::", 0) if ipv6 else ("0.0.0.0", 0))
                sock.setblocking(False)
                transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
                    lambda: _Protocol(self), sock=sock)
            except OSError as exc:
                sock.close()
                raise SnmpError(ErrorKind.UNREACHABLE, f"cannot open a UDP socket: {exc}") from exc
            self._transports[ipv6] = transport
            return transport

    def receive_buffer_bytes(self, ipv6: bool = False) -> int | None:
        transport = self._transports.get(ipv6)
        sock = transport.get_extra_info("socket") if transport is not None else None
        return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)) if sock is not None else None

    def received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        """A datagram: resolve the request it answers, or fail what waits on a sender of garbage."""
        source = (addr[0], addr[1]) if len(addr) == 2 else address_key(addr)
        try:
            answer = fastcodec.decode_response(data)
        except SnmpDecodeError as exc:
            self.discarded[source] += 1
            for future in self._waiting.get(source, ()):
                if not future.done():
                    future.set_exception(MalformedResponse(str(exc)))
            return
        request = self._pending.get(answer.request_id)
        if request is None or answer.pdu != RESPONSE or request.future.done():
            self.dropped += 1
            return
        ep = request.ep
        if source != ep.address or answer.version != ep.version_number or answer.community != ep.community:
            self.dropped += 1
            return
        request.future.set_result(answer)

    def take_bad_values(self, ep: Endpoint) -> BadValues | None:
        """The undecodable values ``ep``'s device sent since the last call (None: none)."""
        return self._bad_values.pop(ep.addr_name, None)

    async def get(self, ep: Endpoint, oids: Sequence[str]) -> Answer:
        """GET: (error-status, error-index, varbinds)."""
        assert isinstance(ep, FastEndpoint)
        return await self._request(ep, GET, oids, 0, 0)

    async def bulk(self, ep: Endpoint, non_repeaters: Sequence[str], columns: Sequence[str],
                   max_repetitions: int) -> Answer:
        """GETBULK (GETNEXT on SNMPv1): non-repeaters first, then rows of ``columns``."""
        assert isinstance(ep, FastEndpoint)
        oids = [*non_repeaters, *columns]
        if ep.version_number == 0:
            return await self._request(ep, GETNEXT, oids, 0, 0)
        return await self._request(ep, GETBULK, oids, len(non_repeaters), max_repetitions)

    def _request_id(self) -> int:
        self._next_id = self._next_id + 1 if self._next_id < 2**31 - 1 else 1
        return self._next_id

    async def _request(self, ep: FastEndpoint, pdu: int, oids: Sequence[str], non_repeaters: int,
                       max_repetitions: int) -> Answer:
        """Send, wait ``timeout``, resend up to ``retries`` times (each attempt with its own
        request-id; an answer to any of them ends the request)."""
        if self._closed:
            raise SnmpError(ErrorKind.INTERNAL, "SNMP host is closed")
        transport = self._transports.get(ep.ipv6) or await self._transport(ep.ipv6)
        loop = asyncio.get_running_loop()
        ids: list[int] = []
        garbage: MalformedResponse | None = None
        waiting = self._waiting.setdefault(ep.address, set())
        try:
            for _attempt in range(ep.retries + 1):
                future: asyncio.Future[fastcodec.Response] = loop.create_future()
                request_id = self._request_id()
                ids.append(request_id)
                for known in ids:
                    self._pending[known] = _Request(ep, future)
                waiting.add(future)
                message = fastcodec.encode_request(ep.version_number, ep.community, pdu, request_id, oids,
                                                   non_repeaters, max_repetitions)
                timer = loop.call_later(ep.timeout_s, _expire, future)
                try:
                    transport.sendto(message, ep.sockaddr)
                    answer = await future
                except TimeoutError:
                    continue
                except MalformedResponse as exc:
                    garbage = exc
                    continue
                finally:
                    timer.cancel()
                    waiting.discard(future)
                return self._answer(ep, answer)
        finally:
            for known in ids:
                self._pending.pop(known, None)
            if not waiting and self._waiting.get(ep.address) is waiting:
                del self._waiting[ep.address]
        if garbage is not None:
            raise garbage
        raise SnmpError(ErrorKind.TIMEOUT, "no answer to SNMP (timeout after all retries)")

    def _answer(self, ep: FastEndpoint, answer: fastcodec.Response) -> Answer:
        if answer.bad:
            self._bad_values.setdefault(ep.addr_name, BadValues()).add(answer.bad)
        varbinds = answer.varbinds
        if ep.version_number == 0 and answer.error_status == NO_SUCH_NAME:
            # pysnmp's RFC 2576 translation: noSuchObject, as the request was a GET or a GETBULK
            varbinds = [(oid, fastcodec.NO_SUCH_OBJECT) for oid, _value in varbinds]
        # pysnmp's get_error_index(muteErrors=True): an index past the varbinds names the last one
        return answer.error_status, min(answer.error_index, len(varbinds)), varbinds

    def close(self) -> None:
        """Close the sockets and fail what still waits (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for transport in self._transports.values():
            with contextlib.suppress(RuntimeError):  # loop already closed: the socket went with it
                transport.close()
        for request in self._pending.values():
            if not request.future.done():
                request.future.cancel()
        self._pending.clear()


class SnmpHosts:
    """The poller's SNMP host: v1/v2c on the fast path (unless ``codec`` is "pysnmp"), SNMPv3
    (and everything when forced) through pysnmp's engine."""

    def __init__(self, codec: str = "fast") -> None:
        if codec not in CODECS:
            raise ValueError(f"SNMP codec must be one of {', '.join(CODECS)}, not {codec!r}")
        self.codec = codec
        self.fast = FastSnmpHost()
        self._pysnmp: SnmpEngineHost | None = None

    @property
    def pysnmp(self) -> SnmpEngineHost:
        if self._pysnmp is None:
            self._pysnmp = SnmpEngineHost()
        return self._pysnmp

    async def endpoint(self, target: Target) -> Endpoint:
        if self.codec == "fast" and isinstance(target.snmp, SnmpV2c):
            return await self.fast.endpoint(target)
        return await self.pysnmp.endpoint(target)

    async def get(self, ep: Endpoint, oids: Sequence[str]) -> Answer:
        if isinstance(ep, FastEndpoint):
            return await self.fast.get(ep, oids)
        return await self.pysnmp.get(ep, oids)

    async def bulk(self, ep: Endpoint, non_repeaters: Sequence[str], columns: Sequence[str],
                   max_repetitions: int) -> Answer:
        if isinstance(ep, FastEndpoint):
            return await self.fast.bulk(ep, non_repeaters, columns, max_repetitions)
        return await self.pysnmp.bulk(ep, non_repeaters, columns, max_repetitions)

    def take_bad_values(self, ep: Endpoint) -> BadValues | None:
        if isinstance(ep, FastEndpoint):
            return self.fast.take_bad_values(ep)
        return self._pysnmp.take_bad_values(ep) if self._pysnmp is not None else None

    def close(self) -> None:
        self.fast.close()
        if self._pysnmp is not None:
            self._pysnmp.close()
