"""``discover``: crawl the network from seed addresses by LLDP/CDP and add what it finds.

Breadth first: every address of one depth is polled at once (bounded by the SNMP poller)
for facts, interfaces, neighbors and optics; each neighbor's management address becomes an
address of the next depth, but only inside the allowed networks
(``netops.polling.discovery_scope``: a neighbor advertises what it likes, and the crawl
community must not go to any address it names) and, when ``max_depth`` is given, within that
many hops. Every neighbor not followed is reported with its reason. A second address
answering with a sysName already found is not followed (the same device, or one pretending).

``crawl`` runs on the caller's event loop (``netops discover``); ``crawl_with`` runs the same
crawl through a function that polls one depth at a time (the scheduled discovery job hands it
its executor, ``netops.polling.discovery_follow``). What is found is stored by
``netops.polling.discovery_store.store_discovery`` (re-exported here).

Hook: ``follow`` (default ``management_addresses``) chooses the next addresses from a result;
the SSH collector passes one that also reads CLI neighbors (``netops.polling.ssh_branch.ssh_follow``);
it runs in a worker thread so a blocking hook never stalls the SNMP polls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from collectors.observations import ErrorKind, Neighbor, PollKind, PollResult
from collectors.targets import SnmpV2c, SnmpV3, Target
from netops.polling import discovery_scope as scope
from netops.polling.discovery_report import DiscoveryReport, Found, SysNameClash
from netops.polling.discovery_scope import NotFollowed
from netops.polling.discovery_store import credential_for_community, store_discovery
from netops.polling.poll_task import JOB_KINDS, snmp_poller
from netops.polling.targets import timeouts_from
from netops.settings import Settings

__all__ = [
    "DiscoveryReport", "Found", "SysNameClash", "crawl", "crawl_with", "credential_for_community",
    "level_targets", "management_addresses", "neighbor_label", "store_discovery",
]

Progress = Callable[[str], None]
Follow = Callable[[PollResult], Iterable[str]]
PollLevel = Callable[[list[Target]], Iterable[PollResult]]


def management_addresses(result: PollResult) -> list[str]:
    """The neighbors' advertised management addresses (LLDP-MIB / CDP), in order, once each."""
    return list(dict.fromkeys(n.management_address for n in result.neighbors if n.management_address))


def neighbor_label(neighbor: Neighbor) -> str | None:
    """How a report names a neighbor: its advertised sysName, else its chassis id."""
    return neighbor.system_name or neighbor.chassis_id or None


def _reason(result: PollResult) -> str:
    """Why a device did not answer, each message once (every poll kind reports the same timeout)."""
    return "; ".join(dict.fromkeys(e.message for e in result.errors)) or scope.NO_ANSWER


@dataclass
class _Crawl:
    """The state of one crawl: what was polled, who advertised what, and the report being built."""

    networks: tuple[scope.Network, ...]
    max_depth: int | None
    report: DiscoveryReport
    seen_addresses: set[str]
    seen_names: dict[str, str] = field(default_factory=dict)  # sysName -> address
    advertised_by: dict[str, str | None] = field(default_factory=dict)  # followed address -> neighbor label
    via: dict[str, str] = field(default_factory=dict)  # followed address -> the device that advertised it
    unaddressed: list[str | None] = field(default_factory=list)  # labels of neighbors without an address

    def unanswered(self, address: str, result: PollResult) -> str:
        auth = any(e.kind == ErrorKind.AUTH for e in result.errors)
        reason = _reason(result)
        self.report.unreachable.append((address, reason))
        if address in self.advertised_by:
            why = scope.REFUSED if auth else scope.NO_ANSWER
            self.report.not_followed.append(NotFollowed(self.advertised_by[address], address, why))
        return reason

    def visit(self, address: str, result: PollResult, depth: int, progress: Progress | None) -> bool:
        """Record one answer (or silence, or a clash); True when its neighbors are to be followed."""
        if PollKind.FACTS not in result.completed or result.facts is None:
            reason = self.unanswered(address, result)
            _say(progress, f"depth {depth}: {address} did not answer ({reason})")
            return False
        name = result.facts.sys_name or address
        if name in self.seen_names:
            self.report.clashes.append(SysNameClash(name, address, self.seen_names[name]))
            _say(progress, f"depth {depth}: {address} says it is {name}, found at "
                           f"{self.seen_names[name]}: not followed")
            return False
        self.seen_names[name] = address
        self.report.found.append(Found(address, depth, result, self.via.get(address)))
        _say(progress, f"depth {depth}: {address} {name}: {len(result.neighbors)} neighbors")
        return True

    def next_addresses(self, result: PollResult, nexts: Iterable[str], depth: int) -> list[str]:
        """The addresses to poll at ``depth + 1``; the others go to the report with their reason."""
        labels = {n.management_address: neighbor_label(n) for n in result.neighbors if n.management_address}
        self.unaddressed += [neighbor_label(n) for n in result.neighbors if not n.management_address]
        me = (result.facts.sys_name if result.facts else None) or result.device_key
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
                self.via[address] = me
        return following

    def finish(self) -> None:
        """Neighbors without a management address that were not found another way; dedupe."""
        names = list(self.seen_names)
        found = {n.lower() for n in names} | {n.split(".")[0].lower() for n in names}
        for label in self.unaddressed:
            if label is None or not {label.lower(), label.split(".")[0].lower()} & found:
                self.report.not_followed.append(NotFollowed(label, None, scope.NO_ADDRESS))
        self.report.not_followed = scope.unique(self.report.not_followed)


