"""SNMPv3 users of the trap receiver: keys localised lazily, per message, never per stranger.

pysnmp's USM looks a user up by (engine ID, user name) and, failing that, under its wildcard
engine ID ``0000000000`` (``SnmpUSMSecurityModel.process_incoming_message``, RFC 3414 §3.2.4
in pysnmp 7). Registering the configured users once per sender engine ID, as the receiver used
to, costs two pass-phrase hashes (~6 ms each) and a table row for every engine ID anyone
invents. Here each user has one row under the wildcard engine ID, created from master keys
hashed once per inventory load; before pysnmp handles a v3 message from a known device,
``LazyUsm.admit`` checks the user name and the security level (at least the one the
credential is configured with: an authPriv user's name in a noAuthNoPriv trap is dropped)
and writes the keys localised to that message's engine ID into the user's row (~20 µs, from
the bounded ``EngineIdCache`` when the engine sent an authentic trap before). pysnmp then
authenticates and decrypts as usual. Real rows under our own engine ID serve informs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyasn1.type.univ import OctetString
from pysnmp.entity import config, engine
from pysnmp.error import PySnmpError

from collectors.targets import SnmpV3
from netops.polling.trap_engine_ids import EngineIdCache, Key
from netops.polling.trap_header import AUTH_NO_PRIV, AUTH_PRIV, NO_AUTH_NO_PRIV, USM, SnmpHeader

AUTH = {"md5": config.USM_AUTH_HMAC96_MD5, "sha": config.USM_AUTH_HMAC96_SHA,
        "sha224": config.USM_AUTH_HMAC128_SHA224, "sha256": config.USM_AUTH_HMAC192_SHA256,
        "sha384": config.USM_AUTH_HMAC256_SHA384, "sha512": config.USM_AUTH_HMAC384_SHA512}
PRIV = {"des": config.USM_PRIV_CBC56_DES, "aes": config.USM_PRIV_CFB128_AES,
        "aes192": config.USM_PRIV_CFB192_AES_BLUMENTHAL, "aes256": config.USM_PRIV_CFB256_AES_BLUMENTHAL}
WILDCARD_ENGINE_ID = b"\x00" * 5  # SnmpUSMSecurityModel.wildcard_security_engine_id
LocalKeys = tuple[Any, Any]  # (auth key, priv key) localised to one engine ID; None when unused


@dataclass(frozen=True, slots=True)
class UsmKeys:
    """One configured v3 user with its master keys (the pass phrases hashed once)."""

    user: bytes
    auth_protocol: tuple[int, ...]
    priv_protocol: tuple[int, ...]
    auth_master: Any = field(default=None, repr=False)
    priv_master: Any = field(default=None, repr=False)

    @property
    def level(self) -> int:
        """The security level the credential is configured with; traps must reach it."""
        if self.auth_protocol == config.USM_AUTH_NONE:
            return NO_AUTH_NO_PRIV
        return AUTH_NO_PRIV if self.priv_protocol == config.USM_PRIV_NONE else AUTH_PRIV

    def localise(self, engine_id: bytes) -> LocalKeys:
        """The keys for traps from ``engine_id`` (RFC 3414 §2.6; cheap: one hash per key)."""
        eid = OctetString(engine_id)
        auth = config.AUTH_SERVICES[self.auth_protocol].localize_key(self.auth_master, eid)
        priv_service = config.PRIV_SERVICES[self.priv_protocol]
        return auth, priv_service.localize_key(self.auth_protocol, self.priv_master, eid)


def master_keys(user: SnmpV3) -> UsmKeys:
    """Hash the user's pass phrases (~6 ms each); ValueError for an unusable combination."""
    auth_protocol = AUTH[user.auth_protocol] if user.auth_protocol and user.auth_key else config.USM_AUTH_NONE
    priv_protocol = PRIV[user.priv_protocol] if user.priv_protocol and user.priv_key else config.USM_PRIV_NONE
    if priv_protocol != config.USM_PRIV_NONE and auth_protocol == config.USM_AUTH_NONE:
        raise ValueError(f"v3 user {user.user!r}: a privacy key needs an authentication key")
    auth_master = priv_master = None
    if user.auth_key and auth_protocol != config.USM_AUTH_NONE:
        auth_master = config.AUTH_SERVICES[auth_protocol].hash_passphrase(OctetString(user.auth_key.reveal()))
    if user.priv_key and priv_protocol != config.USM_PRIV_NONE:
        priv_master = config.PRIV_SERVICES[priv_protocol].hash_passphrase(
            auth_protocol, OctetString(user.priv_key.reveal()))
    return UsmKeys(user.user.encode(), auth_protocol, priv_protocol, auth_master, priv_master)


@dataclass(slots=True)
class _Row:
    keys: UsmKeys
    auth_node: Any
    priv_node: Any


