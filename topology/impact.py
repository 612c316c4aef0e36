"""What-if: which sites and devices a link or device failure would cut off or leave fragile.

The analyzer's flags are flipped for the element, the network is re-evaluated, the flags are
restored; the difference to the current evaluation is the impact. Sites are grouped by kind
(schools, agencies, health, ...) because that is how the help desk talks about them.
"""

from __future__ import annotations

from dataclasses import dataclass

from topology.analysis import Analysis
from topology.analyzer import Analyzer
from topology.graph import LinkEnd, TopologyGraph
from topology.names import port_key


class ImpactError(ValueError):
    """The link or device named does not exist in the topology."""


@dataclass(frozen=True, slots=True)
class Impact:
    element: str
    lost_sites: tuple[str, ...]
    lost_devices: tuple[str, ...]
    degraded_sites: tuple[str, ...]
    by_kind: dict[str, tuple[str, ...]]

    def as_json(self) -> dict[str, object]:
        return {"element": self.element, "lost_sites": list(self.lost_sites),
                "lost_devices": list(self.lost_devices), "degraded_sites": list(self.degraded_sites),
                "lost_by_kind": {k: list(v) for k, v in self.by_kind.items()}}


def parse_end(text: str) -> LinkEnd:
    device, sep, port = text.strip().partition(":")
    if not sep or not device or not port:
        raise ImpactError(f"expected DEVICE:PORT, got {text!r}")
    return LinkEnd(device, port)


def find_link(graph: TopologyGraph, a: LinkEnd, b: LinkEnd | None = None) -> str:
    """The key of the link between two ends (port spellings may differ), or at one end."""
    want = {(a.device, port_key(a.port))} | ({(b.device, port_key(b.port))} if b else set())
    for key, link in graph.links.items():
        ends = {(link.a.device, port_key(link.a.port)), (link.b.device, port_key(link.b.port))}
        if want <= ends:
            return key
    raise ImpactError(f"no link {a}{',' + str(b) if b else ''} in the topology")


def what_if(az: Analyzer, *, link: str | None = None, device: str | None = None,
            base: Analysis | None = None) -> Impact:
    """The impact of failing one link (by key) or one device (by name)."""
    with az.lock:
        return _what_if(az, link, device, base or az.analyze())


def _what_if(az: Analyzer, link: str | None, device: str | None, base: Analysis) -> Impact:
    if link is not None:
        if link not in az.eidx:
            raise ImpactError(f"no link {link!r} in the topology")
        element, flags, index, value = link, az.core.usable, az.eidx[link], 0
    elif device is not None:
        if device not in az.idx:
            raise ImpactError(f"no device {device!r} in the topology")
        element, flags, index, value = device, az.core.failed, az.idx[device], 1
    else:
        raise ImpactError("name a link or a device")
    saved = flags[index]
    flags[index] = value  # fail the element in place, analyse, then put it back
    try:
        az.invalidate()
        after = az.analyze()
    finally:
        flags[index] = saved
        az.invalidate()
    return _diff(element, base, after)


def _diff(element: str, base: Analysis, after: Analysis) -> Impact:
    n = base.az.core.n
    lost = [v for v in range(n) if base.reach.reached[v] and not after.reach.reached[v]]
    lost_sites = base.lost_sites(lost)
    degraded = tuple(sorted(
        s for s, code in after.codes.items() if code == "degraded" and base.codes[s] == "connected"
    ))
    by_kind: dict[str, list[str]] = {}
    for site in lost_sites:
        rec = base.az.graph.sites.get(site)
        by_kind.setdefault(rec.kind if rec else "other", []).append(site)
    return Impact(element, lost_sites, tuple(sorted(base.az.names[v] for v in lost)), degraded,
                  {k: tuple(v) for k, v in sorted(by_kind.items())})
