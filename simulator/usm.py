"""SNMPv3 for the simulated agents: pysnmp's own engine (USM, VACM, command responders),
fed with the v3 datagrams that reach our per-switch sockets.

The v2c path in ``agent`` stays a small decoder of its own; v3 needs USM (engine discovery,
time windows, HMAC, AES), which pysnmp implements. Each switch is a transport of one engine
(one domain per switch), so the MIB controller knows which switch was asked, and answers go
back through the same socket the request came in on. Demo user: ``netops``, authPriv,
SHA / ``demo-auth-pass``, AES-128 / ``demo-priv-pass``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.carrier.base import AbstractTransport, AbstractTransportDispatcher
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context
from pysnmp.proto import rfc1902, rfc1905

from simulator import ber
from simulator.mib import MibView

V3_USER = "netops"
V3_AUTH_KEY = "demo-auth-pass"
V3_PRIV_KEY = "demo-priv-pass"
Send = Callable[[bytes, tuple[str, int]], None]


class _Dispatcher(AbstractTransportDispatcher):  # type: ignore[misc]
    """No I/O of its own: datagrams are handed in by ``V3Responder.receive``."""


class _Transport(AbstractTransport):  # type: ignore[misc]
    PROTO_TRANSPORT_DISPATCHER = _Dispatcher

    def __init__(self, send: Send) -> None:
        self._send = send

    def send_message(self, outgoingMessage: Any, transportAddress: Any) -> None:
        self._send(bytes(outgoingMessage), (str(transportAddress[0]), int(transportAddress[1])))

    def deliver(self, data: bytes, sender: tuple[str, int]) -> None:
        callback = self._callback_function
        if callback is not None:
            callback(self, udp.UdpTransportAddress(sender), data)


class _Instrumentation:
    """The MIB controller pysnmp's command responders call: reads the asked switch's view."""

    def __init__(self, responder: V3Responder) -> None:
        self.responder = responder

    def read_variables(self, *var_binds: Any, **_context: Any) -> list[tuple[Any, Any]]:
        view = self.responder.current_view()
        out = []
        for oid, _value in var_binds:
            getter = view.get(tuple(oid))
            out.append((oid, ber.to_pysnmp(getter()) if getter is not None else rfc1905.noSuchInstance))
        return out

    def read_next_variables(self, *var_binds: Any, **_context: Any) -> list[tuple[Any, Any]]:
        view = self.responder.current_view()
        out: list[tuple[Any, Any]] = []
        for oid, _value in var_binds:
            found = view.next(tuple(oid))
            if found is None:
                out.append((oid, rfc1905.endOfMibView))
            else:
                out.append((rfc1902.ObjectName(found[0]), ber.to_pysnmp(found[1]())))
        return out


class V3Responder:
    """One pysnmp engine answering SNMPv3 for every simulated switch."""

    def __init__(self, view_of: Callable[[str], MibView], seed: str = "netops-demo") -> None:
        self._view_of = view_of
        self._current = ""
        self._transports: dict[str, _Transport] = {}
        engine_id = "80001f8804" + hashlib.sha256(seed.encode()).hexdigest()[:16]
        self.engine = engine.SnmpEngine(snmpEngineID=rfc1902.OctetString(hexValue=engine_id))
        self._dispatcher = _Dispatcher()
        self.engine.register_transport_dispatcher(self._dispatcher)
        config.add_v3_user(self.engine, V3_USER, config.USM_AUTH_HMAC96_SHA, V3_AUTH_KEY,
                           config.USM_PRIV_CFB128_AES, V3_PRIV_KEY)
        config.add_vacm_user(self.engine, 3, V3_USER, "authPriv", (1,), ())
        snmp_context = context.SnmpContext(self.engine)
        snmp_context.unregister_context_name(b"")  # the engine's own MIB tree: not ours to serve
        snmp_context.register_context_name(b"", _Instrumentation(self))
        cmdrsp.GetCommandResponder(self.engine, snmp_context)
        cmdrsp.NextCommandResponder(self.engine, snmp_context)
        bulk = cmdrsp.BulkCommandResponder(self.engine, snmp_context)
        bulk.max_varbinds = 1000

    def add_device(self, name: str, send: Send) -> None:
        transport = _Transport(send)
        self._dispatcher.register_transport((*udp.DOMAIN_NAME, len(self._transports) + 1), transport)
        self._transports[name] = transport

    def current_view(self) -> MibView:
        return self._view_of(self._current)

    def receive(self, device: str, data: bytes, sender: tuple[str, int]) -> None:
        """Process one v3 datagram for ``device``; the answer (if any) is sent synchronously."""
        self._current = device
        self._transports[device].deliver(data, sender)