class LazyUsm:
    """The configured users in pysnmp's USM, keyed to each message's engine ID on arrival."""

    def __init__(self, snmp: engine.SnmpEngine, cache: EngineIdCache[LocalKeys]) -> None:
        self._snmp = snmp
        self.cache = cache
        builder = snmp.get_mib_builder()
        (self._user_entry,) = builder.import_symbols("SNMP-USER-BASED-SM-MIB", "usmUserEntry")
        (self._key_entry,) = builder.import_symbols("PYSNMP-USM-MIB", "pysnmpUsmKeyEntry")
        self.local_engine_id = bytes(snmp.snmpEngineID)
        self._rows: dict[bytes, _Row] = {}

    def level_of(self, user: bytes) -> int:
        """The level traps naming ``user`` must reach (authPriv for a name we do not know)."""
        row = self._rows.get(user)
        return row.keys.level if row is not None else AUTH_PRIV

    def configure(self, users: list[UsmKeys]) -> None:
        """Replace the registered users (after an inventory change); forgets every engine ID."""
        for name in self._rows:
            config.delete_v3_user(self._snmp, name, securityEngineId=OctetString(WILDCARD_ENGINE_ID))
            config.delete_v3_user(self._snmp, name)
        self._rows = {}
        self.cache.clear()
        wildcard = OctetString(WILDCARD_ENGINE_ID)
        for keys in users:
            for engine_id in (wildcard, None):  # the wildcard row; our own engine ID (informs)
                config.add_v3_user(self._snmp, keys.user, keys.auth_protocol, keys.auth_master,
                                   keys.priv_protocol, keys.priv_master, securityEngineId=engine_id,
                                   authKeyType=config.USM_KEY_TYPE_MASTER,
                                   privKeyType=config.USM_KEY_TYPE_MASTER)
            index = self._user_entry.getInstIdFromIndices(wildcard, OctetString(keys.user))
            entry = self._key_entry.name
            self._rows[keys.user] = _Row(keys, self._key_entry.getNode((*entry, 1, *index)),
                                         self._key_entry.getNode((*entry, 2, *index)))

    def admit(self, header: SnmpHeader, message: bytes, now: float) -> str | None:
        """Prepare pysnmp for this v3 message; a drop reason when it must not get that far.

        An engine that has not sent an authentic trap yet must prove itself here: the message's
        HMAC is checked with pysnmp's own auth service and the freshly localised key, so a
        forged message costs ~50 µs and no state, instead of pysnmp's millisecond.
        """
        if header.security_model != USM:
            return "malformed"
        if not header.engine_id and not header.user:
            return None  # engine ID discovery (informs): pysnmp answers with a report
        row = self._rows.get(header.user)
        if row is None:
            return "unknown_v3_user"
        if header.level < row.keys.level:
            return "bad_v3_level"
        if header.engine_id == self.local_engine_id:
            return None  # an inform to us: the real row under our own engine ID applies
        if not 5 <= len(header.engine_id) <= 32:  # RFC 3411 SnmpEngineID
            return "malformed"
        local = self.cache.get((header.engine_id, header.user), now)
        if local is None:
            local = row.keys.localise(header.engine_id)
            if not _authentic(row.keys, local, header, message):
                return "bad_v3_auth"
        for node, value in ((row.auth_node, local[0]), (row.priv_node, local[1])):
            if value is not None:
                node.syntax = node.syntax.clone(value)
        return None

    def authentic(self, header: SnmpHeader, device: str, now: float) -> None:
        """The message was accepted: keep its engine's keys (within the cache's bounds)."""
        if header.engine_id == self.local_engine_id or header.user not in self._rows:
            return
        key: Key = (header.engine_id, header.user)
        if self.cache.get(key, now) is None:
            self.cache.put(key, device, self._rows[header.user].keys.localise(header.engine_id), now)

    def forget_timeline(self, header: SnmpHeader) -> None:
        """Drop pysnmp's clock record of a sender engine: useless for traps, it grew per engine ID.

        pysnmp records (boots, time) for every engine ID whose message passed authentication or
        came with noAuthNoPriv, for 300 s. A receiver of traps never checks a sender's clock
        against it (the record is rewritten from the message itself first), so each record is
        just memory a flood of invented engine IDs could fill.
        """
        if header.engine_id == self.local_engine_id:
            return
        usm = self._snmp.security_models.get(3)
        timeline = getattr(usm, "_SnmpUSMSecurityModel__timeline", None)
        if isinstance(timeline, dict):
            timeline.pop(OctetString(header.engine_id), None)


def _authentic(keys: UsmKeys, local: LocalKeys, header: SnmpHeader, message: bytes) -> bool:
    """Does the message's HMAC match (RFC 3414 §3.2.6)? True when the user has no auth key."""
    if keys.auth_protocol == config.USM_AUTH_NONE or header.level < AUTH_NO_PRIV:
        return True
    try:
        config.AUTH_SERVICES[keys.auth_protocol].authenticate_incoming_message(
            local[0], OctetString(header.auth_params), message)
    except PySnmpError:  # StatusInformation: wrong digest; ProtocolError: no digest to find
        return False
    return True
