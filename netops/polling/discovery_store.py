"""Store what a discovery crawl found: devices, sites with their kinds, the core, roles, then the one path.

Found devices are matched by management address and SNMP port first: an inventory device there
keeps its declaration and gets the facts. A new sysName becomes a new device placed in the site
its sysLocation names (created when missing, its kind inferred from its name by
``inventory.site_kinds``), source ``discovered``, role inferred. A sysName that names an
existing device at another address is a clash: reported, and nothing is stored over that device
(no facts, no ghost ports).

Then the core (``netops.polling.discovery_roles.choose_roots``: ``--core``, ``monitor.roots``,
the existing core, else the seeds) is stored before the results go through the one path
(``netops.apply``: persist, discovered links, assess) with the devices found as answered probes,
so the network is assessed from its core as soon as ``discover`` returns. Last, every inferred
role is re-inferred over the stored links. Kinds and roles declared in an inventory file (or
with ``--core``) are never changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Credential, Device, Site
from inventory.site_kinds import KindRules, load_rules
from netops.apply import Applied, apply_results
from netops.encryption import encrypt, ensure_key
from netops.monitor.events import record_event
from netops.monitor.monitor import Monitor, Probe
from netops.polling import discovery_roles as roles
from netops.polling.discovery_report import DiscoveryReport, Found, Placed, SysNameClash
from netops.settings import Settings

INFERRED = roles.INFERRED
FOUND_STATE = "found"  # the new_state of the event that records a device discovery added


class UnknownCoreError(ValueError):
    """``--core`` names no device found or known; the message names it."""


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


def kind_rules(settings: Settings) -> KindRules:
    """The site-kind rules: ``discovery.kind_rules`` or the built-in file (``KindRulesError``)."""
    return load_rules(settings.discovery.kind_rules)


def _site(session: Session, location: str, report: DiscoveryReport, rules: KindRules) -> Site | None:
    name = location.strip()[:200]
    if not name:
        return None
    site = session.scalar(select(Site).where(Site.name == name))
    if site is None:
        site = Site(name=name, kind=rules.kind_of(name), kind_source=INFERRED)
        session.add(site)
        session.flush()
        report.sites_created.append(name)
    return site


def _device(session: Session, found: Found, credential: Credential | None, port: int,
            report: DiscoveryReport, rules: KindRules) -> Device | None:
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
    site = _site(session, facts.sys_location, report, rules)
    device = Device(name=name, address=found.address, snmp_port=port, role="access", role_source=INFERRED,
                    source="discovered", platform=None, site_id=site.id if site else None,
                    snmp_credential_id=credential.id if credential else None)
    session.add(device)
    session.flush()
    report.added.append(name)
    return device


def _resolve_core(session: Session, report: DiscoveryReport, core: Sequence[str]) -> list[str]:
    """Device names for ``--core`` entries: a device name, or the address of a seed or device."""
    names = []
    for entry in core:
        device = session.scalar(select(Device).where(Device.name == entry))
        name = device.name if device else report.names.get(entry)
        if name is None:
            device = session.scalar(select(Device).where(Device.address == entry))
            name = device.name if device else None
        if name is None:
            raise UnknownCoreError(f"--core {entry!r}: no device found or known by that name or address")
        names.append(name)
    return list(dict.fromkeys(names))


def _record_found(session: Session, report: DiscoveryReport, now: datetime, source: str) -> list[int]:
    """A ``found`` event per device added (before the monitor's own first state event)."""
    by_name = {report.names[f.address]: f for f in report.found if f.address in report.names}
    ids = []
    for name in report.added:
        found = by_name[name]
        via = f", a new neighbor of {found.via}" if found.via else ""
        site = found.result.facts.sys_location if found.result.facts else ""
        evidence = f"{source}: answered at {found.address}{via}; site {site.strip() or 'none'}"
        event = record_event(session, at=now, element_type="device", element=name, old_state=None,
                             new_state=FOUND_STATE, evidence=evidence)
        ids.append(event.id)
    return ids


def _placed(session: Session, report: DiscoveryReport) -> None:
    """Where each device found stands and what it is, for the report."""
    for name in report.names.values():
        device = session.scalars(select(Device).where(Device.name == name)).one()
        site = device.site
        report.placed[name] = Placed(device.role, device.role_source, site.name if site else None,
                                     site.kind if site else None, site.kind_source if site else None)


def store_discovery(session: Session, report: DiscoveryReport, credential: Credential | None,
                    settings: Settings, *, port: int = 161, now: datetime | None = None,
                    monitor: Monitor | None = None, core: Sequence[str] = (),
                    seeds_may_be_core: bool = True, found_events: str | None = None) -> Applied:
    """Add/update devices (not sysName clashes), store the core, apply every found result
    through the one path (``netops.apply``) with the devices found as answered probes, then
    re-infer roles. ``core``: ``--core`` names or addresses (``UnknownCoreError``);
    ``found_events``: record a ``found`` event per added device with this source text."""
    now = now or datetime.now(UTC)
    rules = kind_rules(settings)
    results = []
    for found in report.found:
        device = _device(session, found, credential, port, report, rules)
        if device is None:
            continue  # a sysName clash: nothing is stored over the existing device
        if device.site is not None and device.site.kind_source == INFERRED:
            device.site.kind = rules.kind_of(device.site.name)  # the rules may have changed
        report.names[found.address] = device.name
        results.append(dataclasses.replace(found.result, device_key=device.name))
        report.neighbors += len(found.result.neighbors)
    session.flush()
    named = _resolve_core(session, report, core)
    seeds = [report.names[s] for s in report.seeds if s in report.names]
    chosen = roles.choose_roots(session, settings, seeds, named, seeds_may_be_core=seeds_may_be_core)
    found_ids = _record_found(session, report, now, found_events) if found_events else []
    probes = {r.device_key: Probe(r.device_key, True, source="discovery") for r in results}
    applied = apply_results(session, monitor or Monitor(settings), results, job="discovery", now=now,
                            probes=probes)
    applied.evaluation.events[:0] = found_ids
    if applied.links is not None:
        report.links_created, report.links_updated = applied.links.created, applied.links.updated
    roles.store_roles(session, chosen)
    report.roots_from = chosen.source
    report.roots = list(settings.monitor.roots) or sorted(
        session.scalars(select(Device.name).where(Device.role == "core")))
    _placed(session, report)
    return applied
