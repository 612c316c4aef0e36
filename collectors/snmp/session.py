"""The one pysnmp engine of a process and the raw requests (GET, GETBULK) made through it.

pysnmp 7's v3arch engine is used below its hlapi: requests go straight to the RFC 3413
command generators with numeric ``(ObjectName, Null)`` varbinds, so no MIB is resolved on
either the request or the response path (measured in ../shared/reading/snmp-performance.md:
the hlapi resolves request varbinds even with ``lookupMib=False``). Targets are registered
once per (address, credentials, timeout) through pysnmp's own LCD configurator, the shared
UDP socket gets a large receive buffer (the default drops answers at ~100 polls in flight)
and ``close()`` releases socket and engine. Every failure becomes an ``SnmpError`` with an
``ErrorKind``; callers never see pysnmp exceptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config
from pysnmp.entity.engine import SnmpEngine
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.hlapi.v3arch.asyncio import CommunityData, UdpTransportTarget, UsmUserData
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
from pysnmp.proto import errind, rfc1902

from collectors.errors import SnmpError
from collectors.observations import ErrorKind
from collectors.targets import AuthProtocol, PrivProtocol, SnmpV2c, SnmpV3, Target

RECV_BUFFER_BYTES = 4 * 1024 * 1024
Oid = tuple[int, ...]
VarBind = tuple[Oid, Any]

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


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A registered target: pysnmp's target name plus what the walker needs to know."""

    addr_name: str
    version: str
    context: bytes
    timeout_s: float = 1.0
    retries: int = 1


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
        self._buffer_set = False
        self._closed = False

    async def endpoint(self, target: Target) -> Endpoint:
        """Register ``target`` once (cached) and return its endpoint."""
        cred = target.snmp
        if cred is None:
            raise SnmpError(ErrorKind.UNSUPPORTED, "no SNMP credentials for this device")
        key = (target.host, target.snmp_port, target.timeouts.snmp_timeout_s, target.timeouts.snmp_retries,
               cred)
        found = self._endpoints.get(key)
        if found is not None:
            return found
        try:
            transport = await UdpTransportTarget.create(
                (target.host, target.snmp_port), timeout=target.timeouts.snmp_timeout_s,
                retries=0)  # we retry ourselves: an abandoned request must not be re-sent
        except Exception as exc:  # pysnmp wraps resolver failures in PySnmpError
            raise SnmpError(ErrorKind.UNREACHABLE, f"cannot resolve {target.host}: {exc}") from exc
        context = cred.context.encode() if isinstance(cred, SnmpV3) else b""
        addr_name, _params = self._lcd.configure(self.engine, _auth_data(cred), transport, context)
        version = "3" if isinstance(cred, SnmpV3) else cred.version
        t = target.timeouts
        found = Endpoint(addr_name=addr_name, version=version, context=context,
                         timeout_s=t.snmp_timeout_s, retries=max(0, t.snmp_retries))
        self._endpoints[key] = found
        await self._raise_recv_buffer()
        return found

    async def _raise_recv_buffer(self) -> None:
        """Give the shared UDP socket a large receive buffer once it exists (connection_made
        runs a loop iteration after pysnmp opens it): 100 answers of ~5 KB in flight overflow
        the default 208 KiB and are dropped."""
        for _ in range(200):
            if self._buffer_set:
                return
            transport = config.get_transport(self.engine, udp.DOMAIN_NAME)
            asyncio_transport = getattr(transport, "transport", None)
            sock = asyncio_transport.get_extra_info("socket") if asyncio_transport is not None else None
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._recv_buffer)
                self._buffer_set = True
                return
            await asyncio.sleep(0.005)

    def receive_buffer_bytes(self) -> int | None:
        """The socket's receive buffer as the kernel granted it (None before the first target)."""
        transport = getattr(config.get_transport(self.engine, udp.DOMAIN_NAME), "transport", None)
        sock = transport.get_extra_info("socket") if transport is not None else None
        return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)) if sock is not None else None

    def _future(self) -> tuple[asyncio.Future[tuple[int, int, list[VarBind]]], Any]:
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
        tick does not stretch it, and nothing is re-sent for a poll that was given up."""
        for _attempt in range(ep.retries + 1):
            future, done = self._future()
            send(done)
            try:
                async with asyncio.timeout(ep.timeout_s):
                    return await future
            except TimeoutError:
                continue
            except SnmpError as exc:
                if exc.kind is not ErrorKind.TIMEOUT:
                    raise
        raise SnmpError(ErrorKind.TIMEOUT, "no answer to SNMP (timeout after all retries)")

    def close(self) -> None:
        """Close the shared socket and drop the engine's dispatcher (idempotent)."""
        if not self._closed:
            self._closed = True
            with contextlib.suppress(RuntimeError):  # loop already closed: the socket went with it
                self.engine.close_dispatcher()
