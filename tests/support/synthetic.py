"""Snapshots without a database: from a testbed topology file or a generated city network.

Tests, benchmarks and the demo need networks of known shape: the testbed's JSON topology
(nodes with role and site, fibers as ``dev:port`` pairs) becomes declared links and ``up``
interfaces; ``generated(...)`` builds a core, a ring of districts and access sites that are
single-homed, dual-homed or chained, deterministically from a seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from inventory.records import DeviceRecord, InterfaceRecord, LinkRecord, SiteRecord
from topology.snapshot import NetworkSnapshot

ROLE_KIND = {"core": "core", "distribution": "district"}


KIND_WORDS = (("health", ("puskesmas", "rsud", "rumah sakit", "health", "hospital")),
              ("school", ("sd", "smp", "sma", "smk", "school", "sekolah")))


def site_kind(name: str, role: str) -> str:
    """core / district from the role, else health / school / agency from words of the name."""
    if role in ROLE_KIND:
        return ROLE_KIND[role]
    words = set(re.findall(r"[a-z]+", name.lower()))
    low = name.lower()
    for kind, keys in KIND_WORDS:
        if any(k in words or (" " in k and k in low) for k in keys):
            return kind
    return "agency"


def from_topology(data: Mapping[str, Any]) -> NetworkSnapshot:
    """A snapshot of a testbed topology file: every port up, every link declared."""
    sites: dict[str, SiteRecord] = {}
    devices, ifaces, links = [], [], []
    for node in data["nodes"]:
        site = str(node["site"])
        sites.setdefault(site, SiteRecord(site, site_kind(site, node["role"])))
        devices.append(DeviceRecord(node["name"], node.get("address", ""), node["role"], site,
                                    sys_name=node["name"], state="up"))
    for link in data["links"]:
        a_dev, a_port = str(link["a"]).split(":", 1)
        b_dev, b_port = str(link["b"]).split(":", 1)
        links.append(LinkRecord(a_dev, a_port, b_dev, b_port))
        for dev, port in ((a_dev, a_port), (b_dev, b_port)):
            ifaces.append(InterfaceRecord(dev, port, admin_status="up", oper_status="up",
                                          speed_bps=10_000_000_000))
    return NetworkSnapshot(tuple(sites.values()), tuple(devices), tuple(ifaces), tuple(links))


def generated(devices: int = 5000, links: int = 6000, seed: int = 1) -> NetworkSnapshot:
    """A core, a district ring, access sites (single, dual-homed, chained), extra fibers."""
    rng = random.Random(seed)
    districts = max(3, devices // 15)
    names = ["core"] + [f"dist-{i}" for i in range(districts)]
    roles = ["core"] + ["distribution"] * districts
    pairs: list[tuple[str, str]] = [("core", "dist-0"), (f"dist-{districts - 1}", "core")]
    pairs += [(f"dist-{i}", f"dist-{i + 1}") for i in range(districts - 1)]
    for i in range(devices - len(names)):
        name = f"acc-{i}"
        parent = rng.choice(names[1:]) if i < 10 or rng.random() > 0.2 else f"acc-{rng.randrange(i)}"
        names.append(name)
        roles.append("access")
        pairs.append((parent, name))
    while len(pairs) < links:
        a, b = rng.sample(names, 2)
        pairs.append((a, b))
    return _assemble(names, roles, pairs)


def _assemble(names: list[str], roles: list[str], pairs: list[tuple[str, str]]) -> NetworkSnapshot:
    sites = tuple(SiteRecord(f"site-{n}", site_kind(n, r)) for n, r in zip(names, roles, strict=True))
    devices = tuple(DeviceRecord(n, "", r, f"site-{n}", sys_name=n, state="up")
                    for n, r in zip(names, roles, strict=True))
    used: dict[str, int] = {}
    ifaces, links = [], []
    for a, b in pairs:
        ends = []
        for dev in (a, b):
            used[dev] = used.get(dev, 0) + 1
            port = f"p{used[dev]}"
            ends.append(port)
            ifaces.append(InterfaceRecord(dev, port, admin_status="up", oper_status="up"))
        links.append(LinkRecord(a, ends[0], b, ends[1]))
    return NetworkSnapshot(sites, devices, tuple(ifaces), tuple(links))
