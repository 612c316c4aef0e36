"""Cabling audit: the declared plant against what LLDP/CDP see.

Three findings: a declared link that neither end reports (``declared_not_seen``; ``checked``
says whether either end reports any neighbor at all, so a device without LLDP is not blamed),
a discovered link nobody declared (``discovered_not_declared``, also to unknown devices), and
a declared link whose ports differ from what the devices report (``port_mismatch``).
"""

from __future__ import annotations

from dataclasses import dataclass

from topology.graph import LinkEnd, TopoLink, TopologyGraph


@dataclass(frozen=True, slots=True)
class AuditFinding:
    kind: str
    declared: tuple[LinkEnd, LinkEnd] | None
    discovered: tuple[LinkEnd, LinkEnd] | None
    sources: tuple[str, ...] = ()
    checked: bool = True
    detail: str = ""

    def as_json(self) -> dict[str, object]:
        def ends(pair: tuple[LinkEnd, LinkEnd] | None) -> list[dict[str, str]] | None:
            return [{"device": e.device, "port": e.port} for e in pair] if pair else None

        return {
            "kind": self.kind,
            "declared": ends(self.declared),
            "discovered": ends(self.discovered),
            "sources": list(self.sources),
            "checked": self.checked,
            "detail": self.detail,
        }


def _seen(link: TopoLink) -> bool:
    return bool(link.seen_from) or any(s != "declared" for s in link.sources)


def _known(graph: TopologyGraph, device: str) -> bool:
    node = graph.nodes.get(device)
    return node is not None and node.known


def audit(graph: TopologyGraph) -> list[AuditFinding]:
    """Every finding, sorted by kind then ends."""
    reporting = {nb.device for nb in graph.snapshot.neighbors}
    out: list[AuditFinding] = []
    for link in graph.links.values():
        pair = (link.a, link.b)
        found = tuple(s for s in link.sources if s != "declared")
        if link.declared and link.declared_ends is not None:
            detail = f"declared {link.declared_ends[0]} - {link.declared_ends[1]}, seen {link.a} - {link.b}"
            out.append(AuditFinding("port_mismatch", link.declared_ends, pair, found, True, detail))
        elif link.declared and not _seen(link):
            checked = link.a.device in reporting or link.b.device in reporting
            detail = "neither end reports it" if checked else "no neighbor data from either end"
            out.append(AuditFinding("declared_not_seen", pair, None, (), checked, detail))
        elif not link.declared:
            unknown = [e.device for e in pair if not _known(graph, e.device)]
            notes = [f"to unknown device {unknown[0]}"] if unknown else []
            notes += [] if link.port_resolved else ["remote port not matched"]
            out.append(AuditFinding("discovered_not_declared", None, pair, found, True, ", ".join(notes)))
    return sorted(out, key=lambda f: (f.kind, str(f.declared or f.discovered)))
