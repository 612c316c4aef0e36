"""The demo network as an inventory file (the YAML format of ``netops inventory import``).

The core switch is polled with SNMPv3 (user ``netops``), the others with v2c ``demo``.
Devices are marked ``poll_group: demo`` so ``netops start`` can tell a demo database from a
real one. The fibers are declared by default, as an operator's inventory would, with the
names operators use (``TenGigabitEthernet1/0/3`` where the switch reports ``Te1/0/3``), so the
cabling audit shows every fiber confirmed by LLDP on a first run; ``declare_links=False``
(``netops demo --no-declare-links``) leaves them to discovery alone. Each declared fiber
carries its route (``simulator.routes``) so the city map shows where it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simulator.network import DemoLink, DemoNetwork
from simulator.routes import fiber_route
from simulator.usm import V3_AUTH_KEY, V3_PRIV_KEY, V3_USER

DEMO_GROUP = "demo"
CREDENTIAL = "demo-snmp"
CREDENTIAL_V3 = "demo-snmp-v3"


def inventory_document(network: DemoNetwork, snmp_port: int, community: str = "demo",
                       declare_links: bool = True, real: bool = False) -> dict[str, Any]:
    sites = []
    for s in network.sites:
        site: dict[str, Any] = {"name": s.name, "kind": s.kind,
                                "location": {"lat": s.latitude, "lon": s.longitude}}
        if s.district:
            site["district"] = s.district
        if s.address:
            site["address"] = s.address
        sites.append(site)
    devices = [{"name": d.name, "address": d.address, "snmp_port": snmp_port, "site": d.site, "role": d.role,
                "platform": "linux" if real else d.vendor.platform,
                "snmp": CREDENTIAL_V3 if not real and d.role == "core" else CREDENTIAL,
                "poll_group": DEMO_GROUP,
                "notes": "testbed node: net-snmp + lldpd (netops demo --real)" if real else
                         f"simulated {d.vendor.vendor} {d.vendor.model} (netops demo)"}
               for d in network.devices]
    doc: dict[str, Any] = {
        "credentials": {
            CREDENTIAL: {"type": "snmp", "version": "2c", "community": community},
            CREDENTIAL_V3: {"type": "snmp", "version": "3", "user": V3_USER,
                            "auth": {"protocol": "sha", "key": V3_AUTH_KEY},
                            "priv": {"protocol": "aes", "key": V3_PRIV_KEY}},
        },
        "sites": sites, "devices": devices,
    }
    if declare_links:
        doc["links"] = [{"a": f"{lk.a}:{network.device(lk.a).port(lk.a_port).inventory_name}",
                         "b": f"{lk.b}:{network.device(lk.b).port(lk.b_port).inventory_name}",
                         "medium": "fiber", "length_m": lk.length_m, "route": _route(network, lk)}
                        for lk in network.links]
    return doc


def _route(network: DemoNetwork, link: DemoLink) -> list[dict[str, float | str]]:
    """Where the fiber runs, from ``link.a``'s site to ``link.b``'s, for the city map."""
    a, b = network.device(link.a), network.device(link.b)
    stops = fiber_route(network.site(a.site), network.site(b.site), access_end=b.role == "access")
    return [stop.as_dict() for stop in stops]


def write_inventory(network: DemoNetwork, path: Path, snmp_port: int, declare_links: bool = True,
                    community: str = "demo", real: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Written by `netops demo`: the demo network (community `{community}`, lab only).\n"
    doc = inventory_document(network, snmp_port, community, declare_links, real)
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    path.write_text(header + body, encoding="utf-8")
    return path
