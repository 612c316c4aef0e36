"""The one pysnmp engine of a process and the raw requests (GET, GETBULK) made through it.

pysnmp 7's v3arch engine is used below its hlapi: requests go straight to the RFC 3413
command generators with numeric ``(ObjectName, Null)`` varbinds, so no MIB is resolved on
either the request or the response path (measured in ../shared/reading/snmp-performance.md:
the hlapi resolves request varbinds even with ``lookupMib=False``). Targets are registered
once per (address, credentials, timeout) through pysnmp's own LCD configurator, the shared
UDP socket gets a large receive buffer (the default drops answers at ~100 polls in flight)
and ``close()`` releases socket and engine. Every failure becomes an ``SnmpError`` with an
``ErrorKind``; callers never see pysnmp exceptions.

IPv6 addresses get pysnmp's UDP/IPv6 transport (a second socket on the same dispatcher).
pysnmp drops a datagram it cannot decode without a word, so the engine's receive callback is
wrapped (``_receive``): a datagram pysnmp counted as a parse error is re-read with ``ber``;
when only some values are bad (a negative Counter32, an unknown type), those get NULL and the
rest of the answer is used (``take_bad_values`` reports them per device); when the message is
broken (truncated BER, garbage) the requests waiting on that address fail at once as
MALFORMED ("malformed response") instead of waiting for a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pysnmp.carrier.asyncio.dgram import udp, udp6
from pysnmp.entity import config
from pysnmp.entity.engine import SnmpEngine
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.hlapi.v3arch.asyncio import CommunityData, Udp6TransportTarget, UdpTransportTarget, UsmUserData
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
from pysnmp.proto import errind, rfc1902

from collectors.errors import SnmpError
from collectors.observations import ErrorKind
from collectors.snmp import ber
from collectors.targets import SNMP_MAX_ROWS, AuthProtocol, PrivProtocol, SnmpV2c, SnmpV3, Target

RECV_BUFFER_BYTES = 4 * 1024 * 1024
BAD_VALUES_KEPT = 20  # bad values remembered per device between two take_bad_values()
Oid = tuple[int, ...]
VarBind = tuple[Oid, Any]
Address = tuple[str, int]

AUTH_PROTOCOLS = {
    AuthProtocol.MD5: config.USM_AUTH_HMAC96_MD5,
    AuthProtocol.SHA: config.USM_AUTH_HMAC96_SHA,
    AuthProtocol.SHA224: config.USM_AUTH_HMAC128_SHA224,
    AuthProtocol.SHA256: config.USM_AUTH_HMAC192_SHA256,
    AuthProtocol.SHA384: config.USM_AUTH_HMAC256_SHA384,
    AuthProtocol.SHA512: config.USM_AUTH_HMAC384_SHA512,
}
# net-snmp's AES-192/256 use the Blumenthal key extension (testbed README, credentials).
PRIV_PROTOCOLS = {
    PrivProtocol.DES: config.USM_PRIV_CBC56_DES,
    PrivProtocol.AES: config.USM_PRIV_CFB128_AES,
    PrivProtocol.AES192: config.USM_PRIV_CFB192_AES_BLUMENTHAL,
    PrivProtocol.AES256: config.USM_PRIV_CFB256_AES_BLUMENTHAL,
}
AUTH_INDICATIONS = (
    errind.UnknownUserName, errind.WrongDigest, errind.AuthenticationFailure, errind.AuthenticationError,
    errind.UnknownSecurityName, errind.UnsupportedSecurityLevel, errind.DecryptionError,
    errind.UnsupportedAuthProtocol, errind.UnsupportedPrivProtocol, errind.NotInTimeWindow,
    errind.UnknownCommunityName, errind.NoAccessEntry, errind.NotInView, errind.NoSuchView,
    errind.NoGroupName,
)
MALFORMED_INDICATIONS = (errind.DeserializationError, errind.SerializationError, errind.InvalidMsg,
                         errind.DataMismatch, errind.EmptyResponse)
# SNMP error-status values (RFC 3416) we name; the rest are "agent error".
NO_SUCH_NAME, TOO_BIG, AUTHORIZATION_ERROR = 2, 1, 16
ERROR_STATUS_NAMES = {1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr",
                      6: "noAccess", 16: "authorizationError"}


def classify(indication: object) -> SnmpError:
    """Map a pysnmp error indication to an SnmpError with the right kind."""
    text = str(indication)
    if isinstance(indication, errind.RequestTimedOut):
        return SnmpError(ErrorKind.TIMEOUT, "no answer to SNMP (timeout after all retries)")
    if isinstance(indication, AUTH_INDICATIONS):
        return SnmpError(ErrorKind.AUTH, f"SNMP authentication failed: {text}")
    if isinstance(indication, MALFORMED_INDICATIONS):
        return SnmpError(ErrorKind.MALFORMED, f"undecodable SNMP answer: {text}")
    return SnmpError(ErrorKind.INTERNAL, f"SNMP error: {text}")


def status_error(status: int, index: int) -> SnmpError:
    name = ERROR_STATUS_NAMES.get(status, f"error-status {status}")
    if status == NO_SUCH_NAME:
        return SnmpError(ErrorKind.NO_SUCH_OBJECT, f"agent answered noSuchName (varbind {index})")
    if status == AUTHORIZATION_ERROR:
        return SnmpError(ErrorKind.AUTH, "agent answered authorizationError")
    return SnmpError(ErrorKind.MALFORMED, f"agent answered {name} (varbind {index})")


class MalformedResponse(SnmpError):
    """The device answered with a datagram that cannot be decoded at all."""

    def __init__(self, reason: str) -> None:
        super().__init__(ErrorKind.MALFORMED, f"malformed response: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A registered target: pysnmp's target name plus what the walker needs to know.
    ``address`` is where answers come from; ``max_rows`` caps the rows of one column walk."""

    addr_name: str
    version: str
    context: bytes
    timeout_s: float = 1.0
    retries: int = 1
    address: Address = ("", 0)
    max_rows: int = SNMP_MAX_ROWS


