"""What the trap receiver needs from the inventory: communities, v3 users, and who may send traps.

Traps are matched to devices by source address. A device declared by host name
(``address: sw1.example`` or ``localhost``) is resolved here with the system resolver, once
per load (receiver start and each inventory change), in daemon threads bounded by
``traps.resolve_timeout_s``, so a dead DNS server delays nothing else; a name that does not
resolve is logged once and its traps are counted as unknown senders. ``inventory_fingerprint``
is the cheap query the receiver repeats to notice that the inventory changed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from collectors.targets import AuthProtocol, PrivProtocol, SnmpV3
from inventory.db import session_scope
from inventory.models import Credential, Device
from netops.polling.trap_usm import UsmKeys, master_keys
from netops.secrets import SecretError, resolve
from netops.settings import Settings

log = logging.getLogger(__name__)
RESOLVER_THREADS = 8


@dataclass(frozen=True, slots=True)
class TrapInventory:
    """Accepted communities, v3 users (master keys) and source address -> device name."""

    communities: tuple[str, ...] = field(repr=False)
    users: tuple[UsmKeys, ...]
    senders: Mapping[str, str]
    fingerprint: str = ""


def inventory_fingerprint(db: Engine) -> str:
    """A digest of the enabled devices' addresses and the SNMP credentials (changes when they do)."""
    digest = hashlib.sha256()
    with session_scope(db) as session:
        for row in session.execute(select(Device.name, Device.address).where(Device.enabled.is_(True))
                                   .order_by(Device.name)):
            digest.update(repr(tuple(row)).encode())
        for cred in session.execute(select(Credential.name, Credential.snmp_version, Credential.community,
                                           Credential.username, Credential.auth_protocol, Credential.auth_key,
                                           Credential.priv_protocol, Credential.priv_key)
                                    .where(Credential.type == "snmp").order_by(Credential.name)):
            digest.update(repr(tuple(cred)).encode())
    return digest.hexdigest()


def load_inventory(db: Engine, settings: Settings, resolver: HostResolver) -> TrapInventory:
    """Read credentials and devices, hash v3 pass phrases and resolve host names (bounded time)."""
    fingerprint = inventory_fingerprint(db)
    communities: set[str] = set()
    users: dict[str, SnmpV3] = {}
    with session_scope(db) as session:
        for cred in session.scalars(select(Credential).where(Credential.type == "snmp")):
            try:
                _add_credential(cred, settings, communities, users)
            except (SecretError, ValueError) as exc:
                log.warning("trap receiver: credential %s skipped: %s", cred.name, exc)
        enabled = session.scalars(select(Device).where(Device.enabled.is_(True)))
        addresses = {device.name: device.address for device in enabled}
    keys = []
    for user in users.values():
        try:
            keys.append(master_keys(user))
        except (KeyError, ValueError) as exc:
            log.warning("trap receiver: v3 user %s skipped: %s", user.user, exc)
    return TrapInventory(tuple(sorted(communities)), tuple(keys), resolver.senders(addresses), fingerprint)


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


def literal_address(text: str) -> str | None:
    """The canonical form of an IP address literal, None for a host name."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


class HostResolver:
    """Device address -> source addresses, host names through the system resolver within a deadline."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._reported: set[tuple[str, str]] = set()

    def senders(self, addresses: Mapping[str, str]) -> dict[str, str]:
        """Source address -> device name for every device whose address is or resolves to an IP."""
        senders: dict[str, str] = {}
        names: dict[str, list[str]] = {}
        for device, address in sorted(addresses.items()):
            literal = literal_address(address)
            if literal is not None:
                senders[literal] = device
            elif address.strip():
                names.setdefault(address.strip(), []).append(device)
        resolved = resolve_names(names, self.timeout_s) if names else {}
        for name, devices in sorted(names.items()):
            ips = resolved.get(name)
            for device in devices:
                if ips:
                    senders.update({ip: device for ip in ips if ip not in senders})
                else:
                    self._report(device, name, "timed out" if ips is None else "does not resolve")
        return senders

    def _report(self, device: str, name: str, why: str) -> None:
        if (device, name) in self._reported:
            return
        self._reported.add((device, name))
        log.warning("trap receiver: address %r of device %s %s; its traps are counted as unknown senders",
                    name, device, why)


def resolve_names(names: Iterable[str], timeout_s: float) -> dict[str, tuple[str, ...] | None]:
    """name -> its IP addresses (empty: does not resolve; None: no answer within ``timeout_s``).

    ``getaddrinfo`` cannot be cancelled, so lookups run in a few daemon threads and whatever has
    not answered by the deadline is reported as timed out and left to finish on its own.
    """
    queue = sorted(set(names))
    results: dict[str, tuple[str, ...] | None] = {name: None for name in queue}
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop()
            found = _lookup(name)
            with lock:
                results[name] = found

    threads = [threading.Thread(target=work, name="netops-traps-resolve", daemon=True)
               for _ in range(min(RESOLVER_THREADS, len(queue)))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    with lock:
        return dict(results)


def _lookup(name: str) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_DGRAM)
    except (OSError, UnicodeError):
        return ()
    found = {literal_address(str(info[4][0]).split("%")[0]) for info in infos}
    return tuple(sorted(ip for ip in found if ip))
