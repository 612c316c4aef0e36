"""What a discovery crawl found and what storing it did: the report ``discover`` prints.

Kept apart from the crawl (``netops.polling.discovery``) and the storing
(``netops.polling.discovery_store``) so both fill one typed record and the CLI, the scheduled
job and the tests read the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.observations import PollResult
from netops.polling.discovery_scope import NotFollowed


@dataclass(frozen=True, slots=True)
class Found:
    address: str
    depth: int
    result: PollResult
    via: str | None = None  # the device whose neighbor this was (None for a seed)


@dataclass(frozen=True, slots=True)
class SysNameClash:
    """A device answering at ``address`` with the sysName of a device known at ``existing_address``."""

    name: str
    address: str
    existing_address: str


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a stored device stands and what it is, and whether discovery or a person said so."""

    role: str
    role_source: str  # declared | inferred
    site: str | None
    site_kind: str | None
    kind_source: str | None  # declared | inferred (None without a site)


@dataclass
class DiscoveryReport:
    found: list[Found] = field(default_factory=list)
    unreachable: list[tuple[str, str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    sites_created: list[str] = field(default_factory=list)
    neighbors: int = 0
    links_created: int | None = None
    links_updated: int | None = None
    names: dict[str, str] = field(default_factory=dict)  # address -> device name (stored devices only)
    networks: list[str] = field(default_factory=list)  # where the crawl was allowed to go
    not_followed: list[NotFollowed] = field(default_factory=list)
    clashes: list[SysNameClash] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)  # the addresses the crawl started from
    roots: list[str] = field(default_factory=list)  # the core devices the network is seen from
    roots_from: str = ""  # seeds | --core | monitor.roots | inventory | none
    placed: dict[str, Placed] = field(default_factory=dict)  # device name -> role, site, kind

    @property
    def seeds_failed(self) -> bool:
        """True when no seed answered (exit status 3 of ``netops discover``)."""
        silent = {address for address, _ in self.unreachable}
        return bool(self.seeds) and all(seed in silent for seed in self.seeds)