class SnmpHost(Protocol):
    """What the walker and the readers use of a host: ``SnmpEngineHost`` (pysnmp) or
    ``fastsession.FastSnmpHost`` / ``SnmpHosts`` (the v1/v2c fast path)."""

    async def get(self, ep: Endpoint, oids: Sequence[str]) -> tuple[int, int, list[VarBind]]: ...

    async def bulk(self, ep: Endpoint, non_repeaters: Sequence[str], columns: Sequence[str],
                   max_repetitions: int) -> tuple[int, int, list[VarBind]]: ...


@dataclass
class BadValues:
    """The values one device sent that could not be decoded: OID -> why (the first few OIDs),
    and how many more bad varbinds came (a GETBULK overshoot can repeat one OID)."""

    first: dict[str, str] = field(default_factory=dict)
    more: int = 0

    def add(self, bad: Sequence[ber.BadValue]) -> None:
        for value in bad:
            if value.oid in self.first:
                continue
            if len(self.first) < BAD_VALUES_KEPT:
                self.first[value.oid] = value.reason
            else:
                self.more += 1


def address_key(address: Sequence[Any]) -> Address:
    """(host, port) of a UDP or UDP/IPv6 socket address, IPv6 zone dropped."""
    return str(address[0]).split("%", 1)[0].lower(), int(address[1])


def ipv6_literal(host: str) -> str | None:
    """The IPv6 address in ``host`` ("::1", "[::1]", "fe80::1%eth0"), None for anything else."""
    bare = host.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    try:
        return bare if ipaddress.ip_address(bare.split("%", 1)[0]).version == 6 else None
    except ValueError:
        return None


def _auth_data(cred: SnmpV2c | SnmpV3) -> CommunityData | UsmUserData:
    if isinstance(cred, SnmpV2c):
        return CommunityData(cred.community.reveal(), mpModel=0 if cred.version == "1" else 1)
    auth = AUTH_PROTOCOLS[cred.auth_protocol or AuthProtocol.SHA] if cred.auth_key else config.USM_AUTH_NONE
    priv = PRIV_PROTOCOLS[cred.priv_protocol or PrivProtocol.AES] if cred.priv_key else config.USM_PRIV_NONE
    return UsmUserData(cred.user, authKey=cred.auth_key.reveal() if cred.auth_key else None,
                       privKey=cred.priv_key.reveal() if cred.priv_key else None,
                       authProtocol=auth, privProtocol=priv)


