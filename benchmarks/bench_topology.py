"""Speed of the one assessment on a generated 5,000-device, 6,000-link city network.

Prints: graph build time; a full assessment (every device, link and site state, root causes
with what they cut off and degrade, single points of failure with dependents) with a few
failures present, target < 1 s; and the re-assessment after one link changes state (median /
95th percentile over random links, down then up again), target < 50 ms. Wall-clock and CPU
time are both printed, with the load average, because a busy machine inflates wall-clock figures.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.synthetic import generated
from topology.assessment import Assessor
from topology.evidence import DeviceEvidence, Evidence, LinkEvidence
from topology.graph import build_graph
from topology.states import LinkStatus, Verdict

DEVICES, LINKS, SEED = 5000, 6000, 7


def main() -> None:
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    snapshot = generated(DEVICES, LINKS, seed=SEED)
    t1 = time.perf_counter()
    graph = build_graph(snapshot)
    t2 = time.perf_counter()
    print(
        f"network: {len(graph.nodes)} devices, {len(graph.links)} links, {len(graph.sites)} sites "
        f"(generated in {t1 - t0:.2f} s, graph built in {t2 - t1:.2f} s)"
    )

    keys = sorted(graph.links)
    devices = {name: DeviceEvidence(Verdict.ANSWERED) for name in graph.nodes}
    links = {key: LinkEvidence(LinkStatus.UP) for key in keys}
    for key in rng.sample(keys, 20):
        links[key] = LinkEvidence(LinkStatus.DOWN)
    for name in rng.sample(sorted(n for n in graph.nodes if n.startswith("acc-")), 5):
        devices[name] = DeviceEvidence(Verdict.SILENT)
    c3 = time.process_time()
    t3 = time.perf_counter()
    assessor = Assessor(graph)
    assessment = assessor.assess(Evidence(devices, links))
    spofs = assessment.spofs()
    t4 = time.perf_counter()
    c4 = time.process_time()
    counts: dict[str, int] = {}
    for st in assessment.sites.values():
        counts[st.state.value] = counts.get(st.state.value, 0) + 1
    print(
        f"full assessment: {(t4 - t3) * 1000:.0f} ms wall, {(c4 - c3) * 1000:.0f} ms CPU (target < 1000 ms): "
        f"sites {counts}, {len(assessment.root_causes)} root causes, {len(spofs)} single points of failure"
    )

    d0 = time.perf_counter()
    paths = [assessment.disjoint_paths(s) for s in assessment.sites]
    print(
        f"edge-disjoint paths of every site: {(time.perf_counter() - d0) * 1000:.0f} ms "
        f"({sum(1 for p in paths if p >= 2)} sites with two or more)"
    )

    timings, cpu = [], []
    for key in rng.sample(keys, 40):
        for status in (LinkStatus.DOWN, LinkStatus.UP):
            links[key] = LinkEvidence(status)
            evidence = Evidence(devices, dict(links))
            s0, p0 = time.perf_counter(), time.process_time()
            assessor.assess(evidence)
            timings.append(time.perf_counter() - s0)
            cpu.append(time.process_time() - p0)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"re-assessment after one link changes state: median {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms wall; median "
        f"{statistics.median(cpu) * 1000:.1f} ms CPU; over {len(timings)} changes (target < 50 ms)"
    )
    print(f"(load average while measuring: {', '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