def _start(seeds: Sequence[str], allowed: tuple[scope.Network, ...], max_depth: int | None,
           known: Mapping[str, str] | None, via: Mapping[str, str] | None) -> tuple[_Crawl, list[str]]:
    level = list(dict.fromkeys(seeds))
    report = DiscoveryReport(networks=[str(n) for n in allowed], seeds=level)
    state = _Crawl(allowed, max_depth, report, set(level) | set((known or {}).values()))
    state.seen_names.update(known or {})
    state.via.update(via or {})
    return state, level


def level_targets(level: Sequence[str], credential: SnmpV2c | SnmpV3, port: int,
                  settings: Settings) -> list[Target]:
    """The targets of addresses not in the inventory: named by address, one credential and port."""
    timeouts = timeouts_from(settings)
    return [Target(device_key=a, host=a, snmp=credential, snmp_port=port, timeouts=timeouts) for a in level]


async def crawl(seeds: Sequence[str], credential: SnmpV2c | SnmpV3, settings: Settings, *,
                networks: Sequence[str] = (), max_depth: int | None = None, port: int = 161,
                progress: Progress | None = None, follow: Follow = management_addresses) -> DiscoveryReport:
    """Poll seeds and, depth by depth, the advertised addresses inside the allowed networks.

    ``networks``: CIDRs to stay in (default: ``discovery.networks``, else the seeds' private
    ranges); ``max_depth``: hops from the seeds (default: no limit). ``DiscoveryScopeError`` for
    a malformed network.
    """
    allowed = scope.allowed_networks(seeds, networks, settings)
    state, level = _start(seeds, allowed, max_depth, None, None)
    poller, kinds, depth = snmp_poller(settings), JOB_KINDS["discovery"], 0
    while level:
        following: list[str] = []
        targets = level_targets(level, credential, port, settings)
        async for result in poller.poll_many(targets, kinds, settings.snmp.max_in_flight):
            if not state.visit(result.device_key, result, depth, progress):
                continue
            # a follow hook may block (the SSH one reads the CLI): keep the SNMP polls running
            blocking = follow is not management_addresses
            nexts = await asyncio.to_thread(follow, result) if blocking else follow(result)
            following += state.next_addresses(result, nexts, depth)
        level, depth = following, depth + 1
    state.finish()
    return state.report


def crawl_with(poll_level: PollLevel, seeds: Sequence[str], credential: SnmpV2c | SnmpV3, settings: Settings,
               *, networks: Sequence[scope.Network], port: int = 161, known: Mapping[str, str] | None = None,
               via: Mapping[str, str] | None = None, progress: Progress | None = None) -> DiscoveryReport:
    """``crawl`` through ``poll_level`` (targets -> results, blocking), with no hop limit.

    ``known``: sysName -> address of devices already in the inventory: their addresses are not
    polled and a new address answering with one of their names is a clash. ``via``: seed address
    -> the known device that advertised it.
    """
    state, level = _start(seeds, tuple(networks), None, known, via)
    depth = 0
    while level:
        following: list[str] = []
        for result in poll_level(level_targets(level, credential, port, settings)):
            if state.visit(result.device_key, result, depth, progress):
                following += state.next_addresses(result, management_addresses(result), depth)
        level, depth = following, depth + 1
    state.finish()
    return state.report


def _say(progress: Progress | None, text: str) -> None:
    if progress is not None:
        progress(text)