class SnmpEngineHost:
    """One SnmpEngine for the process (per event loop), its targets and its raw requests."""

    def __init__(self, recv_buffer_bytes: int = RECV_BUFFER_BYTES) -> None:
        self.engine = SnmpEngine()
        self._lcd = CommandGeneratorLcdConfigurator()
        self._endpoints: dict[tuple[Any, ...], Endpoint] = {}
        self._get = cmdgen.GetCommandGenerator()
        self._bulk = cmdgen.BulkCommandGeneratorSingleRun()
        self._recv_buffer = recv_buffer_bytes
        self._buffer_set: set[tuple[int, ...]] = set()
        self._closed = False
        self._receiver: tuple[Any, Any] | None = None  # pysnmp's parse-error counters, once wrapped
        self._repairing: list[ber.BadValue] | None = None  # set while a repaired message is processed
        self._waiting: dict[Address, set[asyncio.Future[tuple[int, int, list[VarBind]]]]] = {}
        self._bad_values: dict[str, BadValues] = {}
        self.discarded: Counter[Address] = Counter()  # undecodable datagrams per source address

    async def endpoint(self, target: Target) -> Endpoint:
        """Register ``target`` once (cached) and return its endpoint."""
        cred = target.snmp
        if cred is None:
            raise SnmpError(ErrorKind.UNSUPPORTED, "no SNMP credentials for this device")
        t = target.timeouts
        key = (target.host, target.snmp_port, t.snmp_timeout_s, t.snmp_retries, t.snmp_max_rows, cred)
        found = self._endpoints.get(key)
        if found is not None:
            return found
        transport = await self._transport(target)
        context = cred.context.encode() if isinstance(cred, SnmpV3) else b""
        addr_name, _params = self._lcd.configure(self.engine, _auth_data(cred), transport, context)
        self._wrap_receiver()
        version = "3" if isinstance(cred, SnmpV3) else cred.version
        found = Endpoint(addr_name=addr_name, version=version, context=context,
                         timeout_s=t.snmp_timeout_s, retries=max(0, t.snmp_retries),
                         address=address_key(transport.transport_address), max_rows=max(1, t.snmp_max_rows))
        self._endpoints[key] = found
        await self._raise_recv_buffer(transport.TRANSPORT_DOMAIN)
        return found

    async def _transport(self, target: Target) -> UdpTransportTarget | Udp6TransportTarget:
        """pysnmp's transport target: UDP/IPv6 for an IPv6 address (or a name with only IPv6
        addresses), else UDP/IPv4. pysnmp's own retries are off: we retry ourselves, so an
        abandoned request is never re-sent. Its own timeout is a second longer than ours:
        its 0.1 s timer tick would otherwise end an attempt up to a tick early."""
        v6 = ipv6_literal(target.host)
        kinds: tuple[type[UdpTransportTarget] | type[Udp6TransportTarget], ...] = (
            (Udp6TransportTarget,) if v6 else (UdpTransportTarget, Udp6TransportTarget))
        failure: Exception | None = None
        for kind in kinds:
            try:
                return await kind.create((v6 or target.host, target.snmp_port),
                                         timeout=target.timeouts.snmp_timeout_s + 1.0, retries=0)
            except Exception as exc:  # pysnmp wraps resolver failures in PySnmpError
                failure = failure or exc
        raise SnmpError(ErrorKind.UNREACHABLE, f"cannot resolve {target.host}: {failure}") from failure

    async def _raise_recv_buffer(self, domain: tuple[int, ...]) -> None:
        """Give the shared UDP socket a large receive buffer once it exists (connection_made
        runs a loop iteration after pysnmp opens it): 100 answers of ~5 KB in flight overflow
        the default 208 KiB and are dropped."""
        for _ in range(200):
            if domain in self._buffer_set:
                return
            sock = self._socket(domain)
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._recv_buffer)
                self._buffer_set.add(domain)
                return
            await asyncio.sleep(0.005)

    def _socket(self, domain: tuple[int, ...]) -> Any:
        """The socket of one transport (asyncio's TransportSocket wrapper), None before it opened."""
        transport = getattr(config.get_transport(self.engine, domain), "transport", None)
        return transport.get_extra_info("socket") if transport is not None else None

    def receive_buffer_bytes(self, ipv6: bool = False) -> int | None:
        """The socket's receive buffer as the kernel granted it (None before the first target)."""
        sock = self._socket(udp6.DOMAIN_NAME if ipv6 else udp.DOMAIN_NAME)
        return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)) if sock is not None else None

    def _wrap_receiver(self) -> None:
        """Put ``_receive`` between the transport dispatcher and pysnmp's message dispatcher
        (once, when the first target created the dispatcher)."""
        dispatcher = self.engine.transport_dispatcher
        if self._receiver is not None or dispatcher is None:
            return
        builder = self.engine.get_mib_builder()
        self._receiver = builder.import_symbols("__SNMPv2-MIB", "snmpInASNParseErrs", "snmpInBadVersions")
        dispatcher.unregister_recv_callback(None)
        dispatcher.register_recv_callback(self._receive, None)

    def _dispatch(self, domain: Any, address: Any, message: bytes) -> str | None:
        """Hand a datagram to pysnmp; the reason when pysnmp dropped it as undecodable."""
        assert self._receiver is not None
        parse_errors, bad_versions = self._receiver
        before = (parse_errors.syntax, bad_versions.syntax)
        try:
            self.engine.message_dispatcher.receive_message(self.engine, domain, address, message)
        except Exception as exc:  # pysnmp lets some decoder errors through
            return f"{type(exc).__name__}: {exc}"[:200]
        if parse_errors.syntax is not before[0]:
            return "undecodable BER"
        if bad_versions.syntax is not before[1]:
            return "unknown SNMP version"
        return None

    def _receive(self, _dispatcher: Any, domain: Any, address: Any, message: bytes) -> None:
        """The engine's receive callback, plus: save what can be saved of an undecodable
        answer, and fail the requests waiting on a device that sent garbage."""
        problem = self._dispatch(domain, address, message)
        if problem is None:
            return
        try:
            repaired, bad = ber.repair(bytes(message))
        except ber.BerError as exc:
            problem = str(exc)
        except Exception as exc:  # never let a datagram break the receive path
            problem = f"{problem} ({type(exc).__name__} while re-reading it)"
        else:
            if bad:
                self._repairing = bad
                try:
                    problem = self._dispatch(domain, address, repaired)
                finally:
                    self._repairing = None
                if problem is None:
                    return
        key = address_key(address)
        self.discarded[key] += 1
        for future in self._waiting.get(key, ()):
            if not future.done():
                future.set_exception(MalformedResponse(problem))

    def take_bad_values(self, ep: Endpoint) -> BadValues | None:
        """The undecodable values ``ep``'s device sent since the last call (None: none)."""
        return self._bad_values.pop(ep.addr_name, None)

    def _future(self, ep: Endpoint) -> tuple[asyncio.Future[tuple[int, int, list[VarBind]]], Any]:
        future: asyncio.Future[tuple[int, int, list[VarBind]]] = asyncio.get_running_loop().create_future()

        def done(_engine: Any, _handle: Any, indication: Any, status: Any, index: Any,
                 var_binds: Any, _ctx: Any) -> None:
            if future.done():
                return
            if indication:
                future.set_exception(classify(indication))
                return
            try:
                rows = [(name.asTuple(), value) for name, value in var_binds]
            except Exception as exc:  # a varbind pyasn1 could not give us
                future.set_exception(SnmpError(ErrorKind.MALFORMED, f"undecodable varbind: {exc}"))
                return
            if self._repairing:  # this answer had values replaced by NULL (see _receive)
                self._bad_values.setdefault(ep.addr_name, BadValues()).add(self._repairing)
            future.set_result((int(status or 0), int(index or 0), rows))

        return future, done

    async def get(self, ep: Endpoint, oids: Sequence[str]) -> tuple[int, int, list[VarBind]]:
        """GET: (error-status, error-index, varbinds)."""
        var_binds = [(rfc1902.ObjectName(o), rfc1902.Null("")) for o in oids]

        def send(done: Any) -> None:
            self._get.send_varbinds(self.engine, ep.addr_name, None, ep.context, var_binds, done)

        return await self._request(ep, send)

    async def bulk(self, ep: Endpoint, non_repeaters: Sequence[str], columns: Sequence[str],
                   max_repetitions: int) -> tuple[int, int, list[VarBind]]:
        """GETBULK (GETNEXT on SNMPv1): non-repeaters first, then rows of ``columns``."""
        var_binds = [(rfc1902.ObjectName(o), rfc1902.Null("")) for o in (*non_repeaters, *columns)]

        def send(done: Any) -> None:
            self._bulk.send_varbinds(self.engine, ep.addr_name, None, ep.context, len(non_repeaters),
                                     max_repetitions, var_binds, done)

        return await self._request(ep, send)

    async def _request(self, ep: Endpoint, send: Any) -> tuple[int, int, list[VarBind]]:
        """Send, wait ``timeout``, resend up to ``retries`` times. The retries are ours (pysnmp's
        are off) so a silent device costs exactly timeout x (retries + 1), pysnmp's coarse timer
        tick does not stretch it, and nothing is re-sent for a poll that was given up. An
        undecodable answer ends its attempt at once; if no attempt got a good answer, the
        request fails as MALFORMED ("malformed response"), not as a timeout."""
        garbage: MalformedResponse | None = None
        for _attempt in range(ep.retries + 1):
            future, done = self._future(ep)
            waiting = self._waiting.setdefault(ep.address, set())
            waiting.add(future)
            try:
                send(done)
                async with asyncio.timeout(ep.timeout_s):
                    return await future
            except TimeoutError:
                continue
            except MalformedResponse as exc:
                garbage = exc
            except SnmpError as exc:
                if exc.kind is not ErrorKind.TIMEOUT:
                    raise
            finally:
                waiting.discard(future)
                if not waiting and self._waiting.get(ep.address) is waiting:
                    del self._waiting[ep.address]
        if garbage is not None:
            raise garbage
        raise SnmpError(ErrorKind.TIMEOUT, "no answer to SNMP (timeout after all retries)")

    def close(self) -> None:
        """Close the shared socket and drop the engine's dispatcher (idempotent)."""
        if not self._closed:
            self._closed = True
            with contextlib.suppress(RuntimeError):  # loop already closed: the socket went with it
                self.engine.close_dispatcher()
