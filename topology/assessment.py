"""The one assessment of "what is down, since when, and why", on integer arrays, incrementally.

``Assessor(graph)`` numbers a topology graph once; ``assess(evidence)`` turns device verdicts
and link statuses into an ``Assessment``: every device's and link's status, the root causes
(each failed element with the devices and sites it cuts off and the sites it degrades), every
site's connectivity with the root causes it points at, and, on demand, paths, disjoint paths,
single points of failure and what-if (computed on copies, never by flipping flags in place).
The monitor stores what it says; the help desk, the map, the CLI, the API and notifications
read that, so they cannot disagree.

Rules (NAV's "first failed element on the path"): reachability runs from the roots over devices
that are not silent and links that are not down (the reached set R). A silent device next to R
is ``down`` and a root cause; a down link between it and R is explained by it (a dead switch
takes its neighbours' ports down). A down link with an end in R that no dead device explains is
a root cause. Every other silent or cut-off device is ``unreachable``. A root cause affects the
devices that repairing it alone brings back into R; the rest of the shadow goes to the nearest
root cause. Hysteresis: a link that is the root cause of an open outage stays the cause when the
device behind it goes silent later. Stale silence: a device that went silent before the path
to it came back (its neighbour recovered, the fiber was repaired) is not blamed; it is
``unknown`` until it is probed again. Each change invalidates only the passes it can affect
(``passes``), which keeps a re-assessment in milliseconds on thousands of devices.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from topology import traversal
from topology.assessed import Assessment
from topology.evidence import Evidence
from topology.graph import TopologyGraph
from topology.numbering import Numbering, number
from topology.passes import PassTracker
from topology.root_causes import Border, find_root_causes
from topology.site_states import connected_answers, site_states
from topology.states import DeviceStatus, LinkStatus, Verdict

NEVER = datetime.min.replace(tzinfo=UTC)


class Assessor:
    """Numbers a topology graph once; ``assess()`` after any change of evidence (milliseconds)."""

    def __init__(self, graph: TopologyGraph, roots: Sequence[str] | None = None) -> None:
        self.net: Numbering = number(graph, roots)
        net = self.net
        self.usable = bytearray([1]) * len(net.keys)
        self.failed = bytearray(net.n)
        self.tracker = PassTracker(net)
        self._connected = connected_answers(net)
        self.lock = threading.RLock()

    @property
    def graph(self) -> TopologyGraph:
        return self.net.graph

    def assess(self, evidence: Evidence) -> Assessment:
        with self.lock, traversal.paused_gc():
            return self._assess(evidence)

    def _assess(self, evidence: Evidence) -> Assessment:
        net = self.net
        verdicts = [evidence.device(name).verdict for name in net.names]
        link_status = [evidence.link(key).status for key in net.keys]
        silent = bytearray(v == Verdict.SILENT for v in verdicts)
        usable = bytearray(s != LinkStatus.DOWN for s in link_status)
        self._set_flags(usable, silent)
        reach, dfs = self.tracker.run(net.core(self.usable, self.failed))
        back: dict[int, datetime] = {}  # a stale device's way is as new as what made it stale
        stale = self._stale(evidence, reach.reached, back)
        while stale:  # stale silence is no evidence: let the path through and look again
            for v in stale:
                silent[v] = 0
            self._set_flags(usable, silent)
            reach, dfs = self.tracker.run(net.core(self.usable, self.failed))
            stale = self._stale(evidence, reach.reached, back)
        prior_links = {net.eidx[c.id] for c in evidence.prior if c.kind == "link" and c.id in net.eidx}
        border = Border(net, reach.reached, bytes(self.usable), bytes(self.failed), prior_links)
        causes = find_root_causes(border, evidence, link_status)
        devices = self._device_statuses(verdicts, reach.reached, border.down)
        return Assessment.build(
            net,
            evidence,
            verdicts,
            reach,
            dfs,
            bytes(self.usable),
            bytes(self.failed),
            link_status,
            devices,
            causes,
            functools.partial(site_states, connected=self._connected),
            border.explained,
        )

    def _set_flags(self, usable: bytearray, failed: bytearray) -> None:
        tracker = self.tracker
        for e in range(len(usable)):
            if usable[e] != self.usable[e]:
                tracker.link_changed(e, bool(usable[e]))
                self.usable[e] = usable[e]
        for v in range(len(failed)):
            if failed[v] != self.failed[v]:
                tracker.device_changed(v)
                self.failed[v] = failed[v]

    def _stale(self, evidence: Evidence, reached: bytearray, back: dict[int, datetime]) -> list[int]:
        """Silent devices whose every working way into R came back after they were last probed."""
        net, out = self.net, []
        for v in range(net.n):
            if not self.failed[v]:
                continue
            probed = evidence.device(net.names[v]).probed_at
            if probed is None:
                continue
            ways = [
                _newest(evidence, net, u, e, back) for u, e in net.adj[v] if reached[u] and self.usable[e]
            ]
            if ways and all(way > probed for way in ways):
                back[v] = min(ways)
                out.append(v)
        return out

    def _device_statuses(
        self, verdicts: list[Verdict], reached: bytearray, down: frozenset[int]
    ) -> dict[str, DeviceStatus]:
        net, out = self.net, {}
        for v, name in enumerate(net.names):
            if v in down:
                out[name] = DeviceStatus.DOWN
            elif net.design_reached[v] and not reached[v]:
                out[name] = DeviceStatus.UNREACHABLE
            elif verdicts[v] == Verdict.AGENT_DOWN:
                out[name] = DeviceStatus.AGENT_DOWN
            elif verdicts[v] == Verdict.ANSWERED:
                out[name] = DeviceStatus.UP
            else:
                out[name] = DeviceStatus.UNKNOWN
        return out


def _newest(evidence: Evidence, net: Numbering, u: int, e: int, stale: dict[int, datetime]) -> datetime:
    """When the way over neighbour ``u`` and link ``e`` last came back (NEVER: long ago)."""
    back = stale.get(u) or evidence.device(net.names[u]).back_at or NEVER
    since = evidence.link(net.keys[e]).since or NEVER
    return max(back, since)
