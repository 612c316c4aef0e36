"""``discover``: crawl the network from seed addresses by LLDP/CDP and add what it finds.

Breadth first: every address of one depth is polled at once (bounded by the SNMP poller)
for facts, interfaces, neighbors and optics; each neighbor's management address becomes an
address of the next depth until ``max_depth``. A device answering under a second address
(same sysName) is kept once. Found devices are then stored: an inventory device with the
same address or name keeps its declaration; a new one is named by its sysName and placed in
the site its sysLocation names (created with kind ``other`` when missing), source
``discovered``. Results go through ``netops.store.persist.persist`` like any poll, and
``netops.store.link_sync.sync_discovered_links`` turns the stored neighbors into discovered links.
Devices that do not answer are reported, never fatal.

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

from collectors.observations import PollKind, PollResult
from collectors.targets import SnmpV2c, SnmpV3, Target
from inventory.models import Credential, Device, Site
from netops.apply import Applied, apply_results
from netops.encryption import encrypt, ensure_key
from netops.monitor.monitor import Monitor, Probe
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
    names: dict[str, str] = field(default_factory=dict)  # address -> device name


def management_addresses(result: PollResult) -> list[str]:
    """The neighbors' advertised management addresses (LLDP-MIB / CDP), in order, once each."""
    return list(dict.fromkeys(n.management_address for n in result.neighbors if n.management_address))


async def crawl(seeds: Sequence[str], credential: SnmpV2c | SnmpV3, settings: Settings, *,
                max_depth: int = 3, port: int = 161, progress: Progress | None = None,
                follow: Follow = management_addresses) -> DiscoveryReport:
    """Poll seeds and, depth by depth, the addresses their neighbors advertise."""
    report = DiscoveryReport()
    poller, kinds = snmp_poller(settings), JOB_KINDS["discovery"]
    seen_addresses, seen_names = set(seeds), set()
    level, depth = list(dict.fromkeys(seeds)), 0
    while level and depth <= max_depth:
        timeouts = timeouts_from(settings)
        targets = [Target(device_key=a, host=a, snmp=credential, snmp_port=port, timeouts=timeouts)
                   for a in level]
        following: list[str] = []
        async for result in poller.poll_many(targets, kinds, settings.snmp.max_in_flight):
            address = result.device_key
            if PollKind.FACTS not in result.completed or result.facts is None:
                reason = "; ".join(e.message for e in result.errors) or "no answer"
                report.unreachable.append((address, reason))
                _say(progress, f"depth {depth}: {address} did not answer ({reason})")
                continue
            name = result.facts.sys_name or address
            if name in seen_names:
                _say(progress, f"depth {depth}: {address} is {name} again, skipped")
                continue
            seen_names.add(name)
            report.found.append(Found(address, depth, result))
            _say(progress, f"depth {depth}: {address} {name}: {len(result.neighbors)} neighbors")
            # a follow hook may block (the SSH one reads the CLI): keep the SNMP polls running
            blocking = follow is not management_addresses
            nexts = await asyncio.to_thread(follow, result) if blocking else follow(result)
            following += [a for a in nexts if a not in seen_addresses]
            seen_addresses.update(following)
        level, depth = list(dict.fromkeys(following)), depth + 1
    return report


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
            report: DiscoveryReport) -> Device:
    facts = found.result.facts
    assert facts is not None
    name = (facts.sys_name or found.address)[:100]
    device = (session.scalar(select(Device).where(Device.address == found.address))
              or session.scalar(select(Device).where(Device.name == name)))
    if device is not None:
        report.known.append(device.name)
        return device
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
    """Add/update devices, then apply every found result through the one path (``netops.apply``):
    persist, derive discovered links, assess. The devices found answered: that is a probe too."""
    now = now or datetime.now(UTC)
    results = []
    for found in report.found:
        device = _device(session, found, credential, port, report)
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
