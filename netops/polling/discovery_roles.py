"""Roles from the shape of the network: which devices are the core, which distribute, which are leaves.

A crawled network must know its core, or every site is "unknown: no core device". The roots
are, in this order: the devices named with ``discover --core``, the setting ``monitor.roots``,
the devices that already have the role core (declared or inferred earlier), else the seeds of
this crawl. From the roots, over every stored link (declared and discovered), a device with a
neighbor further from the roots distributes (``distribution``), one without is a leaf
(``access``). Only roles whose ``role_source`` is ``inferred`` change: a role declared in an
inventory file (or with ``--core``) is never overwritten.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device
from inventory.queries import list_links
from netops.settings import Settings

DECLARED, INFERRED = "declared", "inferred"


@dataclass(frozen=True, slots=True)
class Roots:
    names: tuple[str, ...]
    source: str  # --core | monitor.roots | inventory | seeds | none


def depths(adjacency: Mapping[str, Collection[str]], roots: Iterable[str]) -> dict[str, int]:
    """Hops from the nearest root for every device reached over ``adjacency``."""
    depth = {r: 0 for r in roots if r in adjacency}
    queue = deque(depth)
    while queue:
        here = queue.popleft()
        for there in adjacency[here]:
            if there not in depth:
                depth[there] = depth[here] + 1
                queue.append(there)
    return depth


def infer_roles(adjacency: Mapping[str, Collection[str]], roots: Collection[str]) -> dict[str, str]:
    """core for a root, distribution for a device with a neighbor further out, else access.

    Devices not reached from a root are left out: nothing can be said of them.
    """
    depth = depths(adjacency, roots)
    roles = {}
    for name, d in depth.items():
        if name in roots:
            roles[name] = "core"
        elif any(depth.get(n, -1) > d for n in adjacency[name]):
            roles[name] = "distribution"
        else:
            roles[name] = "access"
    return roles


def stored_adjacency(session: Session) -> dict[str, set[str]]:
    """Device name -> the devices it has a stored link (declared or discovered) with."""
    adjacency: dict[str, set[str]] = {name: set() for name in session.scalars(select(Device.name))}
    for link in list_links(session):
        if link.a_device != link.b_device:
            adjacency.setdefault(link.a_device, set()).add(link.b_device)
            adjacency.setdefault(link.b_device, set()).add(link.a_device)
    return adjacency


def choose_roots(session: Session, settings: Settings, seeds: Sequence[str], named: Sequence[str] = (),
                 *, seeds_may_be_core: bool = True) -> Roots:
    """The roots (module docstring), storing the role core where a person or the seeds say so
    (``--core`` is stored even when ``monitor.roots`` decides the roots).

    ``named``: devices given with ``--core`` (declared core from now on); ``seeds``: the stored
    names of the seeds that answered, made core (inferred) only when nothing else names a core.
    """
    devices = {d.name: d for d in session.scalars(select(Device))}
    for name in named:
        devices[name].role, devices[name].role_source = "core", DECLARED
    if settings.monitor.roots:  # the monitor's roots whatever the roles say
        return Roots(tuple(settings.monitor.roots), "monitor.roots")
    if named:
        return Roots(tuple(named), "--core")
    cores = tuple(sorted(n for n, d in devices.items() if d.role == "core"))
    if cores:
        return Roots(cores, "inventory")
    if not seeds_may_be_core:
        return Roots((), "none")
    made = tuple(n for n in dict.fromkeys(seeds) if n in devices and devices[n].role_source == INFERRED)
    for name in made:
        devices[name].role = "core"
    return Roots(made, "seeds" if made else "none")


def store_roles(session: Session, roots: Roots) -> dict[str, str]:
    """Re-infer every inferred role from the roots over the stored links; the changes made.

    An inferred core that is no longer a root (another core was named) becomes what its place
    says, or access when it is not linked to a root.
    """
    session.flush()
    roles = infer_roles(stored_adjacency(session), set(roots.names)) if roots.names else {}
    changed = {}
    for device in session.scalars(select(Device).where(Device.role_source == INFERRED)):
        role = roles.get(device.name)
        if role is None and device.role == "core" and device.name not in roots.names:
            role = "access"
        if role is not None and role != device.role:
            device.role = role
            changed[device.name] = role
    return changed
