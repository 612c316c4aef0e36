"""The validated content of an inventory file: plain frozen dataclasses, before any database write.

``inventory.validation`` builds an ``InventoryDoc`` (or a list of ``Problem``s) from a parsed YAML
or CSV document; ``inventory.upsert`` applies it; ``inventory.export`` produces the same shape
back. Secrets are ``SecretInput``: a stored reference (``env:NAME``, ``file:/path``) or a literal
that the caller seals (encrypts) before it reaches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inventory.geo import RoutePoint

AUTH_PROTOCOLS = ("md5", "sha", "sha224", "sha256", "sha384", "sha512")
PRIV_PROTOCOLS = ("des", "aes", "aes192", "aes256")
SNMP_VERSIONS = ("1", "2c", "3")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an inventory file, located by file, line and field."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class SecretInput:
    """A secret as written in the file: ``ref`` (``env:NAME`` / ``file:PATH``) or a ``literal``."""

    ref: str | None = None
    literal: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return self.ref or "<literal>"


@dataclass(frozen=True, slots=True)
class CredentialSpec:
    name: str
    type: str
    line: int = 0
    snmp_version: str | None = None
    community: SecretInput | None = None
    username: str | None = None
    auth_protocol: str | None = None
    auth_key: SecretInput | None = None
    priv_protocol: str | None = None
    priv_key: SecretInput | None = None
    password: SecretInput | None = None
    key_file: str | None = None
    enable_secret: SecretInput | None = None


SECRET_FIELDS = ("community", "auth_key", "priv_key", "password", "enable_secret")
CREDENTIAL_PLAIN_FIELDS = ("type", "snmp_version", "username", "auth_protocol", "priv_protocol", "key_file")


@dataclass(frozen=True, slots=True)
class SiteSpec:
    name: str
    kind: str = "other"
    line: int = 0
    address: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    notes: str | None = None


SITE_FIELDS = ("kind", "address", "district", "latitude", "longitude", "contact_name", "contact_phone",
               "notes")


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    name: str
    address: str
    line: int = 0
    snmp_port: int = 161
    ssh_port: int = 22
    role: str = "access"
    platform: str | None = None
    site: str | None = None
    snmp: str | None = None
    ssh: str | None = None
    enabled: bool = True
    status_interval_s: int | None = None
    counters_interval_s: int | None = None
    discovery_interval_s: int | None = None
    ssh_interval_s: int | None = None
    poll_group: str | None = None
    notes: str | None = None


DEVICE_FIELDS = ("address", "snmp_port", "ssh_port", "role", "platform", "enabled", "status_interval_s",
                 "counters_interval_s", "discovery_interval_s", "ssh_interval_s", "poll_group", "notes")
POLL_INTERVALS = ("status", "counters", "discovery", "ssh")


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """A declared link; ends are kept in normalised order (a <= b by device, then port)."""

    a_device: str
    a_port: str
    b_device: str
    b_port: str
    line: int = 0
    medium: str = "fiber"
    length_m: float | None = None
    notes: str | None = None
    route: tuple[RoutePoint, ...] = ()  # from site A's side to site B's (ends normalised with it)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.a_device, self.a_port, self.b_device, self.b_port)


@dataclass(frozen=True, slots=True)
class InventoryDoc:
    credentials: tuple[CredentialSpec, ...] = ()
    sites: tuple[SiteSpec, ...] = ()
    devices: tuple[DeviceSpec, ...] = ()
    links: tuple[LinkSpec, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KnownNames:
    """What the database already holds, so a file may refer to sites, devices and credentials in it."""

    sites: frozenset[str] = frozenset()
    devices: frozenset[str] = frozenset()
    credentials: dict[str, str] = field(default_factory=dict)  # name -> type
    site_locations: dict[str, tuple[float, float]] = field(default_factory=dict)  # site -> (lat, lon)
    device_sites: dict[str, str] = field(default_factory=dict)  # device -> its site


class InventoryError(Exception):
    """An inventory file with problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        lines = [str(p) for p in problems]
        if any("[" in p.field for p in problems):
            lines.append(POSITIONS_NOTE)
        super().__init__("\n".join(lines))
        self.problems = problems


POSITIONS_NOTE = "(list positions count from 1: devices[1] is the first device of the list)"
