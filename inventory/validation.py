"""Validate a parsed inventory document (YAML or CSV) into an ``InventoryDoc``, collecting every problem.

Nothing here touches the database: names the file refers to must be declared in the file itself
or already exist (``KnownNames``). Every problem carries file, line and field; the caller writes
nothing unless the list is empty. A name or field that does not exist comes with the nearest
ones that do (``inventory.suggest``); list positions in fields (``devices[3]``) count from 1.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from inventory.credential_rules import CredentialRules
from inventory.fields import Reader
from inventory.geo import POINT_KINDS, RoutePoint, route_length_m
from inventory.models import DEVICE_ROLES, LINK_MEDIA, PLATFORMS, SITE_KINDS
from inventory.policy import TRUSTED, ImportPolicy
from inventory.spec import (
    POLL_INTERVALS,
    DeviceSpec,
    InventoryDoc,
    KnownNames,
    LinkSpec,
    SiteSpec,
)
from inventory.suggest import did_you_mean
from inventory.yamlsrc import LocatedDict, LocatedList

SECTIONS = ("credentials", "sites", "devices", "links")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")
SITE_KEYS = ("name", "kind", "address", "district", "location", "contact", "notes")
DEVICE_KEYS = ("name", "address", "snmp_port", "ssh_port", "role", "platform", "site", "snmp", "ssh",
               "enabled", "poll_intervals", "poll_group", "notes")
LINK_KEYS = ("a", "b", "medium", "length_m", "notes", "route")
ROUTE_POINT_KEYS = ("lat", "lon", "name", "kind")


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


class _Validator(CredentialRules):
    def __init__(self, file: str, known: KnownNames, base_dir: Path | None, policy: ImportPolicy) -> None:
        self.r = Reader(file)
        self.known = known
        self.base_dir = base_dir
        self.policy = policy
        self.ignored_credentials: set[str] = set()
        self.credential_types: dict[str, str] = dict(known.credentials)
        self.site_names: set[str] = set(known.sites)
        self.device_names: set[str] = set(known.devices)
        self.device_data: dict[str, tuple[LocatedDict, str]] = {}
        self.site_locations: dict[str, tuple[float, float]] = dict(known.site_locations)
        self.device_sites: dict[str, str] = dict(known.device_sites)
        self.route_at: dict[int, tuple[int, str]] = {}  # link line -> (line, field) of its route

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
        for site in sites:  # the file is the whole truth about what it declares
            self.site_locations.pop(site.name, None)
            if site.latitude is not None and site.longitude is not None:
                self.site_locations[site.name] = (site.latitude, site.longitude)
        devices = self.items(top, "devices", self.device_names_pass)
        self.device_names |= {d.name for d in devices}
        devices = [d for d in (self.device_refs(d) for d in devices) if d is not None]
        for device in devices:
            self.device_sites.pop(device.name, None)
            if device.site is not None:
                self.device_sites[device.name] = device.site
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
            self.r.problem(data.line_of("site"), f"{field}.site",
                           f"unknown site {site!r}{did_you_mean(site, self.site_names)}")
        snmp = self.credential_ref(data, "snmp", field)
        ssh = self.credential_ref(data, "ssh", field)
        return replace(spec, site=site, snmp=snmp, ssh=ssh)

    def credential_ref(self, data: LocatedDict, key: str, field: str) -> str | None:
        name = self.r.text(data, key, field)
        if name is None:
            return None
        kind = self.credential_types.get(name)
        if kind is None and name in self.ignored_credentials:
            self.r.problem(data.line_of(key), f"{field}.{key}", f"unknown credential {name!r} (credentials "
                           "are admin-only: the one in this file was ignored; ask an admin to import it)")
        elif kind is None:
            hint = did_you_mean(name, [n for n, k in self.credential_types.items() if k == key])
            self.r.problem(data.line_of(key), f"{field}.{key}", f"unknown credential {name!r}{hint}")
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
            out.append(self.routed(link) if link.route else link)
        return out

    def location_of(self, device: str) -> tuple[tuple[float, float] | None, str]:
        """A device's site location, or None with the reason in words."""
        site = self.device_sites.get(device)
        if site is None:
            return None, f"device {device!r} has no site"
        location = self.site_locations.get(site)
        return location, "" if location else f"site {site!r} (of {device}) has no location"

    def routed(self, link: LinkSpec) -> LinkSpec:
        """A route needs both sites placed; without a declared length it gives the length."""
        start, why_a = self.location_of(link.a_device)
        end, why_b = self.location_of(link.b_device)
        if start is None or end is None:
            reasons = "; ".join(w for w in (why_a, why_b) if w)
            line, where = self.route_at.get(link.line, (link.line, "route"))
            self.r.problem(line, where, f"a route needs both ends' sites located: {reasons}")
            return link
        if link.length_m is None:
            return replace(link, length_m=float(route_length_m(start, link.route, end)))
        return link

    def route(self, data: LocatedDict, field: str) -> tuple[RoutePoint, ...]:
        """``route: [{lat, lon[, name][, kind]}, ...]`` from site A towards site B."""
        if "route" not in data or data["route"] is None:
            return ()
        where = f"{field}.route"
        value = data["route"]
        self.route_at[data.line] = (data.line_of("route"), where)
        if not isinstance(value, LocatedList):
            self.r.problem(data.line_of("route"), where,
                           "expected a list of points {lat, lon[, name][, kind]}")
            return ()
        points = []
        for index, item in enumerate(value):
            at = f"{where}[{index + 1}]"
            point = self.r.mapping(item, value.line_of(index), at)
            if point is None:
                continue
            self.r.unknown_keys(point, ROUTE_POINT_KEYS, at)
            for key in ("lat", "lon"):
                if point.get(key) in (None, ""):
                    self.r.problem(point.line_of(key), f"{at}.{key}", "required")
            lat = self.r.number(point, "lat", at, -90, 90)
            lon = self.r.number(point, "lon", at, -180, 180)
            name = self.r.text(point, "name", at)
            kind = self.r.choice(point, "kind", at, POINT_KINDS, None)
            if lat is not None and lon is not None:
                points.append(RoutePoint(lat, lon, name, kind))
        return tuple(points)

    def link(self, data: LocatedDict, field: str) -> LinkSpec | None:
        self.r.unknown_keys(data, LINK_KEYS, field)
        a = self.end(data, "a", field)
        b = self.end(data, "b", field)
        medium = self.r.choice(data, "medium", field, LINK_MEDIA, "fiber") or "fiber"
        length = self.r.number(data, "length_m", field, 0, 10**7)
        notes = self.r.text(data, "notes", field)
        route = self.route(data, field)
        if a is None or b is None:
            return None
        if a == b:
            self.r.problem(data.line, field, f"both ends are {a[0]}:{a[1]}")
            return None
        (a_dev, a_port), (b_dev, b_port) = sorted((a, b))
        if (a_dev, a_port) != a:
            route = route[::-1]  # the route runs from the normalised a end
        return LinkSpec(a_dev, a_port, b_dev, b_port, line=data.line, medium=medium, length_m=length,
                        notes=notes, route=route)

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
            self.r.problem(data.line_of(key), f"{field}.{key}",
                           f"unknown device {device!r}{did_you_mean(device, self.device_names)}")
            return None
        return device, port


def validate_document(raw: Any, file: str, known: KnownNames | None = None, base_dir: Path | None = None,
                      policy: ImportPolicy = TRUSTED) -> tuple[InventoryDoc, list[Any]]:
    """The validated document and every problem found (empty list = valid)."""
    validator = _Validator(file, known or KnownNames(), base_dir, policy)
    doc = validator.document(raw)
    return doc, validator.r.problems
