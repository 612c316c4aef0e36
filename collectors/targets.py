"""What a collector needs to reach one device: address, credentials, timeouts.

``netops`` builds a ``Target`` from the inventory with the secrets already resolved, so the
collectors never read files, environment variables or the database. Secrets travel as
``Secret``, whose repr and str are ``***``, so a target can be logged or shown in a
traceback without leaking a community string or a password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Secret:
    """A credential that never shows itself in logs, reprs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


class AuthProtocol(StrEnum):
    MD5 = "md5"
    SHA = "sha"
    SHA224 = "sha224"
    SHA256 = "sha256"
    SHA384 = "sha384"
    SHA512 = "sha512"


class PrivProtocol(StrEnum):
    DES = "des"
    AES = "aes"
    AES192 = "aes192"
    AES256 = "aes256"


@dataclass(frozen=True, slots=True)
class SnmpV2c:
    """SNMP v1 or v2c community credentials (``version`` is "1" or "2c")."""

    community: Secret
    version: str = "2c"


@dataclass(frozen=True, slots=True)
class SnmpV3:
    """SNMPv3 USM user; no auth key = noAuthNoPriv, no priv key = authNoPriv."""

    user: str
    auth_protocol: AuthProtocol | None = None
    auth_key: Secret | None = None
    priv_protocol: PrivProtocol | None = None
    priv_key: Secret | None = None
    context: str = ""


@dataclass(frozen=True, slots=True)
class SshCredentials:
    username: str
    password: Secret | None = None
    key_file: str | None = None
    key_passphrase: Secret | None = None
    enable_secret: Secret | None = None


SNMP_DEADLINE_ATTEMPTS = 15  # default SNMP poll deadline, in units of timeout x (retries + 1)
SNMP_MAX_ROWS = 5_000  # one 5,000-row walk of the 11 discovery interface columns: ~6 s of CPU


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Per-device limits. ``deadline_s`` bounds a whole SSH poll, whatever the transport does.
    An SNMP poll has its own deadline, ``snmp_deadline_s`` (None: ``SNMP_DEADLINE_ATTEMPTS``
    x timeout x (retries + 1), 30 s with the defaults), and ``snmp_max_rows`` caps the rows of
    one table walk (a tighter cap follows from ifNumber.0 where the device gives it): a device
    that keeps walking past either is reported as malformed, not as down."""

    snmp_timeout_s: float = 1.0
    snmp_retries: int = 1
    ssh_connect_s: float = 10.0
    ssh_command_s: float = 30.0
    deadline_s: float = 120.0
    snmp_deadline_s: float | None = None
    snmp_max_rows: int = SNMP_MAX_ROWS

    @property
    def snmp_poll_deadline_s(self) -> float:
        """The SNMP per-device deadline in force (see the class docstring)."""
        if self.snmp_deadline_s:
            return self.snmp_deadline_s
        return SNMP_DEADLINE_ATTEMPTS * self.snmp_timeout_s * (max(0, self.snmp_retries) + 1)


@dataclass(frozen=True, slots=True)
class Target:
    """Everything a collector needs to reach one device; built by netops from the inventory."""

    device_key: str
    host: str
    platform: str | None = None
    profile: str | None = None
    snmp: SnmpV2c | SnmpV3 | None = None
    snmp_port: int = 161
    ssh: SshCredentials | None = None
    ssh_port: int = 22
    timeouts: Timeouts = field(default_factory=Timeouts)
    session_log: bool = False
    known_hosts_path: str | None = None  # OpenSSH known_hosts file for SSH host keys (TOFU)
    host_key_policy: str = "accept-new"  # strict | accept-new | ignore
