"""The topology map's SVG body, built in Python: 1,000 devices and 1,200 links in a few ms.

A Jinja loop over 2,000 elements with a dozen attributes each spends most of the page's time
in the template engine; this builder escapes every text once (``markupsafe.escape``, the
same escaping Jinja applies) and returns ``Markup``. Everything device-supplied stays text.
Each node's dot and label sit in a ``g.mark`` that ``topology.js`` scales so they keep the
same size on screen at any zoom and screen width (readable labels on a phone as on a desk).
Markers beside the stored state: ``data-cause`` on the root cause of an open outage (drawn
apart from what is only cut off behind it), ``data-behind`` on a link with an end that is down
or unreachable (its stored state is stale or explained by that device: greyed, not red), and
``data-spof`` on a single point of failure (highlighted on demand).

``render_districts`` draws the zoomed-out level (``web.districtmap``): a circle per district
sized by its devices and coloured by its worst site, its counts and root causes written in a
``g.mark`` (constant size on screen), a line per pair of linked districts with the number of
links and how many are down. Each district is an ``<a>`` to its device view: it works without
JavaScript and by keyboard (Tab, Enter).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext, ngettext
from markupsafe import Markup, escape

from inventory.display import clean
from web.districtmap import DistrictCircle, DistrictEdge, DistrictLevel
from web.views import Topology, TopologyLink, TopologyNode

RADIUS = {"core": 9, "distribution": 7}
CUT_OFF = frozenset({"down", "unreachable"})  # device states a link behind them is greyed for
Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Marks:
    """Root causes and single points of failure, as (``device``|``link``, name or link id)."""

    causes: frozenset[Key] = field(default_factory=frozenset)
    spofs: frozenset[Key] = field(default_factory=frozenset)

    def attrs(self, kind: str, name: str) -> str:
        key = (kind, name)
        return (" data-cause" if key in self.causes else "") + (" data-spof" if key in self.spofs else "")


def _link(link: TopologyLink, ends: dict[str, TopologyNode], marks: Marks) -> str:
    a, b = ends.get(link.a_device), ends.get(link.b_device)
    if a is None or b is None:
        return ""
    flags = marks.attrs("link", link.key)
    if "data-cause" not in flags and (a.state in CUT_OFF or b.state in CUT_OFF):
        flags += " data-behind"
    state = escape(link.state)
    util = link.utilization_pct
    width = 1.5 + (util or 0.0) / 20
    title = escape(
        f"{link.a_device}:{link.a_port} – {link.b_device}:{link.b_port} · {link.state}"
        + (f" · {link.reason}" if link.reason else "")
        + (f" · {util:.1f} %" if util is not None else "")
    )
    return (
        f'<line class="link l-{state}" data-key="{escape(link.key)}" data-state="{state}" '
        f'data-a="{escape(link.a_device)}" data-b="{escape(link.b_device)}"{flags} x1="{a.x}" y1="{a.y}" '
        f'x2="{b.x}" y2="{b.y}" stroke-width="{width:.1f}"><title>{title}</title></line>'
    )


def _node(node: TopologyNode, marks: Marks) -> str:
    name, state, role = escape(node.name), escape(node.state), escape(node.role)
    site, district = escape(node.site or ""), escape(node.district or "")
    flags = marks.attrs("device", node.name)
    return (
        f'<g class="node n-{state} r-{role}" data-name="{name}" data-state="{state}" data-role="{role}" '
        f'data-district="{district}" data-site="{site}"{flags} transform="translate({node.x},{node.y})">'
        f'<g class="mark"><circle r="{RADIUS.get(node.role, 5)}"></circle><text y="-9">{name}</text></g>'
        f"<title>{name} · {site} · {state}</title></g>"
    )


def _parts(topo: Topology, marks: Marks) -> Iterator[str]:
    ends = {n.name: n for n in topo.nodes}
    yield '<g class="links">'
    yield from (_link(link, ends, marks) for link in topo.links)
    yield '</g><g class="nodes">'
    yield from (_node(node, marks) for node in topo.nodes)
    yield "</g>"


def render(topo: Topology, marks: Marks | None = None) -> Markup:
    # no bidi controls or terminal escapes in labels and titles
    body = clean("".join(_parts(topo, marks or Marks())))
    return Markup(body)  # noqa: S704 - every interpolated text is escaped above


def _counts(node: DistrictCircle) -> str:
    return " · ".join((ngettext("%(num)d device", "%(num)d devices", node.devices),
                       ngettext("%(num)d site", "%(num)d sites", node.sites)))


def _bad_sites(node: DistrictCircle) -> str:
    offline, degraded = node.site_states.get("disconnected", 0), node.site_states.get("degraded", 0)
    parts = [gettext("%(num)d offline", num=offline)] if offline else []
    parts += [gettext("%(num)d degraded", num=degraded)] if degraded else []
    return " · ".join(parts)


def _unknown_sites(node: DistrictCircle) -> str:
    unknown = node.site_states.get("unknown", 0)
    return gettext("%(num)d unknown", num=unknown) if unknown else ""


def _bad_devices(node: DistrictCircle) -> str:
    down, cut = node.device_states.get("down", 0), node.device_states.get("unreachable", 0)
    parts = [ngettext("%(num)d device down", "%(num)d devices down", down)] if down else []
    parts += [ngettext("%(num)d device unreachable", "%(num)d devices unreachable", cut)] if cut else []
    return " · ".join(parts)


def _cause_line(causes: tuple[str, ...]) -> str:
    """The first root cause (a link by its two devices: its ports are in the title), and how many more."""
    first = _short(causes[0])
    more = len(causes) - 1
    line = str(gettext("root cause: %(name)s", name=first))
    return line + (" " + str(gettext("(and %(num)d more)", num=more)) if more else "")


def _short(cause: str) -> str:
    if "--" not in cause:
        return cause
    return " – ".join(end.partition(":")[0] for end in cause.split("--"))  # a port may hold a colon


def _district(node: DistrictCircle, inside: tuple[int, int]) -> str:
    """The circle (SVG units: it grows as one zooms in), the device count in it, the name over it
    and the counts under it (``g.mark``: the same size on screen at any zoom)."""
    name = escape(node.district)
    href = escape(url_for("ui.topology", level="device", district=node.district))
    bad_sites, bad_devices = _bad_sites(node), _bad_devices(node)
    sites = ngettext("%(num)d site", "%(num)d sites", node.sites)  # the devices: in the circle
    lines = [f'<text class="d-count" y="14">{escape(sites)}</text>']
    y = 29
    for css, text in (("d-bad", bad_sites), ("d-unk", _unknown_sites(node)), ("d-bad", bad_devices),
                      ("d-cause", _cause_line(node.causes) if node.causes else "")):
        if text:
            lines.append(f'<text class="{css}" y="{y}">{escape(text)}</text>')
            y += 15
    title = [node.district, _counts(node), bad_sites, _unknown_sites(node), bad_devices,
             ngettext("%(num)d link inside", "%(num)d links inside", inside[0])
             + (", " + gettext("%(num)d down", num=inside[1]) if inside[1] else ""),
             *(gettext("root cause: %(name)s", name=c.replace("--", " – ")) for c in node.causes)]
    down = node.site_states.get("disconnected", 0)
    return (
        f'<a class="district d-{node.state}" href="{href}" data-district="{name}" '
        f'data-devices="{node.devices}" data-sites="{node.sites}" data-offline="{down}" '
        f'data-degraded="{node.site_states.get("degraded", 0)}" data-state="{node.state}"'
        f'{" data-cause" if node.causes else ""} transform="translate({node.x},{node.y})">'
        f'<circle r="{node.r}"></circle><g class="mark"><text class="d-num" y="5">{node.devices}</text></g>'
        f'<g transform="translate(0,{-node.r})"><g class="mark">'
        f'<text class="d-name" y="-7">{name}</text></g></g>'
        f'<g transform="translate(0,{node.r})"><g class="mark">{"".join(lines)}</g></g>'
        f"<title>{escape(chr(10).join(t for t in title if t))}</title></a>"
    )


EDGE_LABELS = 40  # more lines than this: only those with a link down carry their counts (all in titles)


def _district_edge(edge: DistrictEdge, at: dict[str, DistrictCircle], labelled: bool) -> str:
    a, b = at.get(edge.a), at.get(edge.b)
    if a is None or b is None:
        return ""
    state = "down" if edge.down == edge.links else "degraded" if edge.down else "up"
    label = str(edge.links) + (" · " + gettext("%(num)d down", num=edge.down) if edge.down else "")
    title = (f"{edge.a} – {edge.b}: " + ngettext("%(num)d link", "%(num)d links", edge.links)
             + (", " + gettext("%(num)d down", num=edge.down) if edge.down else "")
             + "".join("\n" + gettext("root cause: %(name)s", name=c.replace("--", " – "))
                       for c in edge.causes))
    width = min(1.5 + math.log2(edge.links), 8)
    mark = (f'<g transform="translate({round((a.x + b.x) / 2, 1)},{round((a.y + b.y) / 2, 1)})">'
            f'<g class="mark"><text y="4">{escape(label)}</text></g></g>') if labelled or edge.down else ""
    return (
        f'<g class="dlink s-{state}" data-a="{escape(edge.a)}" data-b="{escape(edge.b)}" '
        f'data-links="{edge.links}" data-down="{edge.down}"{" data-cause" if edge.causes else ""}>'
        f'<line x1="{a.x}" y1="{a.y}" x2="{b.x}" y2="{b.y}" stroke-width="{width:.1f}"></line>'
        f"{mark}<title>{escape(title)}</title></g>"
    )


def render_districts(level: DistrictLevel) -> Markup:
    """The district level: links between districts under, districts over (each a link to its devices)."""
    at = {n.district: n for n in level.nodes}
    body = "".join((
        '<g class="d-links">',
        *(_district_edge(edge, at, len(level.edges) <= EDGE_LABELS) for edge in level.edges),
        '</g><g class="d-nodes">',
        *(_district(node, level.inside.get(node.district, (0, 0))) for node in level.nodes),
        "</g>",
    ))
    return Markup(clean(body))  # noqa: S704 - every interpolated text is escaped above
