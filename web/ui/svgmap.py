"""The topology map's SVG body, built in Python: 1,000 devices and 1,200 links in a few ms.

A Jinja loop over 2,000 elements with a dozen attributes each spends most of the page's time
in the template engine; this builder escapes every text once (``markupsafe.escape``, the
same escaping Jinja applies) and returns ``Markup``. Everything device-supplied stays text.
Each node's dot and label sit in a ``g.mark`` that ``topology.js`` scales so they keep the
same size on screen at any zoom and screen width (readable labels on a phone as on a desk).
"""

from __future__ import annotations

from collections.abc import Iterator

from markupsafe import Markup, escape

from inventory.display import clean
from web.views import Topology, TopologyLink, TopologyNode

RADIUS = {"core": 9, "distribution": 7}


def _link(link: TopologyLink, ends: dict[str, TopologyNode]) -> str:
    a, b = ends.get(link.a_device), ends.get(link.b_device)
    if a is None or b is None:
        return ""
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
        f'data-a="{escape(link.a_device)}" data-b="{escape(link.b_device)}" x1="{a.x}" y1="{a.y}" '
        f'x2="{b.x}" y2="{b.y}" stroke-width="{width:.1f}"><title>{title}</title></line>'
    )


def _node(node: TopologyNode) -> str:
    name, state, role = escape(node.name), escape(node.state), escape(node.role)
    site, district = escape(node.site or ""), escape(node.district or "")
    return (
        f'<g class="node n-{state} r-{role}" data-name="{name}" data-state="{state}" data-role="{role}" '
        f'data-district="{district}" data-site="{site}" transform="translate({node.x},{node.y})">'
        f'<g class="mark"><circle r="{RADIUS.get(node.role, 5)}"></circle><text y="-9">{name}</text></g>'
        f"<title>{name} · {site} · {state}</title></g>"
    )


def _parts(topo: Topology) -> Iterator[str]:
    ends = {n.name: n for n in topo.nodes}
    yield '<g class="links">'
    yield from (_link(link, ends) for link in topo.links)
    yield '</g><g class="nodes">'
    yield from (_node(node) for node in topo.nodes)
    yield "</g>"


def render(topo: Topology) -> Markup:
    body = clean("".join(_parts(topo)))  # no bidi controls or terminal escapes in labels and titles
    return Markup(body)  # noqa: S704 - every interpolated text is escaped above
