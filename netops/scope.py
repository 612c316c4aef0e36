"""A login's scope: the districts, site kinds and named sites a user may see, and what that covers.

A ``Scope`` is what an admin wrote (``district=Magelang Utara``, ``kind=school``, ``site=SD Negeri 3``);
``Visible`` is what it covers in today's inventory. The rule: a site is in scope when a ``site=``
entry names it, or when there is at least one ``district=``/``kind=`` entry and the site matches
one of the district entries (if any) AND one of the kind entries (if any). So entries of one
dimension add up (two districts: either), entries of different dimensions narrow each other
(``district=Magelang Utara`` + ``kind=school``: the schools of Magelang Utara, what a kecamatan's
Dinas Pendidikan desk needs), and a named site is always added. Devices in scope are the devices
at sites in scope (a device without a site is outside every scope). Everything else is outside:
the web shows it as if it did not exist, and ``redact`` replaces its names in free text (a cause,
a path) with a placeholder. Unknown names are refused with the nearest valid ones, so a typo
never yields an empty (or a wider) scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, Site
from inventory.models.sites import SITE_KINDS
from inventory.suggest import did_you_mean

DIMENSIONS = ("district", "kind", "site")
OUTSIDE = "…"  # what an outside name becomes in free text


class ScopeError(ValueError):
    """A scope entry that is malformed or names nothing known."""


@dataclass(frozen=True, slots=True)
class Scope:
    districts: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.districts or self.kinds or self.sites)

    def entries(self) -> list[str]:
        """``dimension=value`` strings, as typed on the command line."""
        return ([f"district={d}" for d in self.districts] + [f"kind={k}" for k in self.kinds]
                + [f"site={s}" for s in self.sites])

    def describe(self) -> str:
        return "; ".join(self.entries())

    def to_json(self) -> dict[str, list[str]]:
        return {"districts": list(self.districts), "kinds": list(self.kinds), "sites": list(self.sites)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Scope | None:
        """The stored form (None or an empty scope: not scoped)."""
        if not data:
            return None
        scope = cls(*(tuple(str(v) for v in data.get(key) or ()) for key in ("districts", "kinds", "sites")))
        return scope or None

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Scope:
        """``["district=Magelang Utara", "kind=school"]`` (ScopeError when malformed)."""
        found: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
        for entry in entries:
            key, sep, value = entry.partition("=")
            key, value = key.strip().lower(), value.strip()
            if not sep or key not in found or not value:
                raise ScopeError(f"scope entry {entry[:100]!r}: write district=NAME, kind=KIND or site=NAME")
            if value not in found[key]:
                found[key].append(value)
        return cls(tuple(found["district"]), tuple(found["kind"]), tuple(found["site"]))

    def matches(self, name: str, district: str | None, kind: str | None) -> bool:
        if name in self.sites:
            return True
        if not (self.districts or self.kinds):
            return False
        return ((not self.districts or district in self.districts)
                and (not self.kinds or kind in self.kinds))


def check(session: Session, scope: Scope) -> None:
    """Refuse a scope naming a district, kind or site that does not exist (nearest names shown)."""
    rows = session.execute(select(Site.name, Site.district)).all()
    districts = sorted({d for _, d in rows if d})
    names = [n for n, _ in rows]
    for district in scope.districts:
        if district not in districts:
            raise ScopeError(f"no district {district!r}{did_you_mean(district, districts, quote=True)}")
    for kind in scope.kinds:
        if kind not in SITE_KINDS:
            raise ScopeError(f"no site kind {kind!r}; choose one of {', '.join(SITE_KINDS)}")
    for site in scope.sites:
        if site not in names:
            raise ScopeError(f"no site {site!r}{did_you_mean(site, names, quote=True)}")


@dataclass(frozen=True, slots=True)
class Visible:
    """What a scope covers now: site and device names in scope, and the outside names to redact."""

    scope: Scope
    sites: frozenset[str]
    devices: frozenset[str]
    hidden_sites: frozenset[str]
    hidden_devices: frozenset[str]
    districts: frozenset[str] = frozenset()
    site_kinds: Mapping[str, str] = field(default_factory=dict)  # of the sites in scope
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def site(self, name: str | None) -> bool:
        return name is not None and name in self.sites

    def device(self, name: str | None) -> bool:
        return name is not None and name in self.devices

    def link(self, a_device: str, b_device: str) -> bool:
        """A link is shown when either end is in scope (its outside end is shown as OUTSIDE)."""
        return a_device in self.devices or b_device in self.devices

    def link_id(self, link_id: str) -> bool:
        """``A:p--B:q`` (or ``A:p,B:q``): either end's device in scope."""
        return any(self.device(end.rpartition(":")[0] or end) for end in re.split(r"--|,", link_id))

    def element(self, kind: str, name: str) -> bool:
        """A root cause or map element: ``device``, ``link`` or ``site``."""
        if kind == "link":
            return self.link_id(name)
        if kind == "site":
            return self.site(name)
        return self.device(name)

    def redact(self, text: str | None) -> str | None:
        """``text`` with every outside site or device name replaced by OUTSIDE (longest name first,
        so an inside name that contains an outside one stays whole)."""
        if not text or self._pattern is None:
            return text
        inside = self.sites | self.devices
        return self._pattern.sub(lambda m: m.group(0) if m.group(0) in inside else OUTSIDE, text)


def resolve(session: Session, scope: Scope) -> Visible:
    """The sites and devices ``scope`` covers in the inventory as it is now."""
    sites: set[str] = set()
    hidden_sites: set[str] = set()
    districts: set[str] = set()
    site_ids: set[int] = set()
    kinds: dict[str, str] = {}
    rows = session.execute(select(Site.id, Site.name, Site.district, Site.kind))
    for site_id, name, district, kind in rows:
        if scope.matches(name, district, kind):
            sites.add(name)
            site_ids.add(site_id)
            kinds[name] = kind
            if district:
                districts.add(district)
        else:
            hidden_sites.add(name)
    devices: set[str] = set()
    hidden_devices: set[str] = set()
    for device, device_site in session.execute(select(Device.name, Device.site_id)):
        (devices if device_site is not None and device_site in site_ids else hidden_devices).add(device)
    names = sorted(sites | devices | hidden_sites | hidden_devices, key=len, reverse=True)
    pattern = None
    if hidden_sites or hidden_devices:
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names if n) + r")(?!\w)")
    return Visible(scope, frozenset(sites), frozenset(devices), frozenset(hidden_sites),
                   frozenset(hidden_devices), frozenset(districts), kinds, pattern)
