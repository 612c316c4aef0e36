"""Small networks for topology tests: the testbed's Magelang plant and ways to break it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from tests.support.synthetic import from_topology
from topology.assessed import Assessment
from topology.assessment import Assessor
from topology.evidence import DeviceEvidence, Evidence, LinkEvidence
from topology.graph import TopologyGraph, build_graph
from topology.link_rule import LinkThresholds, PortReading, link_verdict
from topology.names import port_key
from topology.snapshot import NetworkSnapshot
from topology.states import Verdict

MAGELANG_JSON = Path(__file__).resolve().parents[2].parent / "shared" / "testbed" / "magelang.json"


def magelang() -> NetworkSnapshot:
    return from_topology(json.loads(MAGELANG_JSON.read_text(encoding="utf-8")))


def cut(snapshot: NetworkSnapshot, *ends: str, status: str = "down") -> NetworkSnapshot:
    """Ports (``dev:port``) reported with ``status`` (a fiber cut reports both ends down)."""
    wanted = {tuple(e.split(":", 1)) for e in ends}
    ifaces = tuple(
        replace(i, oper_status=status) if (i.device, i.name) in wanted else i for i in snapshot.interfaces
    )
    return replace(snapshot, interfaces=ifaces)


def cut_link(snapshot: NetworkSnapshot, a: str, b: str) -> NetworkSnapshot:
    return cut(snapshot, a, b)


def power_off(snapshot: NetworkSnapshot, device: str, neighbours_see_it: bool = True) -> NetworkSnapshot:
    """A device goes silent; its neighbours' ports towards it go down."""
    devices = tuple(replace(d, state="down") if d.name == device else d for d in snapshot.devices)
    snap = replace(snapshot, devices=devices)
    if neighbours_see_it:
        far = [
            f"{lk.b_device}:{lk.b_port}" if lk.a_device == device else f"{lk.a_device}:{lk.a_port}"
            for lk in snapshot.links
            if device in (lk.a_device, lk.b_device)
        ]
        snap = cut(snap, *far)
    return snap


def site_of(snapshot: NetworkSnapshot, device: str) -> str:
    return next(d.site for d in snapshot.devices if d.name == device) or ""


VERDICTS = {
    "up": Verdict.ANSWERED,
    "agent_down": Verdict.AGENT_DOWN,
    "down": Verdict.SILENT,
    "unreachable": Verdict.SILENT,
}


def evidence_of(snapshot: NetworkSnapshot, limits: LinkThresholds | None = None) -> Evidence:
    """What the monitor would hand the assessment for this snapshot: verdicts from device states,
    link statuses from the one link rule over the stored ports (fresh when the device answered)."""
    devices = {d.name: DeviceEvidence(VERDICTS.get(d.state, Verdict.UNKNOWN)) for d in snapshot.devices}
    ports = {(i.device, port_key(i.name)): i for i in snapshot.interfaces}
    graph = build_graph(snapshot)
    links = {}
    for key, link in graph.links.items():
        ends = []
        for end in (link.a, link.b):
            i = ports.get((end.device, port_key(end.port)))
            fresh = devices.get(end.device, DeviceEvidence()).verdict == Verdict.ANSWERED
            errors = (
                None
                if i is None or (i.in_errors_per_s is None and i.out_errors_per_s is None)
                else (i.in_errors_per_s or 0.0) + (i.out_errors_per_s or 0.0)
            )
            ends.append(
                PortReading(
                    end.device,
                    end.port,
                    fresh and i is not None,
                    i.oper_status if i else None,
                    i.admin_status if i else None,
                    errors,
                    i.rx_dbm if i else None,
                    i.rx_low_alarm_dbm if i else None,
                )
            )
        verdict = link_verdict(ends[0], ends[1], limits or LinkThresholds())
        links[key] = LinkEvidence(verdict.status, None, verdict.evidence)
    return Evidence(devices, links)


def analyze(snapshot: NetworkSnapshot, roots: list[str] | None = None) -> Assessment:
    """One assessment of a snapshot, from scratch."""
    return Assessor(build_graph(snapshot), roots).assess(evidence_of(snapshot))


def graph_with(a: Assessment) -> TopologyGraph:
    """The graph as readers see it once the monitor stored ``a``: its device and link states."""
    graph = a.net.graph
    nodes = {n: replace(info, state=str(a.devices.get(n, info.state))) for n, info in graph.nodes.items()}
    links = {k: replace(link, status=str(a.links.get(k, link.status))) for k, link in graph.links.items()}
    return replace(graph, nodes=nodes, links=links)
