"""Read a topology file in the format of ``shared/testbed`` (JSON) into a ``DemoNetwork``.

The testbed names ports like Linux interfaces (``sfp1``, ``xe1``); they are kept as they
are. Vendors follow the role (core Cisco-like, distribution Huawei-like, access rotating),
site kinds are guessed from the site name, and sites get stable positions around Magelang.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from simulator import places
from simulator.network import (
    DEFAULT_BASE,
    DemoLink,
    DemoNetwork,
    DemoPort,
    DemoSite,
    _Draft,
    _finish,
    distance_m,
)
from simulator.vendors import ACCESS_MODELS, MODELS

ROLE_MODELS = {"core": "cisco-c9500", "distribution": "huawei-s6730"}
KIND_WORDS = (
    ("school", ("sd ", "smp", "sma", "smk", "sekolah")),
    ("health", ("puskesmas", "rsud", "rumah sakit", "klinik")),
    ("district", ("kecamatan",)),
)


class TopologyError(ValueError):
    """The topology file cannot be read; the message names the file and the place."""


def _site_kind(name: str, role: str) -> str:
    if role == "core":
        return "core"
    lowered = name.lower() + " "
    for kind, words in KIND_WORDS:
        if any(w in lowered for w in words):
            return kind
    return "agency"


def _position(name: str) -> tuple[float, float]:
    digest = hashlib.sha256(name.encode()).digest()
    lat, lon = places.CITY_HALL[2], places.CITY_HALL[3]
    return (round(lat + (digest[0] - 128) / 128 * 0.025, 5), round(lon + (digest[1] - 128) / 128 * 0.012, 5))


def _split_end(text: str, where: str) -> tuple[str, str]:
    node, sep, port = str(text).partition(":")
    if not sep or not node or not port:
        raise TopologyError(f"{where}: expected NODE:PORT, got {text!r}")
    return node, port


def _port_names(doc: dict[str, Any], path: Path) -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for i, link in enumerate(doc.get("links", [])):
        for end in ("a", "b"):
            node, port = _split_end(link.get(end, ""), f"{path.name}: links[{i}].{end}")
            used.setdefault(node, []).append(port)
    return used


def load_topology(path: str | Path, base: str = DEFAULT_BASE) -> DemoNetwork:
    """A ``DemoNetwork`` from a testbed topology file; errors name file and JSON path."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TopologyError(f"{path}: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list):
        raise TopologyError(f"{path.name}: expected an object with 'nodes' and 'links'")
    ports = _port_names(doc, path)
    sites: dict[str, DemoSite] = {}
    drafts: dict[str, _Draft] = {}
    for i, node in enumerate(doc["nodes"]):
        name, role, site = node.get("name"), node.get("role", "access"), node.get("site")
        if not name or not site or name in drafts:
            raise TopologyError(f"{path.name}: nodes[{i}]: missing or duplicate name/site")
        model = MODELS[ROLE_MODELS.get(role, ACCESS_MODELS[i % len(ACCESS_MODELS)])]
        if site not in sites:
            lat, lon = _position(site)
            sites[site] = DemoSite(site, _site_kind(site, role), None, lat, lon)
        names = sorted(set(ports.get(name, [])))
        port_list = [DemoPort(if_index=10 + j, name=p, descr=p, inventory_name=p,
                              speed_mbps=10000, fiber=True) for j, p in enumerate(names, start=1)]
        drafts[name] = _Draft(name, role, model, site, node.get("location", site), port_list, set(),
                              "mac" if node.get("lldp_portid") == "macaddress" else "ifname")
    links = []
    for i, link in enumerate(doc.get("links", [])):
        (a, ap), (b, bp) = _split_end(link["a"], ""), _split_end(link["b"], "")
        if a not in drafts or b not in drafts:
            raise TopologyError(f"{path.name}: links[{i}]: unknown node {a if a not in drafts else b!r}")
        speed = 10000 if "access" not in (drafts[a].role, drafts[b].role) else 1000
        for node, port, peer, peer_port, key in ((a, ap, b, bp, "a_alias"), (b, bp, a, ap, "b_alias")):
            d = drafts[node]
            idx = next(k for k, p in enumerate(d.ports) if p.name == port)
            old = d.ports[idx]
            d.ports[idx] = DemoPort(old.if_index, old.name, old.descr, old.inventory_name, speed, True,
                                    alias=link.get(key) or f"to {peer} {peer_port}")
        links.append(DemoLink(a, ap, b, bp, speed, distance_m(sites[drafts[a].site], sites[drafts[b].site])))
    return _finish(str(doc.get("name", path.stem)), base, drafts, sites, links)
