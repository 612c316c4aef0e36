"""Scheduled discovery finds new devices: follow the new neighbors of known devices.

After each discovery cycle (``netops.polling.cycle``), when ``discovery.follow_new`` is on (the
default), the neighbors that known devices advertise and that are no device yet (neither their
management address nor their sysName is known) are crawled like ``netops discover`` does,
through the job's executor, with the SNMP credential and port of the device that advertised
them and only inside the allowed networks (``discovery.networks``, else the private ranges of
the known devices). What answers is added by ``netops.polling.discovery_store`` (named by
sysName, site from sysLocation, kind and role inferred), with a ``found`` event per device, and
applied through the one path (``netops.apply``) under the runner's monitor lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from collectors.observations import PollResult
from collectors.targets import SnmpV2c, SnmpV3, Target
from inventory.db import session_scope
from inventory.models import Credential, Device, NeighborRecord, ObservedFacts
from netops.monitor.monitor import Evaluation, Monitor
from netops.polling import discovery_scope as scope
from netops.polling.discovery import crawl_with
from netops.polling.discovery_report import DiscoveryReport
from netops.polling.discovery_store import store_discovery
from netops.polling.executor import Executor
from netops.polling.poll_task import JOB_KINDS
from netops.polling.targets import build_cycle_target
from netops.settings import Settings

log = logging.getLogger(__name__)
SOURCE = "scheduled discovery"
Apply = Callable[[Callable[[Session, Monitor], Evaluation]], Evaluation]


@dataclass
class NewNeighbors:
    """Addresses to try with one credential and port, each with the known device that advertised it."""

    credential_id: int
    credential: SnmpV2c | SnmpV3
    port: int
    via: dict[str, str] = field(default_factory=dict)  # address -> advertising device


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
    credential and port."""
    names, addresses = _known(session)
    lowered = set().union(*(_short(n) for n in names)) if names else set()
    allowed = scope.allowed_networks(sorted(addresses), (), settings)
    groups: dict[tuple[int, int], NewNeighbors] = {}
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
        key: tuple[int, int] = (device.snmp_credential_id, device.snmp_port)
        if key not in groups:
            credential = _snmp(device, settings)
            if credential is None:
                continue
            groups[key] = NewNeighbors(key[0], credential, device.snmp_port)
        groups[key].via.setdefault(address, device.name)
    return Candidates(list(groups.values()), names, allowed)


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

    def poll_level(targets: list[Target]) -> Iterable[PollResult]:
        result.polled += len(targets)
        return executor.submit(targets, kinds).result()

    for group in found.groups:
        report = crawl_with(poll_level, sorted(group.via), group.credential, settings, networks=found.allowed,
                            port=group.port, known=found.known, via=group.via)
        result.errors += [f"new neighbor {a}: {e}" for a, e in report.unreachable]
        if not report.found:
            continue

        def store(session: Session, monitor: Monitor, group: NewNeighbors = group,
                  report: DiscoveryReport = report) -> Evaluation:
            credential = session.get(Credential, group.credential_id)
            return store_discovery(session, report, credential, settings, port=group.port, monitor=monitor,
                                   seeds_may_be_core=False, found_events=SOURCE).evaluation

        evaluation = apply(store)
        result.events += len(evaluation.events)
        result.added += report.added
        for name in report.added:
            log.info("%s: added %s", SOURCE, name)
    return result
