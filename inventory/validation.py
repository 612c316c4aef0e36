"""Validate a parsed inventory document (YAML or CSV) into an ``InventoryDoc``, collecting every problem.

Nothing here touches the database: names the file refers to must be declared in the file itself
or already exist (``KnownNames``). Every problem carries file, line and field; the caller writes
nothing unless the list is empty.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from inventory.fields import Reader
from inventory.models import DEVICE_ROLES, LINK_MEDIA, PLATFORMS, SITE_KINDS
from inventory.spec import (
    AUTH_PROTOCOLS,
    POLL_INTERVALS,
    PRIV_PROTOCOLS,
    SNMP_VERSIONS,
    CredentialSpec,
    DeviceSpec,
    InventoryDoc,
    KnownNames,
    LinkSpec,
    SecretInput,
    SiteSpec,
)
from inventory.yamlsrc import LocatedDict, LocatedList

SECTIONS = ("credentials", "sites", "devices", "links")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")
CREDENTIAL_KEYS = {
    "snmp": ("type", "version", "community", "user", "auth", "priv"),
    "ssh": ("type", "username", "password", "key_file", "enable_secret"),
}
SITE_KEYS = ("name", "kind", "address", "district", "location", "contact", "notes")
DEVICE_KEYS = ("name", "address", "snmp_port", "ssh_port", "role", "platform", "site", "snmp", "ssh",
               "enabled", "poll_intervals", "poll_group", "notes")
LINK_KEYS = ("a", "b", "medium", "length_m", "notes")


def valid_address(text: str) -> bool:
    """An IPv4/IPv6 address or a DNS host name (all-numeric names must be IPv4 addresses)."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        pass
    if re.fullmatch(r"[0-9.]+", text):
        return False
    return bool(HOSTNAME.match(text))


