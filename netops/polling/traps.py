"""SNMP trap receiver (pysnmp 7 notification receiver): a trap only ever triggers a confirming poll.

Listens on ``traps.host``:``traps.effective_port`` (162 as root, else 10162) in its own thread
and asyncio loop, with the v2c communities and v3 users of the stored SNMP credentials.
linkDown / linkUp / coldStart / warmStart (and LLDP-MIB lldpRemTablesChange, which lldpd sends
the moment a fiber loses its neighbor) from a known device (matched by its management address)
call ``on_trap``, which the service wires to an immediate status poll of that device
through the scheduler; the trap never changes a state or opens an outage by itself. Traps from
unknown senders, with unknown communities or failing v3 authentication are counted per reason
in ``trap_stats`` and dropped. pysnmp's USM needs the sender's engine ID for v3 users, so the
receiver learns engine IDs from incoming message headers (the routing hook runs before
security processing) and registers the configured users for each new one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyasn1.codec.ber import decoder
from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.carrier.asyncio.dispatch import AsyncioDispatcher
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import ntfrcv
from sqlalchemy import Engine, select

from collectors.targets import AuthProtocol, PrivProtocol, SnmpV3
from inventory.db import session_scope
from inventory.models import Credential, Device, TrapStat, utcnow
from netops.secrets import SecretError, resolve
from netops.settings import Settings

log = logging.getLogger(__name__)

TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"  # SNMPv2-MIB::snmpTrapOID.0
TRAPS = {
    "1.3.6.1.6.3.1.1.5.1": "coldStart", "1.3.6.1.6.3.1.1.5.2": "warmStart",
    "1.3.6.1.6.3.1.1.5.3": "linkDown", "1.3.6.1.6.3.1.1.5.4": "linkUp",
    "1.0.8802.1.1.2.0.0.1": "lldpRemTablesChange",  # LLDP-MIB: a neighbor appeared or aged out
}
IF_INDEX = "1.3.6.1.2.1.2.2.1.1."  # IF-MIB::ifIndex
IF_OPER = "1.3.6.1.2.1.2.2.1.8."  # IF-MIB::ifOperStatus
COUNTERS = {
    "bad_community": ("__SNMPv2-MIB", "snmpInBadCommunityNames"),
    "unknown_v3_user": ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnknownUserNames"),
    "bad_v3_auth": ("__SNMP-USER-BASED-SM-MIB", "usmStatsWrongDigests"),
    "bad_v3_priv": ("__SNMP-USER-BASED-SM-MIB", "usmStatsDecryptionErrors"),
}
AUTH = {"md5": config.USM_AUTH_HMAC96_MD5, "sha": config.USM_AUTH_HMAC96_SHA,
        "sha224": config.USM_AUTH_HMAC128_SHA224, "sha256": config.USM_AUTH_HMAC192_SHA256,
        "sha384": config.USM_AUTH_HMAC256_SHA384, "sha512": config.USM_AUTH_HMAC384_SHA512}
PRIV = {"des": config.USM_PRIV_CBC56_DES, "aes": config.USM_PRIV_CFB128_AES,
        "aes192": config.USM_PRIV_CFB192_AES_BLUMENTHAL, "aes256": config.USM_PRIV_CFB256_AES_BLUMENTHAL}


@dataclass(frozen=True, slots=True)
class Trap:
    """A trap we act on: which device, what happened, on which interface."""

    device: str
    sender: str
    kind: str
    if_index: int | None = None
    oper_status: str | None = None


TrapHandler = Callable[[Trap], None]


def parse_varbinds(varbinds: list[tuple[str, str]]) -> tuple[str | None, int | None, str | None]:
    """(trap name, ifIndex, ifOperStatus) from (oid, value) text pairs; unknown parts are None."""
    values = dict(varbinds)
    kind = TRAPS.get(values.get(TRAP_OID, "").lstrip("."))
    if_index, oper = None, None
    for oid, value in varbinds:
        if oid.startswith(IF_INDEX) and value.isdigit():
            if_index = int(value)
        elif oid.startswith(IF_OPER):
            oper = {"1": "up", "2": "down"}.get(value, value)
            if if_index is None and oid[len(IF_OPER):].isdigit():
                if_index = int(oid[len(IF_OPER):])
    return kind, if_index, oper


def load_credentials(db: Engine, settings: Settings) -> tuple[list[str], list[SnmpV3], dict[str, str]]:
    """Communities and v3 users of every stored SNMP credential, and address -> device name."""
    communities: set[str] = set()
    users: dict[str, SnmpV3] = {}
    with session_scope(db) as session:
        for cred in session.scalars(select(Credential).where(Credential.type == "snmp")):
            try:
                _add_credential(cred, settings, communities, users)
            except (SecretError, ValueError) as exc:
                log.warning("trap receiver: credential %s skipped: %s", cred.name, exc)
        senders = {d.address: d.name for d in session.scalars(select(Device).where(Device.enabled.is_(True)))}
    return sorted(communities), list(users.values()), senders


def _add_credential(cred: Credential, settings: Settings, communities: set[str],
                    users: dict[str, SnmpV3]) -> None:
    if cred.snmp_version == "3":
        if cred.username:
            users[cred.username] = SnmpV3(
                user=cred.username,
                auth_protocol=AuthProtocol(cred.auth_protocol) if cred.auth_protocol else None,
                auth_key=resolve(cred.auth_key, settings),
                priv_protocol=PrivProtocol(cred.priv_protocol) if cred.priv_protocol else None,
                priv_key=resolve(cred.priv_key, settings))
        return
    community = resolve(cred.community, settings)
    if community:
        communities.add(community.reveal())


class TrapReceiver:
    """The notification receiver in a daemon thread; ``start`` raises if the port cannot be bound."""

    def __init__(self, db: Engine, settings: Settings, on_trap: TrapHandler, *,
                 port: int | None = None) -> None:
        self._db = db
        self._settings = settings
        self._on_trap = on_trap
        self.port = port if port is not None else settings.traps.effective_port
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._engine: engine.SnmpEngine | None = None
        self._users: list[SnmpV3] = []
        self._engine_ids: set[bytes] = set()
        self._senders: dict[str, str] = {}
        self._handled = False
        self.accepted = 0

    def start(self) -> None:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._setup()
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="netops-traps", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        log.info("trap receiver listening on %s:%d", self._settings.traps.host, self.port)

    def stop(self) -> None:
        if self._thread is None:
            return
        def close() -> None:
            if self._engine is not None and self._engine.transport_dispatcher is not None:
                self._engine.transport_dispatcher.close_dispatcher()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.call_soon(self._loop.stop)

        self._loop.call_soon_threadsafe(close)
        self._thread.join(5)
        self._thread = None

    def reload(self) -> None:
        """Re-read communities, users and device addresses (after an inventory change)."""
        self._loop.call_soon_threadsafe(self._configure_credentials)

    def _setup(self) -> None:
        snmp = engine.SnmpEngine()
        self._engine = snmp
        dispatcher = AsyncioDispatcher(loop=self._loop)
        snmp.register_transport_dispatcher(dispatcher)
        dispatcher.register_routing_callback(self._route)
        config.add_transport(snmp, udp.DOMAIN_NAME,
                             udp.UdpTransport(loop=self._loop).open_server_mode((self._settings.traps.host,
                                                                                 self.port)))
        self._configure_credentials()
        ntfrcv.NotificationReceiver(snmp, self._received)

    def _configure_credentials(self) -> None:
        assert self._engine is not None
        communities, users, senders = load_credentials(self._db, self._settings)
        for index, community in enumerate(communities):
            config.add_v1_system(self._engine, f"netops-{index}", community)
        self._users, self._senders = users, senders
        for engine_id in list(self._engine_ids):
            self._add_users(engine_id)

    def _add_users(self, engine_id: bytes) -> None:
        assert self._engine is not None
        for user in self._users:
            auth = AUTH.get(user.auth_protocol or "", config.USM_AUTH_NONE)
            priv = PRIV.get(user.priv_protocol or "", config.USM_PRIV_NONE)
            auth_key = user.auth_key.reveal() if user.auth_key else None
            priv_key = user.priv_key.reveal() if user.priv_key else None
            config.add_v3_user(self._engine, user.user, auth, auth_key, priv, priv_key,
                               securityEngineId=_octets(engine_id))

    def _route(self, domain: Any, address: Any, message: bytes) -> None:
        """Runs before pysnmp's security checks: learn v3 engine IDs, snapshot the drop counters."""
        engine_id = _v3_engine_id(message)
        if engine_id and engine_id not in self._engine_ids:
            self._engine_ids.add(engine_id)
            self._add_users(engine_id)
        before = self._counters()
        self._handled = False
        self._loop.call_soon(self._after, str(address[0]), before)
        return None

    def _counters(self) -> dict[str, int]:
        assert self._engine is not None
        builder = self._engine.get_mib_builder()
        result = {}
        for reason, (module, name) in COUNTERS.items():
            (symbol,) = builder.import_symbols(module, name)
            result[reason] = int(symbol.syntax)
        return result

    def _after(self, sender: str, before: dict[str, int]) -> None:
        if self._handled:
            return
        after = self._counters()
        reasons = [reason for reason in COUNTERS if after[reason] > before[reason]] or ["dropped_other"]
        for reason in reasons:
            self._count(reason, sender)

    def _received(self, snmp: Any, state_reference: Any, context_engine_id: Any, context_name: Any,
                  varbinds: Any, cb_ctx: Any) -> None:
        self._handled = True
        context = snmp.observer.get_execution_context("rfc3412.receiveMessage:request")
        sender = str(context["transportAddress"][0])
        pairs = [(str(oid), val.prettyPrint()) for oid, val in varbinds]
        kind, if_index, oper = parse_varbinds(pairs)
        log.debug("trap varbinds from %s: %s", sender, pairs)
        device = self._senders.get(sender)
        if device is None:
            self._count("unknown_sender", sender)
            return
        if kind is None:
            self._count("ignored", sender)
            return
        self._count("accepted", sender)
        self.accepted += 1
        trap = Trap(device=device, sender=sender, kind=kind, if_index=if_index, oper_status=oper)
        log.info("trap %s from %s (%s) ifIndex %s", kind, device, sender, if_index)
        try:
            self._on_trap(trap)
        except Exception:
            log.exception("handling trap %s from %s failed", kind, device)

    def _count(self, reason: str, sender: str) -> None:
        try:
            with session_scope(self._db) as session:
                row = session.get(TrapStat, reason)
                if row is None:
                    row = TrapStat(reason=reason, count=0)
                    session.add(row)
                row.count = (row.count or 0) + 1
                row.last_at, row.last_sender = utcnow(), sender[:100]
        except Exception:
            log.exception("could not count trap (%s from %s)", reason, sender)


def _octets(value: bytes) -> Any:
    from pyasn1.type.univ import OctetString

    return OctetString(value)


def _v3_engine_id(message: bytes) -> bytes | None:
    """The msgAuthoritativeEngineID of an SNMPv3 message, None for v1/v2c or garbage."""
    try:
        from pysnmp.proto.mpmod.rfc3412 import SNMPv3Message
        from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

        msg, _ = decoder.decode(message, asn1Spec=SNMPv3Message())
        if int(msg.getComponentByPosition(0)) != 3:
            return None
        params, _ = decoder.decode(bytes(msg.getComponentByPosition(2)), asn1Spec=UsmSecurityParameters())
        engine_id = bytes(params.getComponentByPosition(0))
        return engine_id or None
    except Exception:
        return None
