"""Scheduled discovery finds new devices: follow the new neighbors of known devices.

After each discovery cycle (``netops.polling.cycle``), when ``discovery.follow_new`` is on (the
default), the neighbors that known devices advertise and that are no device yet (neither their
management address nor their sysName is known) are crawled like ``netops discover`` does,
through the job's executor, with the SNMP credential and port of the device that advertised
them and only inside the allowed networks (``discovery.networks``, else the private ranges of
the known devices). What answers is added by ``netops.polling.discovery_store`` (named by
sysName, site from sysLocation, kind and role inferred), with a ``found`` event per device, and
applied through the one path (``netops.apply``) under the runner's monitor lock. A new device
joins the poll group of the device that advertised it.

With the Celery executor the new neighbors are polled by a worker of the advertising device's
poll group (the network they sit in), as a discovery task that carries their addresses and the
advertising device's name, whose credential and port the worker reads from the database
(``netops.polling.discovery_task``): a poll task cannot carry them, since a worker builds its
targets from device names, and these addresses are no device yet. Addresses a worker could not
poll (no worker for the group, the broker away, no result within the deadline) are named in
the job run's errors and tried again next cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from collectors.observations import PollKind, PollResult
from collectors.targets import SnmpV2c, SnmpV3, Target
from inventory.db import session_scope
from inventory.models import Credential, Device, NeighborRecord, ObservedFacts
from netops.monitor.monitor import Evaluation, Monitor
from netops.polling import discovery_scope as scope
from netops.polling.discovery import crawl_with
from netops.polling.discovery_report import DiscoveryReport
from netops.polling.discovery_store import store_discovery
from netops.polling.executor import Executor, NotPolled, ResultSink
from netops.polling.poll_task import JOB_KINDS
from netops.polling.targets import build_cycle_target
from netops.settings import Settings

log = logging.getLogger(__name__)
SOURCE = "scheduled discovery"
Apply = Callable[[Callable[[Session, Monitor], Evaluation]], Evaluation]


@dataclass
class NewNeighbors:
    """Addresses to try with one credential and port from one poll group, each with the known
    device that advertised it; ``lender`` is one of those devices (a distributed executor's
    worker polls with its credential and port, read from the database by name)."""

    credential_id: int
    credential: SnmpV2c | SnmpV3
    port: int
    lender: str
    poll_group: str | None = None
    via: dict[str, str] = field(default_factory=dict)  # address -> advertising device


@runtime_checkable
class AddressExecutor(Protocol):
    """An executor whose polls run elsewhere and read their targets by device name
    (``CeleryExecutor``): addresses that are no device yet go out as a discovery task."""

    def submit_addresses(self, addresses: Sequence[str], lender: str, group: str | None,
                         kinds: frozenset[PollKind], on_result: ResultSink | None = None
                         ) -> Future[list[PollResult]]: ...


@dataclass
class Followed:
    polled: int = 0
    added: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    events: int = 0
    outside: int = 0  # new neighbors outside the allowed networks (not polled)


def _short(name: str) -> set[str]:
    return {name.lower(), name.split(".")[0].lower()}


def _known(session: Session) -> tuple[dict[str, str], set[str]]:
    """sysName/name -> address of every device, and the addresses of every device."""
    rows = session.execute(select(Device.name, Device.address, ObservedFacts.sys_name)
                           .outerjoin(ObservedFacts, ObservedFacts.device_id == Device.id))
    names: dict[str, str] = {}
    for name, address, sys_name in rows:
        names[name] = address
        if sys_name:
            names.setdefault(sys_name, address)
    return names, set(names.values())


@dataclass
class Candidates:
    groups: list[NewNeighbors]
    known: dict[str, str]  # sysName/name -> address of known devices (the crawl's clash check)
    allowed: tuple[scope.Network, ...]


def new_neighbors(session: Session, settings: Settings, result: Followed) -> Candidates:
    """The new neighbors of enabled known devices inside the allowed networks, grouped by
    credential, port and poll group (an address advertised in two groups is tried from the
    first only, by device name)."""
    names, addresses = _known(session)
    lowered = set().union(*(_short(n) for n in names)) if names else set()
    allowed = scope.allowed_networks(sorted(addresses), (), settings)
    groups: dict[tuple[int, int, str | None], NewNeighbors] = {}
    grouped: dict[tuple[str, int, int], str | None] = {}  # (address, credential, port) -> its poll group
    rows = session.execute(
        select(NeighborRecord.management_address, NeighborRecord.system_name, Device)
        .join(Device, NeighborRecord.device_id == Device.id)
        .where(NeighborRecord.management_address.is_not(None), NeighborRecord.miss_count == 0,
               Device.enabled.is_(True), Device.snmp_credential_id.is_not(None))
        .order_by(Device.name, NeighborRecord.local_port))
    for address, system_name, device in rows:
        assert address is not None and device.snmp_credential_id is not None  # the query's conditions
        if address in addresses or (system_name and _short(system_name) & lowered):
            continue
        if not scope.inside(address, allowed):
            result.outside += 1
            continue
        key = (device.snmp_credential_id, device.snmp_port, device.poll_group)
        if key not in groups:
            credential = _snmp(device, settings)
            if credential is None:
                continue
            groups[key] = NewNeighbors(key[0], credential, device.snmp_port, device.name, device.poll_group)
        if grouped.setdefault((address, key[0], key[1]), key[2]) != key[2]:
            continue  # tried from the group that advertised it first
        groups[key].via.setdefault(address, device.name)
    return Candidates([g for g in groups.values() if g.via], names, allowed)


def _snmp(device: Device, settings: Settings) -> SnmpV2c | SnmpV3 | None:
    """The advertising device's SNMP credential (None, with the target builder's warning, when
    its secret does not resolve)."""
    target = build_cycle_target(device, settings)
    return target.snmp if target is not None else None


def follow_new(settings: Settings, engine: Engine, executor: Executor, apply: Apply) -> Followed:
    """Crawl the new neighbors of known devices and add what answers (module docstring)."""
    result = Followed()
    if not settings.discovery.follow_new:
        return result
    with session_scope(engine) as session:
        found = new_neighbors(session, settings, result)
    kinds = JOB_KINDS["discovery"]

    def poll_level(group: NewNeighbors, targets: list[Target]) -> Iterable[PollResult]:
        result.polled += len(targets)
        arrived: list[PollResult] = []
        if isinstance(executor, AddressExecutor):  # the worker reads the lender's credential by name
            addresses = [t.device_key for t in targets]
            future = executor.submit_addresses(addresses, group.lender, group.poll_group, kinds,
                                               on_result=arrived.append)
        else:
            future = executor.submit(targets, kinds, on_result=arrived.append)
        try:
            return future.result()
        except NotPolled as exc:  # no worker for the group, the broker away: named, never "unreachable"
            lost = sorted(exc.devices.items())
            result.errors += [f"new neighbor {a}: not polled: {why}" for a, why in lost]
            return list(arrived)

    for group in found.groups:
        report = crawl_with(partial(poll_level, group), sorted(group.via), group.credential, settings,
                            networks=found.allowed, port=group.port, known=found.known, via=group.via)
        result.errors += [f"new neighbor {a}: {e}" for a, e in report.unreachable]
        if not report.found:
            continue

        def store(session: Session, monitor: Monitor, group: NewNeighbors = group,
                  report: DiscoveryReport = report) -> Evaluation:
            credential = session.get(Credential, group.credential_id)
            evaluation = store_discovery(session, report, credential, settings, port=group.port,
                                         monitor=monitor, seeds_may_be_core=False,
                                         found_events=SOURCE).evaluation
            if group.poll_group is not None and report.added:  # polled from where it was found
                session.execute(update(Device).where(Device.name.in_(report.added),
                                                     Device.poll_group.is_(None))
                                .values(poll_group=group.poll_group))
            return evaluation

        evaluation = apply(store)
        result.events += len(evaluation.events)
        result.added += report.added
        for name in report.added:
            log.info("%s: added %s", SOURCE, name)
    return result
