"""The discovery task of a worker: addresses that are no device yet, polled from inside their network.

Scheduled discovery follows the new neighbors of known devices (``netops.polling.discovery_follow``).
Those addresses are in no inventory, so the poll task (device names, read back from the shared
database) cannot carry them. The discovery task carries the addresses and the name of the
known device that advertised them (the "lender"): the worker reads that device from the
database and polls the addresses with its SNMP credential and port, as the in-process crawl
does. Like every task, the message holds names and addresses only; the secret is resolved here.

The broker is not trusted with the credential's reach: the worker polls only addresses some
known device advertises (a neighbor record) that lie inside the allowed networks, as the
scheduler chose them, so a forged task cannot send the lender's community elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select
from sqlalchemy.orm import selectinload

from collectors.targets import Target
from inventory.db import session_scope
from inventory.models import Device, NeighborRecord
from netops.polling.discovery import level_targets
from netops.polling.discovery_scope import allowed_networks, inside
from netops.polling.targets import build_cycle_target
from netops.settings import Settings


def discovery_targets(engine: Engine, settings: Settings, addresses: Sequence[str], lender: str,
                      worker: str) -> tuple[list[Target], dict[str, str]]:
    """The addresses' targets with the lender's SNMP credential and port, or (none, why not)."""
    stmt = select(Device).options(selectinload(Device.snmp_credential), selectinload(Device.ssh_credential),
                                  selectinload(Device.facts)).where(Device.name == lender)
    with session_scope(engine) as session:
        device = session.scalar(stmt)
        target = build_cycle_target(device, settings) if device is not None else None
    if device is None:
        return [], {a: f"device {lender} is not in the database of worker {worker}" for a in addresses}
    if target is None or target.snmp is None:
        return [], {a: f"no SNMP credential of {lender} resolves on worker {worker}" for a in addresses}
    allowed = set(followable(engine, settings, addresses))
    refused = {a: "not a neighbor address inside the allowed networks" for a in addresses if a not in allowed}
    wanted = [a for a in addresses if a in allowed]
    return level_targets(wanted, target.snmp, target.snmp_port, settings), refused


def followable(engine: Engine, settings: Settings, addresses: Sequence[str]) -> list[str]:
    """Those of ``addresses`` a known device advertises and that lie inside the allowed networks
    (``discovery.networks``, else the private ranges of the known devices: as the scheduler)."""
    with session_scope(engine) as session:
        advertised = set(session.scalars(select(NeighborRecord.management_address)
                                          .where(NeighborRecord.management_address.in_(list(addresses)))))
        known = sorted(set(session.scalars(select(Device.address))))
    networks = allowed_networks(known, (), settings)
    return [a for a in addresses if a in advertised and inside(a, networks)]
