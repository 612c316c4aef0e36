"""The confirmation round of a status batch: which devices to poll again before recording it.

Evidence must settle before the monitor sees it, or one fault is recorded as several. A device
silent on its first try is polled again with the devices between it and the core (from the
last assessment): a dead distribution switch is then seen in the same round as the schools
behind it, and the switch, not each school, is the root cause. A device answering again after
it failed (or the near end of a repaired fiber reporting its port up) is confirmed together
with the devices that failure cut off, so their silence from while they were cut off is
replaced by a fresh answer in the same transaction and a recovery never blames them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from collectors.observations import PollResult
from topology.assessed import Assessment

MAX_CONFIRM = 64  # devices per round: a network-wide silence is confirmed by the next cycle instead


def confirmation(
    assessment: Assessment | None, silent: Iterable[str], answered: Sequence[PollResult]
) -> set[str]:
    """Devices to poll in the confirmation round (the silent ones first), at most ``MAX_CONFIRM``."""
    silent = list(silent)
    wanted: list[str] = list(silent)
    if assessment is not None:
        for name in silent:
            wanted += assessment.device_path(name)[1:]
        wanted += _behind_recoveries(assessment, answered)
    out: dict[str, None] = {}
    for name in wanted:
        out.setdefault(name)
    return set(list(out)[:MAX_CONFIRM])


def _behind_recoveries(assessment: Assessment, answered: Sequence[PollResult]) -> list[str]:
    names = {r.device_key: r for r in answered}
    out: list[str] = []
    for cause in assessment.root_causes:
        element = cause.element
        if element.kind == "device" and element.id in names:
            out += cause.devices
        elif element.kind == "link" and cause.devices:
            link = assessment.net.graph.links.get(element.id)
            if link is None:
                continue
            for end in (link.a, link.b):
                result = names.get(end.device)
                if result is not None and any(
                    i.name == end.port and i.oper_status == "up" for i in result.interfaces
                ):
                    out += cause.devices
    return [name for name in out if name not in names]
