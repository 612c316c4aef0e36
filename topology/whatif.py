"""What-if: which sites and devices one more failed link or device would cut off or leave fragile.

Computed on copies of an assessment's flags (the assessment and its assessor are untouched, so
a what-if while the monitor assesses is safe): the element is failed, reachability and bridges
are recomputed, and the difference to the assessment is the impact. Sites are grouped by kind
(schools, agencies, health, ...) because that is how the help desk talks about them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from topology import traversal
from topology.graph import LinkEnd, TopologyGraph
from topology.names import port_key
from topology.states import Element

if TYPE_CHECKING:
    from topology.assessed import Assessment, WhatIf


class WhatIfError(ValueError):
    """The link or device named does not exist in the topology."""


def parse_end(text: str) -> LinkEnd:
    device, sep, port = text.strip().partition(":")
    if not sep or not device or not port:
        raise WhatIfError(f"expected DEVICE:PORT, got {text!r}")
    return LinkEnd(device, port)


def find_link(graph: TopologyGraph, a: LinkEnd, b: LinkEnd | None = None) -> str:
    """The id of the link between two ends (port spellings may differ), or at one end."""
    want = {(a.device, port_key(a.port))} | ({(b.device, port_key(b.port))} if b else set())
    for key, link in graph.links.items():
        ends = {(link.a.device, port_key(link.a.port)), (link.b.device, port_key(link.b.port))}
        if want <= ends:
            return key
    raise WhatIfError(f"no link {a}{',' + str(b) if b else ''} in the topology")


def what_if(a: Assessment, element: Element) -> WhatIf:
    from topology.assessed import WhatIf

    usable, failed = bytearray(a.usable), bytearray(a.failed)
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
    by_kind: dict[str, list[str]] = {}
    for site in lost_sites:
        rec = a.net.graph.sites.get(site)
        by_kind.setdefault(rec.kind if rec else "other", []).append(site)
    return WhatIf(
        element,
        lost_sites,
        tuple(sorted(a.net.names[v] for v in lost)),
        tuple(sorted(degraded - set(lost_sites))),
        {k: tuple(v) for k, v in sorted(by_kind.items())},
    )
