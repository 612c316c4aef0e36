"""Single points of failure as an engineer means them: what one failure would cut sites off.

``Assessment.spofs()`` lists every bridge and articulation point of what works now, with the
devices and sites hanging on it. An engineer's list is narrower: a device counts when its loss
disconnects at least one site other than its own (every single-homed school switch would
otherwise be listed for its own school), a link when its loss disconnects at least one site
(parallel fibers between the same two switches are never bridges, so never listed). Each comes
with every site its loss disconnects (the device's own site too when it goes with it: the same
list ``netops topology impact`` gives), ranked by the number of sites, then by the schools
among them, because that is what the city is asked about first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from topology.states import Element

if TYPE_CHECKING:
    from topology.assessed import Assessment
    from topology.graph import TopologyGraph

SCHOOL = "school"


@dataclass(frozen=True, slots=True)
class SinglePoint:
    """One device or link whose loss alone disconnects the sites named (sorted by name)."""

    element: Element
    sites: tuple[str, ...]
    schools: int  # how many of ``sites`` are schools

    def as_json(self) -> dict[str, Any]:
        """The one JSON shape of ``netops topology spof --json`` and ``/api/v1/topology/spof``."""
        return {"type": self.element.kind, "name": self.element.id, "sites": list(self.sites)}


def single_points(assessment: Assessment) -> list[SinglePoint]:
    """Every single point of failure of what works now, most sites first (schools break ties)."""
    graph = assessment.net.graph
    out = []
    for spof in assessment.spofs():
        sites = tuple(sorted(spof.dependent_sites))
        if not sites or (spof.element.kind == "device" and not _beyond_own_site(graph, spof.element, sites)):
            continue
        out.append(SinglePoint(spof.element, sites, count_schools(graph, sites)))
    return sorted(out, key=rank)


def rank(point: SinglePoint) -> tuple[int, int, str, str]:
    return (-len(point.sites), -point.schools, point.element.kind, point.element.id)


def count_schools(graph: TopologyGraph, sites: tuple[str, ...]) -> int:
    return sum(1 for s in sites if (rec := graph.sites.get(s)) is not None and rec.kind == SCHOOL)


def _beyond_own_site(graph: TopologyGraph, device: Element, sites: tuple[str, ...]) -> bool:
    node = graph.nodes.get(device.id)
    own = node.site if node is not None else None
    return any(site != own for site in sites)
