"""``discover``: crawl the network from seed addresses by LLDP/CDP and add what it finds.

Breadth first: every address of one depth is polled at once (bounded by the SNMP poller)
for facts, interfaces, neighbors and optics; each neighbor's management address becomes an
address of the next depth, but only inside the allowed networks
(``netops.polling.discovery_scope``: a neighbor advertises what it likes, and the crawl
community must not go to any address it names) and, when ``max_depth`` is given, within that
many hops. Every neighbor not followed is reported with its reason. A second address
answering with a sysName already found is not followed (the same device, or one pretending).

Found devices are then stored, matched by management address and SNMP port first: an
inventory device there keeps its declaration and gets the facts. A new sysName becomes a new
device placed in the site its sysLocation names (created with kind ``other`` when missing),
source ``discovered``. A sysName that names an existing device at another address is a clash:
reported, and nothing is stored over that device (no facts, no ghost ports). Results go
through ``netops.store.persist.persist`` like any poll, and
``netops.store.link_sync.sync_discovered_links`` turns the stored neighbors into discovered links.

Hook: ``follow`` (default ``management_addresses``) chooses the next addresses from a result;
the SSH collector passes one that also reads CLI neighbors (``netops.polling.ssh_branch.ssh_follow``);
it runs in a worker thread so a blocking hook never stalls the SNMP polls.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.observations import ErrorKind, Neighbor, PollKind, PollResult
from collectors.targets import SnmpV2c, SnmpV3, Target
from inventory.models import Credential, Device, Site
from netops.apply import Applied, apply_results
from netops.encryption import encrypt, ensure_key
from netops.monitor.monitor import Monitor, Probe
from netops.polling import discovery_scope as scope
from netops.polling.discovery_scope import NotFollowed
from netops.polling.poll_task import JOB_KINDS, snmp_poller
from netops.polling.targets import timeouts_from
from netops.settings import Settings

Progress = Callable[[str], None]
Follow = Callable[[PollResult], Iterable[str]]


@dataclass(frozen=True, slots=True)
class Found:
    address: str
    depth: int
    result: PollResult


@dataclass(frozen=True, slots=True)
class SysNameClash:
    """A device answering at ``address`` with the sysName of a device known at ``existing_address``."""

    name: str
    address: str
    existing_address: str


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


def management_addresses(result: PollResult) -> list[str]:
    """The neighbors' advertised management addresses (LLDP-MIB / CDP), in order, once each."""
    return list(dict.fromkeys(n.management_address for n in result.neighbors if n.management_address))


def neighbor_label(neighbor: Neighbor) -> str | None:
    """How a report names a neighbor: its advertised sysName, else its chassis id."""
    return neighbor.system_name or neighbor.chassis_id or None


@dataclass
class _Crawl:
    """The state of one crawl: what was polled, who advertised what, and the report being built."""

    networks: tuple[scope.Network, ...]
    max_depth: int | None
    report: DiscoveryReport
    seen_addresses: set[str]
    seen_names: dict[str, str] = field(default_factory=dict)  # sysName -> address
    advertised_by: dict[str, str | None] = field(default_factory=dict)  # followed address -> neighbor label
    unaddressed: list[str | None] = field(default_factory=list)  # labels of neighbors without an address

    def unanswered(self, address: str, result: PollResult) -> str:
        auth = any(e.kind == ErrorKind.AUTH for e in result.errors)
        reason = "; ".join(e.message for e in result.errors) or scope.NO_ANSWER
        self.report.unreachable.append((address, reason))
        if address in self.advertised_by:
            why = scope.REFUSED if auth else scope.NO_ANSWER
            self.report.not_followed.append(NotFollowed(self.advertised_by[address], address, why))
        return reason

    def next_addresses(self, result: PollResult, nexts: Iterable[str], depth: int) -> list[str]:
        """The addresses to poll at ``depth + 1``; the others go to the report with their reason."""
        labels = {n.management_address: neighbor_label(n) for n in result.neighbors if n.management_address}
        self.unaddressed += [neighbor_label(n) for n in result.neighbors if not n.management_address]
        following = []
        for address in nexts:
            if address in self.seen_addresses:
                continue
            label = labels.get(address)
            if not scope.inside(address, self.networks):
                self.report.not_followed.append(NotFollowed(label, address, scope.OUTSIDE))
            elif self.max_depth is not None and depth >= self.max_depth:
                self.report.not_followed.append(NotFollowed(label, address, scope.DEPTH_LIMIT))
            else:
                following.append(address)
                self.seen_addresses.add(address)
                self.advertised_by[address] = label
        return following

    def finish(self) -> None:
        """Neighbors without a management address that were not found another way; dedupe."""
        names = list(self.seen_names)
        found = {n.lower() for n in names} | {n.split(".")[0].lower() for n in names}
        for label in self.unaddressed:
            if label is None or not {label.lower(), label.split(".")[0].lower()} & found:
                self.report.not_followed.append(NotFollowed(label, None, scope.NO_ADDRESS))
        self.report.not_followed = scope.unique(self.report.not_followed)


