"""SNMP trap receiver (pysnmp 7 notification receiver): a trap only ever triggers a confirming poll.

Listens on ``traps.host``:``traps.effective_port`` (162 as root, else 10162) in its own thread
and asyncio loop, with the v2c communities and v3 users of the stored SNMP credentials.
linkDown / linkUp / coldStart / warmStart (and LLDP-MIB lldpRemTablesChange, which lldpd sends
the moment a fiber loses its neighbor) from a known device call ``on_trap``, which the service
wires to an immediate status poll of that device through the scheduler; the trap never changes
a state or opens an outage by itself.

Every datagram meets ``_on_datagram`` before pysnmp: a source address that is no enabled
device's (host names resolved by ``trap_inventory``) is counted as ``unknown_sender`` and costs
nothing more; a v3 message from a known device is checked and keyed by ``trap_usm.LazyUsm``
(user, security level, keys localised to its engine ID; only engines that sent an authentic trap
are remembered, within bounds). pysnmp's own drop counters say why a message went no further;
whatever it raises on hostile input is one ``malformed`` count and at most one WARNING a minute.
Counts per reason go to ``trap_stats`` in batches (``trap_stats.TrapStats``). An upkeep thread
flushes them and reloads communities, users and addresses when the inventory changes.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.carrier.asyncio.dispatch import AsyncioDispatcher
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import ntfrcv
from sqlalchemy import Engine

from netops.polling.trap_engine_ids import EngineIdCache
from netops.polling.trap_header import SnmpHeader, parse_header
from netops.polling.trap_inventory import HostResolver, TrapInventory, inventory_fingerprint, load_inventory
from netops.polling.trap_kinds import Trap, TrapHandler, parse_varbinds
from netops.polling.trap_stats import DropCounters, Throttle, TrapStats
from netops.polling.trap_usm import LazyUsm, LocalKeys
from netops.settings import Settings

__all__ = ["Trap", "TrapHandler", "TrapReceiver", "parse_varbinds"]
log = logging.getLogger(__name__)

PYSNMP_RECV_ID = "pysnmp-engine"  # the engine's own receive callback, bypassed by ``_on_datagram``
EXPIRE_EVERY_S = 60.0


@dataclass(slots=True)
class _Message:
    """The datagram pysnmp is handling right now (its handling is synchronous, on the loop)."""

    device: str
    sender: str
    header: SnmpHeader | None  # v3 only
    handled: bool = False


class TrapReceiver:
    """The notification receiver in a daemon thread; ``start`` raises if the port cannot be bound."""

    def __init__(self, db: Engine, settings: Settings, on_trap: TrapHandler, *,
                 port: int | None = None) -> None:
        self._db = db
        self._settings = settings
        self._on_trap = on_trap
        self.port = port if port is not None else settings.traps.effective_port
        self.stats = TrapStats(db)
        self._resolver = HostResolver(settings.traps.resolve_timeout_s)
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._upkeep_thread: threading.Thread | None = None
        self._wake, self._stopping, self._reload = threading.Event(), threading.Event(), threading.Event()
        self._engine: engine.SnmpEngine | None = None
        self._usm: LazyUsm | None = None
        self._drops: DropCounters | None = None
        self._senders: dict[str, str] = {}
        self._communities: frozenset[bytes] = frozenset()
        self._fingerprint = ""
        self._current: _Message | None = None
        self._closing = False
        self._warnings = Throttle(60.0)
        self.accepted = 0

    @property
    def engine_ids(self) -> int:
        """How many (engine ID, user) pairs have their localised keys kept."""
        return len(self._usm.cache) if self._usm is not None else 0

    @property
    def thread(self) -> threading.Thread | None:
        """The thread that handles every datagram (its CPU time is the receiver's cost)."""
        return self._thread

    def start(self) -> None:
        inventory = load_inventory(self._db, self._settings, self._resolver)
        self._fingerprint = inventory.fingerprint
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._setup(inventory)
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
        self._upkeep_thread = threading.Thread(target=self._upkeep, name="netops-traps-upkeep", daemon=True)
        self._upkeep_thread.start()
        log.info("trap receiver listening on %s:%d", self._settings.traps.host, self.port)

    def stop(self) -> None:
        """Stop listening, then write the last counts."""
        if self._thread is None:
            return

        def close() -> None:
            self._closing = True  # datagrams still queued now fail in pysnmp: not worth a count
            if self._engine is not None and self._engine.transport_dispatcher is not None:
                self._engine.transport_dispatcher.close_dispatcher()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.call_soon(self._loop.stop)

        self._loop.call_soon_threadsafe(close)
        self._thread.join(5)
        self._thread = None
        self._stopping.set()
        self._wake.set()
        if self._upkeep_thread is not None:
            self._upkeep_thread.join(10)
            self._upkeep_thread = None

    def reload(self) -> None:
        """Re-read communities, users and device addresses now (the upkeep thread does it)."""
        self._reload.set()
        self._wake.set()

    # ------------------------------------------------------------------ loop thread

    def _setup(self, inventory: TrapInventory) -> None:
        snmp = engine.SnmpEngine()
        self._engine = snmp
        dispatcher = AsyncioDispatcher(loop=self._loop)
        snmp.register_transport_dispatcher(dispatcher, recvId=PYSNMP_RECV_ID)
        dispatcher.register_recv_callback(self._on_datagram)
        # bound here, not by pysnmp: its endpoint is made later in the loop, so a port already
        # taken would fail unseen while the receiver said it was listening
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((self._settings.traps.host, self.port))
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        transport = udp.UdpTransport(loop=self._loop).open_server_mode(sock=sock)
        config.add_transport(snmp, udp.DOMAIN_NAME, transport)
        traps = self._settings.traps
        cache: EngineIdCache[LocalKeys] = EngineIdCache(
            per_device=traps.engine_ids_per_device, total=traps.max_engine_ids, ttl_s=traps.engine_id_ttl_s)
        self._usm = LazyUsm(snmp, cache)
        self._drops = DropCounters(snmp)
        self._apply(inventory)
        ntfrcv.NotificationReceiver(snmp, self._received)
        self._loop.set_exception_handler(self._loop_error)
        self._loop.call_later(EXPIRE_EVERY_S, self._expire)

    def _apply(self, inventory: TrapInventory) -> None:
        assert self._engine is not None and self._usm is not None
        for index in range(len(inventory.communities), len(self._communities)):
            config.delete_v1_system(self._engine, f"netops-{index}")
        for index, community in enumerate(inventory.communities):
            config.add_v1_system(self._engine, f"netops-{index}", community)
        self._communities = frozenset(community.encode() for community in inventory.communities)
        self._usm.configure(list(inventory.users))
        self._senders = dict(inventory.senders)
        log.info("trap receiver: traps accepted from %d addresses, %d communities, %d v3 users",
                 len(self._senders), len(self._communities), len(inventory.users))

    def _expire(self) -> None:
        if self._usm is not None:
            self._usm.cache.expire(time.monotonic())
        self._loop.call_later(EXPIRE_EVERY_S, self._expire)

    def _on_datagram(self, _dispatcher: Any, domain: Any, address: Any, message: bytes) -> None:
        """Every datagram: strangers counted and dropped, v3 checked and keyed, then pysnmp."""
        assert self._engine is not None and self._usm is not None and self._drops is not None
        sender = str(address[0])
        device = self._senders.get(sender)
        if device is None:
            self.stats.count("unknown_sender", sender)
            return
        header = parse_header(message)
        if header is None:
            self._drop("malformed", sender, "not an SNMP message")
            return
        if header.version != 3:
            if header.community not in self._communities:
                self._drop("bad_community", sender, "unknown community")
                return
            header = None
        else:
            reason = self._usm.admit(header, message, time.monotonic())
            if reason is not None:
                self._drop(reason, sender, f"v3 user {header.user!r}, security level {header.level}")
                return
        current = self._current = _Message(device, sender, header)
        before = self._drops.read()
        try:
            self._engine.message_dispatcher.receive_message(self._engine, domain, address, message)
        except Exception as exc:
            self._drop("malformed", sender, f"{type(exc).__name__}: {exc}")
            return
        finally:
            self._current = None
            if header is not None:
                self._usm.forget_timeline(header)
        if not current.handled:
            for reason in self._drops.moved(before) or ["dropped_other"]:
                self._drop(reason, sender, "refused by pysnmp")

    def _received(self, snmp: Any, state_reference: Any, context_engine_id: Any, context_name: Any,
                  varbinds: Any, cb_ctx: Any) -> None:
        """pysnmp accepted a notification (community or v3 user checked); must never raise."""
        current = self._current
        if current is None:
            return
        current.handled = True
        try:
            self._accept(snmp, current, varbinds)
        except Exception as exc:
            self._drop("internal_error", current.sender, f"{type(exc).__name__}: {exc}")
            log.debug("trap from %s could not be handled", current.sender, exc_info=True)

    def _accept(self, snmp: Any, current: _Message, varbinds: Any) -> None:
        assert self._usm is not None
        if current.header is not None:
            context = snmp.observer.get_execution_context("rfc3412.receiveMessage:request")
            if int(context["securityLevel"]) < self._usm.level_of(current.header.user):
                self._drop("bad_v3_level", current.sender, "security level below the credential's")
                return
            self._usm.authentic(current.header, current.device, time.monotonic())
        pairs = [(str(oid), val.prettyPrint()) for oid, val in varbinds]
        kind, if_index, oper = parse_varbinds(pairs)
        log.debug("trap varbinds from %s: %s", current.sender, pairs)
        if kind is None:
            self.stats.count("ignored", current.sender)
            return
        self.stats.count("accepted", current.sender)
        self.accepted += 1
        trap = Trap(device=current.device, sender=current.sender, kind=kind, if_index=if_index,
                    oper_status=oper)
        log.info("trap %s from %s (%s) ifIndex %s", kind, current.device, current.sender, if_index)
        try:
            self._on_trap(trap)
        except Exception:
            log.exception("handling trap %s from %s failed", kind, current.device)

    def _drop(self, reason: str, sender: str, detail: str) -> None:
        """Count a dropped datagram; hostile ones also make one WARNING a minute at most."""
        self.stats.count(reason, sender)
        if reason in ("malformed", "internal_error"):
            held = self._warnings.ready()
            if held is not None:
                log.warning("trap receiver: dropped a datagram from %s (%s): %s; %d more like it since the "
                            "last warning (counted in trap_stats)", sender, reason,
                            " ".join(detail.split())[:200], held)

    def _loop_error(self, _loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """Whatever escapes the handlers: a count and a throttled line instead of a traceback."""
        exc = context.get("exception")
        if self._closing:
            return
        self._drop("internal_error", "-", f"{context.get('message')}: {exc!r}")
        log.debug("trap receiver loop error: %s", context.get("message"), exc_info=exc)

    # ------------------------------------------------------------------ upkeep thread

    def _upkeep(self) -> None:
        traps = self._settings.traps
        next_check = time.monotonic() + traps.inventory_check_s
        while not self._stopping.is_set():
            self._wake.wait(traps.stats_flush_s)
            self._wake.clear()
            self.stats.flush()
            forced = self._reload.is_set()
            if not self._stopping.is_set() and (forced or time.monotonic() >= next_check):
                self._reload.clear()
                next_check = time.monotonic() + traps.inventory_check_s
                self._check_inventory(forced)
        self.stats.flush()

    def _check_inventory(self, forced: bool) -> None:
        try:
            if not forced and inventory_fingerprint(self._db) == self._fingerprint:
                return
            inventory = load_inventory(self._db, self._settings, self._resolver)
        except Exception as exc:
            log.warning("trap receiver: inventory not re-read: %s", exc)
            return
        self._fingerprint = inventory.fingerprint
        self._loop.call_soon_threadsafe(self._reapply, inventory)

    def _reapply(self, inventory: TrapInventory) -> None:
        try:
            self._apply(inventory)
        except Exception as exc:
            log.warning("trap receiver: changed inventory not applied: %s", exc)


def start_receiver(engine: Engine, settings: Settings, handler: TrapHandler,
                   port: int | None) -> TrapReceiver | None:
    """A started receiver, or None when the port cannot be bound (logged): polling goes on
    without traps rather than not at all."""
    receiver = TrapReceiver(engine, settings, handler, port=port)
    try:
        receiver.start()
    except OSError as exc:
        log.error("trap receiver disabled: cannot listen on UDP %s: %s", receiver.port, exc)
        return None
    return receiver
