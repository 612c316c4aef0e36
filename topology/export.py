"""Exports of the topology: JSON node-link, GraphML and Graphviz DOT.

The JSON form is the one the API and the map use: ``{"nodes": [{"id", "site", "role",
"status", ...}], "links": [{"a": {"device", "port"}, "b": {...}, "status", "sources", ...}]}``.
GraphML goes through NetworkX with scalar attributes only; DOT is written here (quoted and
escaped, since names come from devices) so no Graphviz binding is needed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import networkx as nx

from topology.assessed import Assessment
from topology.graph import TopoLink, TopologyGraph

Position = tuple[float, float]


def _link_json(link: TopoLink) -> dict[str, Any]:
    return {
        "id": link.key,
        "a": {"device": link.a.device, "port": link.a.port},
        "b": {"device": link.b.device, "port": link.b.port},
        "status": link.status,
        "reason": link.reason,
        "sources": list(link.sources),
        "declared": link.declared,
        "seen_from": list(link.seen_from),
        "one_sided": link.one_sided,
        "port_resolved": link.port_resolved,
        "medium": link.medium,
        "length_m": link.length_m,
        "speed_bps": link.speed_bps,
        "utilization_pct": link.utilization_pct,
        "since": link.since.isoformat() if link.since else None,
    }


def to_node_link(
    graph: TopologyGraph,
    assessment: Assessment | None = None,
    positions: Mapping[str, Position] | None = None,
) -> dict[str, Any]:
    """Node states are the stored ones on the graph; ``assessment`` adds whether each is reached."""
    reached = assessment.reachable_devices() if assessment is not None else None
    nodes = []
    for name, info in sorted(graph.nodes.items()):
        item: dict[str, Any] = {
            "id": name,
            "label": info.label or name,
            "site": info.site,
            "role": info.role,
            "status": info.state,
            "known": info.known,
            "address": info.address,
        }
        if reached is not None:
            item["reachable"] = name in reached
        if positions and name in positions:
            item["x"], item["y"] = positions[name]
        nodes.append(item)
    links = [_link_json(link) for _, link in sorted(graph.links.items())]
    return {"nodes": nodes, "links": links}


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text XML 1.0 can carry: control characters a device sent become U+FFFD."""
    return _XML_BAD.sub("\ufffd", text)


def _scalar(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return xml_safe(",".join(str(v) for v in value))
    return xml_safe(str(value))


def to_graphml(graph: TopologyGraph) -> str:
    flat: nx.MultiGraph = nx.MultiGraph()
    data = to_node_link(graph)
    for node in data["nodes"]:
        flat.add_node(xml_safe(node["id"]), **{k: _scalar(v) for k, v in node.items() if k != "id"})
    for link in data["links"]:
        attrs = {k: _scalar(v) for k, v in link.items() if k not in ("a", "b", "id")}
        attrs.update(a_port=_scalar(link["a"]["port"]), b_port=_scalar(link["b"]["port"]))
        flat.add_edge(
            xml_safe(link["a"]["device"]), xml_safe(link["b"]["device"]), key=xml_safe(link["id"]), **attrs
        )
    buf = io.BytesIO()
    nx.write_graphml(flat, buf)
    return buf.getvalue().decode("utf-8")


def _q(text: object) -> str:
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _XML_BAD.sub(" ", escaped.replace("\n", " ").replace("\r", " ")) + '"'


STYLE = {"down": "color=red,style=dashed", "degraded": "color=orange", "unknown": "color=gray"}


def to_dot(graph: TopologyGraph) -> str:
    lines = ["graph topology {", "  node [shape=box];"]
    for name, info in sorted(graph.nodes.items()):
        label = _q(name)[:-1] + "\\n" + _q(info.site)[1:] if info.site else _q(name)
        shape = "" if info.known else ",style=dashed"
        lines.append(f"  {_q(name)} [label={label}{shape}];")
    for _, link in sorted(graph.links.items()):
        style = STYLE.get(link.status, "")
        attrs = f"label={_q(f'{link.a.port} - {link.b.port}')}" + (f",{style}" if style else "")
        lines.append(f"  {_q(link.a.device)} -- {_q(link.b.device)} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
