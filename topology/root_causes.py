"""Root causes: which failed element explains which cut-off devices (NAV's first failed element).

On the border of the reached set R: a silent device next to R (over a link that is not the
cause of an open outage) is ``down`` and a root cause, and the down links next to it are
explained by it (a dead switch takes its neighbours' ports down), except when the only evidence
is one link reading down (the link is then the cause: a cut fiber and a switch without power
look the same from one side, and the evidence is about the fiber); a down link with an end in R
that no dead device explains is a root cause; a silent device that no root can reach at all
stands alone and is its own cause. A cause affects
the devices that repairing it alone brings back into R (a breadth-first search from its far
side, outside R, so the cost is the size of its shadow, not of the network); devices of the
shadow that no single repair restores go to the nearest cause. All sets are of device numbers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from topology.evidence import Evidence
from topology.numbering import Numbering
from topology.states import Element, LinkStatus


@dataclass
class Border:
    """R and the flags it was computed with; ``down`` devices are found on construction."""

    net: Numbering
    reached: bytearray
    usable: bytes
    failed: bytes
    prior_links: set[int]
    down: frozenset[int] = field(init=False)
    explained: frozenset[int] = field(init=False)
    down_links: frozenset[int] = field(init=False)

    def _is_down(self, v: int) -> bool:
        """Whether silent device ``v`` is a root cause itself (see the module's rules).

        Next to what works it is, unless the only evidence is one link reading down: a neighbour
        that still sees its port up, or two neighbours that lost carrier to it, say the device
        died; a single fiber down towards it looks the same whether the fiber was cut or the
        device lost power, and the evidence is about the fiber, so the fiber is the cause."""
        net, reached = self.net, self.reached
        if not net.design_reached[v] or v in net.roots:
            return True
        ways = [e for u, e in net.adj[v] if reached[u] and e not in self.prior_links]
        if not ways:
            return False
        if any(self.usable[e] for e in ways):
            return True
        return sum(1 for _, e in net.adj[v] if not self.usable[e]) >= 2

    def __post_init__(self) -> None:
        net = self.net
        self.down_links = frozenset(e for e in range(len(net.ends)) if not self.usable[e])
        down = set()
        for v in range(net.n):
            if self.failed[v] and self._is_down(v):
                down.add(v)
        self.down = frozenset(down)
        self.explained = frozenset(
            e for v in down for _, e in net.adj[v] if not self.usable[e] and e not in self.prior_links
        )


@dataclass(frozen=True, slots=True)
class CauseDraft:
    element: Element
    devices: frozenset[int]
    evidence: str = ""


def find_root_causes(
    border: Border, evidence: Evidence, link_status: Sequence[LinkStatus]
) -> list[CauseDraft]:
    """Every failed element that cuts something off (or would: a ring cut affects nothing yet)."""
    net, reached = border.net, border.reached
    affected: dict[Element, set[int]] = {}
    for v in sorted(border.down):
        element = Element("device", net.names[v])
        if not net.design_reached[v]:
            affected[element] = {v}
            continue
        affected[element] = _behind(border, [v], blocked_links=_blocked_for(border, v)) | {v}
    for e in sorted(border.down_links - border.explained):
        a, b = net.ends[e]
        if not (reached[a] or reached[b]):
            continue
        far = [x for x in (a, b) if not reached[x] and x not in border.down]
        affected[Element("link", net.keys[e])] = _behind(
            border, far, blocked_links=border.down_links - {e}, passable_silent=True
        )
    _assign_leftovers(border, affected)
    return [
        CauseDraft(element, frozenset(devs), _evidence(element, evidence, net))
        for element, devs in sorted(affected.items())
    ]


def _blocked_for(border: Border, v: int) -> set[int]:
    """Links still blocked when device ``v`` alone is repaired: down links not explained by it."""
    own = {e for _, e in border.net.adj[v]} & border.explained
    return set(border.down_links - own)


def _behind(
    border: Border,
    start: Iterable[int],
    *,
    blocked_links: set[int] | frozenset[int],
    passable_silent: bool = False,
) -> set[int]:
    """Devices outside R reachable from ``start`` (the shadow one repair brings back)."""
    net, reached, failed = border.net, border.reached, border.failed
    seen = {s for s in start if not reached[s]}
    queue = deque(seen)
    while queue:
        u = queue.popleft()
        for w, e in net.adj[u]:
            if w in seen or reached[w] or e in blocked_links:
                continue
            if w in border.down or (failed[w] and not passable_silent):
                continue
            seen.add(w)
            queue.append(w)
    return seen


def _assign_leftovers(border: Border, affected: dict[Element, set[int]]) -> None:
    """Shadow devices no single repair restores go to the nearest cause (BFS from each cause)."""
    net = border.net
    shadow = {v for v in range(net.n) if net.design_reached[v] and not border.reached[v]}
    covered = set().union(*affected.values()) if affected else set()
    if not affected or not shadow - covered:
        return
    owner: dict[int, Element] = {}
    queue: deque[int] = deque()
    for element, devices in sorted(affected.items()):
        for v in sorted(devices):
            if v not in owner:
                owner[v] = element
                queue.append(v)
    while queue:
        u = queue.popleft()
        for w, _ in net.adj[u]:
            if w not in owner and w in shadow:
                owner[w] = owner[u]
                affected[owner[u]].add(w)
                queue.append(w)


def _evidence(element: Element, evidence: Evidence, net: Numbering) -> str:
    if element.kind == "link":
        return evidence.link(element.id).evidence
    device = evidence.device(element.id)
    return "no answer to SNMP or ICMP echo" + (
        f" since {device.probed_at:%H:%M:%S}" if device.probed_at else ""
    )