async def crawl(seeds: Sequence[str], credential: SnmpV2c | SnmpV3, settings: Settings, *,
                networks: Sequence[str] = (), max_depth: int | None = None, port: int = 161,
                progress: Progress | None = None, follow: Follow = management_addresses) -> DiscoveryReport:
    """Poll seeds and, depth by depth, the advertised addresses inside the allowed networks.

    ``networks``: CIDRs to stay in (default: ``discovery.networks``, else the seeds' private
    ranges); ``max_depth``: hops from the seeds (default: no limit). ``DiscoveryScopeError`` for
    a malformed network.
    """
    allowed = scope.allowed_networks(seeds, networks, settings)
    state = _Crawl(allowed, max_depth, DiscoveryReport(networks=[str(n) for n in allowed]), set(seeds))
    poller, kinds = snmp_poller(settings), JOB_KINDS["discovery"]
    level, depth = list(dict.fromkeys(seeds)), 0
    while level:
        timeouts = timeouts_from(settings)
        targets = [Target(device_key=a, host=a, snmp=credential, snmp_port=port, timeouts=timeouts)
                   for a in level]
        following: list[str] = []
        async for result in poller.poll_many(targets, kinds, settings.snmp.max_in_flight):
            address = result.device_key
            if PollKind.FACTS not in result.completed or result.facts is None:
                reason = state.unanswered(address, result)
                _say(progress, f"depth {depth}: {address} did not answer ({reason})")
                continue
            name = result.facts.sys_name or address
            if name in state.seen_names:
                state.report.clashes.append(SysNameClash(name, address, state.seen_names[name]))
                _say(progress, f"depth {depth}: {address} says it is {name}, found at "
                               f"{state.seen_names[name]}: not followed")
                continue
            state.seen_names[name] = address
            state.report.found.append(Found(address, depth, result))
            _say(progress, f"depth {depth}: {address} {name}: {len(result.neighbors)} neighbors")
            # a follow hook may block (the SSH one reads the CLI): keep the SNMP polls running
            blocking = follow is not management_addresses
            nexts = await asyncio.to_thread(follow, result) if blocking else follow(result)
            following += state.next_addresses(result, nexts, depth)
        level, depth = following, depth + 1
    state.finish()
    return state.report


def _say(progress: Progress | None, text: str) -> None:
    if progress is not None:
        progress(text)


def credential_for_community(session: Session, community: str, settings: Settings) -> Credential:
    """A stored (encrypted) v2c credential for a community given on the command line."""
    name = "discovered-v2c-" + hashlib.sha256(community.encode()).hexdigest()[:8]
    found = session.scalar(select(Credential).where(Credential.name == name))
    if found is None:
        ensure_key(settings)
        found = Credential(name=name, type="snmp", snmp_version="2c", community=encrypt(community, settings))
        session.add(found)
        session.flush()
    return found


def _site(session: Session, location: str, report: DiscoveryReport) -> Site | None:
    name = location.strip()[:200]
    if not name:
        return None
    site = session.scalar(select(Site).where(Site.name == name))
    if site is None:
        site = Site(name=name, kind="other")
        session.add(site)
        session.flush()
        report.sites_created.append(name)
    return site


def _device(session: Session, found: Found, credential: Credential | None, port: int,
            report: DiscoveryReport) -> Device | None:
    """The device to store ``found`` as: the one at its address and port, a new one, or None (clash)."""
    facts = found.result.facts
    assert facts is not None
    name = (facts.sys_name or found.address)[:100]
    device = session.scalar(select(Device).where(Device.address == found.address, Device.snmp_port == port))
    if device is not None:
        report.known.append(device.name)
        return device
    same_name = session.scalar(select(Device).where(Device.name == name))
    if same_name is not None:
        report.clashes.append(SysNameClash(name, found.address, same_name.address))
        return None
    site = _site(session, facts.sys_location, report)
    device = Device(name=name, address=found.address, snmp_port=port, role="other", source="discovered",
                    platform=None, site_id=site.id if site else None,
                    snmp_credential_id=credential.id if credential else None)
    session.add(device)
    session.flush()
    report.added.append(name)
    return device


def store_discovery(session: Session, report: DiscoveryReport, credential: Credential | None,
                    settings: Settings, *, port: int = 161, now: datetime | None = None,
                    monitor: Monitor | None = None) -> Applied:
    """Add/update devices (not sysName clashes), then apply every found result through the one
    path (``netops.apply``): persist, derive discovered links, assess. The devices found answered:
    that is a probe too."""
    now = now or datetime.now(UTC)
    results = []
    for found in report.found:
        device = _device(session, found, credential, port, report)
        if device is None:
            continue  # a sysName clash: nothing is stored over the existing device
        report.names[found.address] = device.name
        results.append(dataclasses.replace(found.result, device_key=device.name))
        report.neighbors += len(found.result.neighbors)
    session.flush()
    probes = {r.device_key: Probe(r.device_key, True, source="discovery") for r in results}
    applied = apply_results(session, monitor or Monitor(settings), results, job="discovery", now=now,
                            probes=probes)
    if applied.links is not None:
        report.links_created, report.links_updated = applied.links.created, applied.links.updated
    return applied
