"""Small hand-made networks for assessment tests: devices by site, named links, verdicts by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from inventory.records import DeviceRecord, LinkRecord, SiteRecord
from topology.assessed import Assessment
from topology.assessment import Assessor
from topology.evidence import DeviceEvidence, Evidence, LinkEvidence
from topology.graph import LinkEnd, build_graph, link_key
from topology.snapshot import NetworkSnapshot
from topology.states import Element, LinkStatus, Verdict


@dataclass
class Net:
    """``links``: name -> (a, b); each link gets its own port on both ends (``p-<name>``)."""

    sites: dict[str, str]
    links: dict[str, tuple[str, str]]
    roots: tuple[str, ...] = ("core",)

    def __post_init__(self) -> None:
        records = [
            LinkRecord(a, f"p-{name}", b, f"p-{name}", id=i + 1)
            for i, (name, (a, b)) in enumerate(self.links.items())
        ]
        snapshot = NetworkSnapshot(
            sites=tuple(SiteRecord(s, "school") for s in sorted(set(self.sites.values()))),
            devices=tuple(
                DeviceRecord(d, "", "core" if d in self.roots else "access", s) for d, s in self.sites.items()
            ),
            links=tuple(records),
        )
        self.graph = build_graph(snapshot)
        self.assessor = Assessor(self.graph, self.roots)
        self.key = {
            name: link_key(LinkEnd(a, f"p-{name}"), LinkEnd(b, f"p-{name}"))
            for name, (a, b) in self.links.items()
        }
        self.name = {key: name for name, key in self.key.items()}

    def assess(
        self,
        verdicts: Mapping[str, Verdict] | None = None,
        down: Iterable[str] = (),
        prior: Iterable[str] = (),
        *,
        degraded: Iterable[str] = (),
        probed: Mapping[str, datetime] | None = None,
        back: Mapping[str, datetime] | None = None,
        link_since: Mapping[str, datetime] | None = None,
    ) -> Assessment:
        verdicts = {d: Verdict.ANSWERED for d in self.sites} | dict(verdicts or {})
        probed, back, link_since = probed or {}, back or {}, link_since or {}
        devices = {d: DeviceEvidence(v, probed.get(d), back.get(d)) for d, v in verdicts.items()}
        status = dict.fromkeys(self.links, LinkStatus.UP) | dict.fromkeys(down, LinkStatus.DOWN)
        status |= dict.fromkeys(degraded, LinkStatus.DEGRADED)
        links = {self.key[n]: LinkEvidence(s, link_since.get(n), f"{n} {s}") for n, s in status.items()}
        prior_elements = frozenset(
            Element("link", self.key[n]) if n in self.key else Element("device", n) for n in prior
        )
        return self.assessor.assess(Evidence(devices, links, prior_elements))

    def causes(self, a: Assessment) -> list[tuple[str, str]]:
        return [(c.element.kind, self.name.get(c.element.id, c.element.id)) for c in a.root_causes]