class _Validator:
    def __init__(self, file: str, known: KnownNames, base_dir: Path | None) -> None:
        self.r = Reader(file)
        self.known = known
        self.base_dir = base_dir
        self.credential_types: dict[str, str] = dict(known.credentials)
        self.site_names: set[str] = set(known.sites)
        self.device_names: set[str] = set(known.devices)
        self.device_data: dict[str, tuple[LocatedDict, str]] = {}

    # -- top level -------------------------------------------------------------------------
    def document(self, raw: Any) -> InventoryDoc:
        if raw is None:
            return InventoryDoc()
        top = self.r.mapping(raw, 1, "")
        if top is None:
            return InventoryDoc()
        self.r.unknown_keys(top, SECTIONS, "(top level)")
        credentials = self.credentials(top)
        sites = self.items(top, "sites", self.site)
        self.site_names |= {s.name for s in sites}
        devices = self.items(top, "devices", self.device_names_pass)
        self.device_names |= {d.name for d in devices}
        devices = [d for d in (self.device_refs(d) for d in devices) if d is not None]
        links = self.links(top)
        return InventoryDoc(tuple(credentials), tuple(sites), tuple(devices), tuple(links),
                            tuple(self.r.warnings))

    def items(self, top: LocatedDict, section: str, parse: Any) -> list[Any]:
        value = top.get(section)
        if value is None:
            return []
        if not isinstance(value, LocatedList):
            self.r.problem(top.line_of(section), section, "expected a list")
            return []
        out: list[Any] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            data = self.r.mapping(item, value.line_of(index), f"{section}[{index + 1}]")
            parsed = parse(data, f"{section}[{index + 1}]") if data is not None else None
            if parsed is None:
                continue
            name = getattr(parsed, "name", None)
            if name is not None and name in seen:
                self.r.problem(parsed.line, f"{section}[{index + 1}].name",
                               f"duplicate name {name!r} (first at line {seen[name]})")
                continue
            if name is not None:
                seen[name] = parsed.line
            out.append(parsed)
        return out

    # -- credentials -----------------------------------------------------------------------
    def credentials(self, top: LocatedDict) -> list[CredentialSpec]:
        value = top.get("credentials")
        if value is None:
            return []
        section = self.r.mapping(value, top.line_of("credentials"), "credentials")
        if section is None:
            return []
        out = []
        for name, body in section.items():
            field = f"credentials.{name}"
            if not isinstance(name, str) or not name.strip():
                self.r.problem(section.line_of(name), field, "a credential needs a name")
                continue
            data = self.r.mapping(body, section.line_of(name), field)
            spec = self.credential(str(name), data, field) if data is not None else None
            if spec is not None:
                out.append(spec)
                self.credential_types[spec.name] = spec.type
        return out

    def credential(self, name: str, data: LocatedDict, field: str) -> CredentialSpec | None:
        kind = self.r.choice(data, "type", field, ("snmp", "ssh"), None)
        if kind is None:
            if "type" not in data:
                self.r.problem(data.line, f"{field}.type", "required (snmp or ssh)")
            return None
        self.r.unknown_keys(data, CREDENTIAL_KEYS[kind], field)
        base = CredentialSpec(name=name, type=kind, line=data.line)
        if kind == "snmp":
            return self.snmp_credential(base, data, field)
        return self.ssh_credential(base, data, field)

    def snmp_credential(self, base: CredentialSpec, data: LocatedDict, field: str) -> CredentialSpec | None:
        if str(data.get("version", "")).lower() in ("2", "v2c", "v2"):
            data["version"] = "2c"
        version = self.r.choice(data, "version", field, SNMP_VERSIONS, None)
        if version is None:
            if "version" not in data:
                self.r.problem(data.line, f"{field}.version", "required (1, 2c or 3)")
            return None
        if version != "3":
            community = self.r.secret(data, "community", field)
            if community is None and "community" not in data:
                self.r.problem(data.line, f"{field}.community", "required for SNMP v1/v2c")
            for key in ("user", "auth", "priv"):
                if key in data:
                    self.r.problem(data.line_of(key), f"{field}.{key}", "only for SNMP v3")
            return replace(base, snmp_version=version, community=community)
        if "community" in data:
            self.r.problem(data.line_of("community"), f"{field}.community", "not used by SNMP v3")
        user = self.r.text(data, "user", field, required=True)
        auth = self.protocol_key(data, "auth", field, AUTH_PROTOCOLS)
        priv = self.protocol_key(data, "priv", field, PRIV_PROTOCOLS)
        if priv[0] and not auth[0]:
            self.r.problem(data.line_of("priv"), f"{field}.priv", "privacy needs authentication (auth)")
        return replace(base, snmp_version="3", username=user, auth_protocol=auth[0], auth_key=auth[1],
                       priv_protocol=priv[0], priv_key=priv[1])

    def protocol_key(self, data: LocatedDict, key: str, field: str,
                     protocols: tuple[str, ...]) -> tuple[str | None, SecretInput | None]:
        if key not in data:
            return None, None
        sub = self.r.mapping(data[key], data.line_of(key), f"{field}.{key}")
        if sub is None:
            return None, None
        self.r.unknown_keys(sub, ("protocol", "key"), f"{field}.{key}")
        protocol = self.r.choice(sub, "protocol", f"{field}.{key}", protocols, None)
        if protocol is None and "protocol" not in sub:
            self.r.problem(sub.line, f"{field}.{key}.protocol", f"required (one of: {', '.join(protocols)})")
        secret = self.r.secret(sub, "key", f"{field}.{key}")
        if secret is None and "key" not in sub:
            self.r.problem(sub.line, f"{field}.{key}.key", "required")
        return protocol, secret

    def ssh_credential(self, base: CredentialSpec, data: LocatedDict, field: str) -> CredentialSpec | None:
        username = self.r.text(data, "username", field, required=True)
        password = self.r.secret(data, "password", field)
        key_file = self.r.text(data, "key_file", field)
        if key_file and self.base_dir is not None and not Path(key_file).expanduser().is_absolute() \
                and not key_file.startswith("~"):
            key_file = str((self.base_dir / key_file).resolve())
        if password is None and key_file is None and "password" not in data:
            self.r.problem(data.line, f"{field}", "an SSH credential needs a password or a key_file")
        enable = self.r.secret(data, "enable_secret", field)
        return replace(base, username=username, password=self.absolute(password), key_file=key_file,
                       enable_secret=self.absolute(enable))

    def absolute(self, secret: SecretInput | None) -> SecretInput | None:
        """``file:`` references relative to the inventory file's directory become absolute."""
        if secret is None or self.base_dir is None or not (secret.ref or "").startswith("file:"):
            return secret
        path = Path(str(secret.ref)[5:]).expanduser()
        return secret if path.is_absolute() else SecretInput(ref=f"file:{(self.base_dir / path).resolve()}")

    # -- sites -----------------------------------------------------------------------------
    def site(self, data: LocatedDict, field: str) -> SiteSpec | None:
        self.r.unknown_keys(data, SITE_KEYS, field)
        name = self.r.text(data, "name", field, required=True)
        kind = self.r.choice(data, "kind", field, SITE_KINDS, "other") or "other"
        lat = lon = None
        if "location" in data:
            loc = self.r.mapping(data["location"], data.line_of("location"), f"{field}.location")
            if loc is not None:
                self.r.unknown_keys(loc, ("lat", "lon"), f"{field}.location")
                lat = self.r.number(loc, "lat", f"{field}.location", -90, 90)
                lon = self.r.number(loc, "lon", f"{field}.location", -180, 180)
        contact_name = contact_phone = None
        if "contact" in data:
            contact = self.r.mapping(data["contact"], data.line_of("contact"), f"{field}.contact")
            if contact is not None:
                self.r.unknown_keys(contact, ("name", "phone"), f"{field}.contact")
                contact_name = self.r.text(contact, "name", f"{field}.contact")
                contact_phone = self.r.text(contact, "phone", f"{field}.contact")
        if name is None:
            return None
        return SiteSpec(name=name, kind=kind, line=data.line, address=self.r.text(data, "address", field),
                        district=self.r.text(data, "district", field), latitude=lat, longitude=lon,
                        contact_name=contact_name, contact_phone=contact_phone,
                        notes=self.r.text(data, "notes", field))

    # -- devices ---------------------------------------------------------------------------
    def device_names_pass(self, data: LocatedDict, field: str) -> DeviceSpec | None:
        """First pass: the device's own fields; references are checked once all names are known."""
        self.r.unknown_keys(data, DEVICE_KEYS, field)
        name = self.r.text(data, "name", field, required=True)
        address = self.r.text(data, "address", field, required=True)
        if address is not None and not valid_address(address):
            self.r.problem(data.line_of("address"), f"{field}.address",
                           f"{address!r} is not an IP address or host name")
        spec = DeviceSpec(
            name=name or "", address=address or "", line=data.line,
            snmp_port=self.r.number(data, "snmp_port", field, 1, 65535, integer=True) or 161,
            ssh_port=self.r.number(data, "ssh_port", field, 1, 65535, integer=True) or 22,
            role=self.r.choice(data, "role", field, DEVICE_ROLES, "access") or "access",
            platform=self.r.choice(data, "platform", field, PLATFORMS, None),
            enabled=self.r.flag(data, "enabled", field, True),
            poll_group=self.r.text(data, "poll_group", field), notes=self.r.text(data, "notes", field),
        )
        status, counters, discovery, ssh = self.intervals(data, field)
        spec = replace(spec, status_interval_s=status, counters_interval_s=counters,
                       discovery_interval_s=discovery, ssh_interval_s=ssh)
        if name and name not in self.device_data:
            self.device_data[name] = (data, field)
        return spec if name else None

    def intervals(self, data: LocatedDict, field: str) -> list[int | None]:
        """Per-device poll intervals (status, counters, discovery, ssh) in seconds."""
        where = f"{field}.poll_intervals"
        if "poll_intervals" not in data:
            return [None] * len(POLL_INTERVALS)
        sub = self.r.mapping(data["poll_intervals"], data.line_of("poll_intervals"), where)
        if sub is None:
            return [None] * len(POLL_INTERVALS)
        self.r.unknown_keys(sub, POLL_INTERVALS, where)
        return [self.r.number(sub, key, where, 1, 10**7, integer=True) for key in POLL_INTERVALS]

    def device_refs(self, spec: DeviceSpec) -> DeviceSpec | None:
        data, field = self.device_data[spec.name]
        site = self.r.text(data, "site", field)
        if site is not None and site not in self.site_names:
            self.r.problem(data.line_of("site"), f"{field}.site", f"unknown site {site!r}")
        snmp = self.credential_ref(data, "snmp", field)
        ssh = self.credential_ref(data, "ssh", field)
        return replace(spec, site=site, snmp=snmp, ssh=ssh)

    def credential_ref(self, data: LocatedDict, key: str, field: str) -> str | None:
        name = self.r.text(data, key, field)
        if name is None:
            return None
        kind = self.credential_types.get(name)
        if kind is None:
            self.r.problem(data.line_of(key), f"{field}.{key}", f"unknown credential {name!r}")
        elif kind != key:
            self.r.problem(data.line_of(key), f"{field}.{key}", f"credential {name!r} is a {kind} credential")
        return name

    # -- links -----------------------------------------------------------------------------
    def links(self, top: LocatedDict) -> list[LinkSpec]:
        links = self.items(top, "links", self.link)
        seen: dict[tuple[str, str, str, str], int] = {}
        out = []
        for link in links:
            if link.key in seen:
                self.r.problem(link.line, "links", f"duplicate link {link.a_device}:{link.a_port} - "
                               f"{link.b_device}:{link.b_port} (first at line {seen[link.key]})")
                continue
            seen[link.key] = link.line
            out.append(link)
        return out

    def link(self, data: LocatedDict, field: str) -> LinkSpec | None:
        self.r.unknown_keys(data, LINK_KEYS, field)
        a = self.end(data, "a", field)
        b = self.end(data, "b", field)
        medium = self.r.choice(data, "medium", field, LINK_MEDIA, "fiber") or "fiber"
        length = self.r.number(data, "length_m", field, 0, 10**7)
        notes = self.r.text(data, "notes", field)
        if a is None or b is None:
            return None
        if a == b:
            self.r.problem(data.line, field, f"both ends are {a[0]}:{a[1]}")
            return None
        (a_dev, a_port), (b_dev, b_port) = sorted((a, b))
        return LinkSpec(a_dev, a_port, b_dev, b_port, line=data.line, medium=medium, length_m=length,
                        notes=notes)

    def split_end(self, text: str) -> tuple[str, str]:
        """``DEVICE:PORT``; a known device name containing ':' wins over the first ':'."""
        for index in sorted((i for i, ch in enumerate(text) if ch == ":"), reverse=True):
            if text[:index].strip() in self.device_names:
                return text[:index].strip(), text[index + 1:].strip()
        device, _, port = text.partition(":")
        return device.strip(), port.strip()

    def end(self, data: LocatedDict, key: str, field: str) -> tuple[str, str] | None:
        text = self.r.text(data, key, field, required=True)
        if text is None:
            return None
        device, port = self.split_end(text)
        if not device or not port:
            self.r.problem(data.line_of(key), f"{field}.{key}", f"expected DEVICE:PORT, got {text!r}")
            return None
        if device not in self.device_names:
            self.r.problem(data.line_of(key), f"{field}.{key}", f"unknown device {device!r}")
            return None
        return device, port


def validate_document(raw: Any, file: str, known: KnownNames | None = None,
                      base_dir: Path | None = None) -> tuple[InventoryDoc, list[Any]]:
    """The validated document and every problem found (empty list = valid)."""
    validator = _Validator(file, known or KnownNames(), base_dir)
    doc = validator.document(raw)
    return doc, validator.r.problems
