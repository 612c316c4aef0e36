"""What-if: which sites and devices one more failed link or device would cut off or leave fragile.

Computed on copies of an assessment's flags (the assessment and its assessor are untouched, so
a what-if while the monitor assesses is safe): the element is failed, reachability and bridges
are recomputed, and the difference to the assessment is the impact. Sites are grouped by kind
(schools, agencies, health, ...) because that is how the help desk talks about them. The
element is named as a user writes it (``resolve``); a name that matches nothing is answered
with the nearest valid ones, so a typo in a port costs one more try, not a search.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from topology import traversal
from topology.graph import LinkEnd, TopologyGraph
from topology.names import port_key
from topology.states import Element

if TYPE_CHECKING:
    from topology.assessed import Assessment, WhatIf


class WhatIfError(ValueError):
    """The link or device named is malformed or does not exist in the topology."""


class UnknownElement(WhatIfError):
    """Well formed, but no such device or link: the message names the nearest valid ones."""

    def __init__(self, message: str, nearest: tuple[str, ...], *, list_nearest: bool = True) -> None:
        shown = f"; nearest: {', '.join(nearest)}" if nearest and list_nearest else ""
        super().__init__(message + shown)
        self.nearest = nearest


def parse_end(text: str) -> LinkEnd:
    device, sep, port = text.strip().partition(":")
    if not sep or not device or not port:
        raise WhatIfError(f"expected DEVICE:PORT, got {text!r}")
    return LinkEnd(device, port)


def parse_link(text: str) -> tuple[LinkEnd, LinkEnd | None]:
    """``DEV:PORT,DEV:PORT``, a link id ``DEV:PORT--DEV:PORT``, or one end ``DEV:PORT``."""
    parts = [p for p in text.replace("--", ",").split(",") if p.strip()]
    if not 1 <= len(parts) <= 2:
        raise WhatIfError(f"expected DEV:PORT,DEV:PORT, got {text!r}")
    ends = [parse_end(part) for part in parts]
    return ends[0], ends[1] if len(ends) > 1 else None


def find_link(graph: TopologyGraph, a: LinkEnd, b: LinkEnd | None = None) -> str:
    """The id of the link between two ends (port spellings may differ), or at one end."""
    want = {(a.device, port_key(a.port))} | ({(b.device, port_key(b.port))} if b else set())
    for key, link in graph.links.items():
        ends = {(link.a.device, port_key(link.a.port)), (link.b.device, port_key(link.b.port))}
        if want <= ends:
            return key
    from topology.hints import missing_topology_link

    named = f"{a},{b}" if b else str(a)  # the message says what the named devices are linked by
    raise UnknownElement(missing_topology_link(graph, a, b), nearest_links(graph, named), list_nearest=False)


def resolve(graph: TopologyGraph, *, device: str | None = None, link: str | None = None) -> Element:
    """The element one of ``device`` or ``link`` names (WhatIfError: neither, both, malformed;
    UnknownElement: no such device or link, with the nearest valid names)."""
    if bool(device) == bool(link):
        raise WhatIfError("give exactly one of a device (NAME) or a link (DEV:PORT,DEV:PORT)")
    if link:
        return Element("link", find_link(graph, *parse_link(link)))
    name = (device or "").strip()
    if name not in graph.nodes:
        raise UnknownElement(f"no device {name!r} in the topology", nearest_devices(graph, name))
    return Element("device", name)


def nearest_devices(graph: TopologyGraph, name: str, n: int = 3) -> tuple[str, ...]:
    """The device names closest in spelling to ``name`` (always some when the graph has any)."""
    return tuple(difflib.get_close_matches(name, sorted(graph.nodes), n=n, cutoff=0.0))


def nearest_links(graph: TopologyGraph, text: str, n: int = 3) -> tuple[str, ...]:
    """The links closest in spelling to ``text``, written ``DEV:PORT,DEV:PORT`` as one types them
    (in the order the ends were given); among the links of the devices named when there are any
    (a mistyped port), else among all."""
    named = {part.partition(":")[0].strip() for part in text.split(",")}
    links = sorted(graph.links.values(), key=lambda lk: lk.key)
    links = [lk for lk in links if {lk.a.device, lk.b.device} & named] or links
    spelled: dict[str, tuple[str, str]] = {}  # a way to write it -> (link id, as suggested)
    for link in links:
        for x, y in ((link.a, link.b), (link.b, link.a)):
            spelled[f"{x},{y}"] = (link.key, f"{x},{y}")
            if "," not in text:  # one end given: compare with each end alone
                spelled.setdefault(str(x), (link.key, f"{x},{y}"))
    out: dict[str, str] = {}
    for match in difflib.get_close_matches(text.strip(), list(spelled), n=4 * n, cutoff=0.0):
        key, suggestion = spelled[match]
        out.setdefault(key, suggestion)
    return tuple(out.values())[:n]


def what_if(a: Assessment, element: Element) -> WhatIf:
    return what_if_all(a, [element], element)


def what_if_all(a: Assessment, elements: Sequence[Element], label: Element) -> WhatIf:
    """What failing every one of ``elements`` at once would do (planned works on a site, a
    district or the whole network fail all its devices), answered under ``label``."""
    from topology.assessed import WhatIf

    usable, failed = _failing(a, elements, bytearray(a.usable), bytearray(a.failed))
    core = a.net.core(usable, failed)
    reach = traversal.bfs(core)
    lost = [v for v in range(a.net.n) if a.reach.reached[v] and not reach.reached[v]]
    lost_sites = a.lost_sites(lost)
    _, fragile = traversal.behind(traversal.dfs(core), a.net.n, set(a.net.design_bridges))
    degraded = set()
    for site, nodes in a.net.site_nodes.items():
        live = [v for v in nodes if reach.reached[v]]
        if live and all(fragile[v] for v in live) and not all(a.lost_redundancy[v] for v in live):
            degraded.add(site)
    return WhatIf(
        label,
        lost_sites,
        tuple(sorted(a.net.names[v] for v in lost)),
        tuple(sorted(degraded - set(lost_sites))),
        _by_kind(a, lost_sites),
    )


def _by_kind(a: Assessment, sites: Sequence[str]) -> dict[str, tuple[str, ...]]:
    by_kind: dict[str, list[str]] = {}
    for site in sites:
        rec = a.net.graph.sites.get(site)
        by_kind.setdefault(rec.kind if rec else "other", []).append(site)
    return {k: tuple(v) for k, v in sorted(by_kind.items())}


def _failing(a: Assessment, elements: Sequence[Element], usable: bytearray,
             failed: bytearray) -> tuple[bytearray, bytearray]:
    for element in elements:
        if element.kind == "link":
            if element.id not in a.net.eidx:
                raise WhatIfError(f"no link {element.id!r} in the topology")
            usable[a.net.eidx[element.id]] = 0
        elif element.kind == "device":
            if element.id not in a.net.idx:
                raise WhatIfError(f"no device {element.id!r} in the topology")
            failed[a.net.idx[element.id]] = 1
        else:
            raise WhatIfError("name a link or a device")
    return usable, failed


def planned_what_if(a: Assessment, elements: Sequence[Element], label: Element) -> WhatIf:
    """The blast radius of planned works: what failing ``elements`` does now (other failures
    included) and what it does to the network as designed (every link and device up), together,
    so works on an element that is down already still name the sites behind it."""
    from topology.assessed import WhatIf

    now = what_if_all(a, elements, label)
    n = a.net.n
    whole, alive = bytearray(b"\x01" * len(a.usable)), bytearray(n)
    before = traversal.bfs(a.net.core(bytearray(whole), bytearray(alive)))
    core = a.net.core(*_failing(a, elements, bytearray(whole), bytearray(alive)))
    after = traversal.bfs(core)
    _, fragile = traversal.behind(traversal.dfs(core), n, set(a.net.design_bridges))
    lost, degraded = set(now.lost_sites), set(now.degraded_sites)
    devices = set(now.lost_devices)
    for site, nodes in a.net.site_nodes.items():
        live = [v for v in nodes if before.reached[v]]
        if live and not any(after.reached[v] for v in live):
            lost.add(site)
        elif live and all(fragile[v] for v in live if after.reached[v]):
            degraded.add(site)
    devices |= {a.net.names[v] for v in range(n) if before.reached[v] and not after.reached[v]}
    sites = tuple(sorted(lost))
    return WhatIf(label, sites, tuple(sorted(devices)), tuple(sorted(degraded - lost)), _by_kind(a, sites))
