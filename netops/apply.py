"""The one path from poll results to what netops knows: persist -> link sync -> assess -> record.

Whoever polled — the scheduler's cycle, ``netops poll``, ``netops jobs run``, ``netops discover``,
a trap's confirming poll — hands its results here, in one transaction: each result is persisted
with its own time (``netops.store.persist``, which returns the typed change set), neighbors
become discovered links (``netops.store.link_sync``), and the monitor assesses the network and
records states, events, outages and site states (``netops.monitor.monitor``). So a fault seen by
``netops poll`` opens its outage at once, not at the scheduler's next cycle. The change sets
tell the monitor when nothing that matters changed (no interface changed state, no link
appeared), so a quiet batch only records its probes. A status poll's ICMP bursts (round trip
and loss per device) are stored here too (``netops.store.latency``), before the assessment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from collectors.observations import PollKind, PollResult
from netops.monitor.monitor import Evaluation, Monitor, Probe
from netops.polling.icmp import IcmpStats
from netops.store.latency import record_latency
from netops.store.link_sync import LinkSyncReport, sync_discovered_links
from netops.store.persist import Changes, persist

STATUS_JOB = "status"  # reachability (device verdicts) comes from status polls only


@dataclass(frozen=True, slots=True)
class Applied:
    changes: tuple[Changes, ...]
    links: LinkSyncReport | None
    evaluation: Evaluation


def probes_of(
    results: Sequence[PollResult], icmp: Mapping[str, bool | None], source: str
) -> dict[str, Probe]:
    """What a status poll says about each device's reachability (ICMP by device name)."""
    return {
        r.device_key: Probe(r.device_key, r.answered, icmp.get(r.device_key), _error_text(r), source=source)
        for r in results
    }


def apply_results(
    session: Session,
    monitor: Monitor,
    results: Sequence[PollResult],
    *,
    job: str,
    now: datetime,
    probes: Mapping[str, Probe] | None = None,
    job_run_id: int | None = None,
    latency: Mapping[str, IcmpStats] | None = None,
) -> Applied:
    """Persist ``results``, sync links, assess and record; the caller commits (one transaction).

    ``latency``: the status poll's ICMP burst per device name, stored before the assessment so
    its loss and round trips count in this evaluation."""
    max_misses = monitor.settings.monitor.neighbor_max_misses
    changes = tuple(
        persist(session, r, job=job, job_run_id=job_run_id, now=r.finished_at, max_misses=max_misses)
        for r in results
    )
    session.flush()
    links = None
    if any(PollKind.NEIGHBORS in r.completed for r in results):
        links = sync_discovered_links(session, now)
    if latency:
        record_latency(session, latency)
        session.flush()
    quiet = bool(results) and all(_quiet(c) for c in changes) and not (links and links.created)
    evaluation = monitor.evaluate(session, probes or {}, now, quick=quiet)
    return Applied(changes, links, evaluation)


def _quiet(changes: Changes) -> bool:
    """No interface appeared or changed state: only probes can have changed anything."""
    return not changes.interface_changes and not changes.new_interfaces and not changes.adopted_interfaces


def _error_text(result: PollResult) -> str | None:
    if not result.errors:
        return None
    first = result.errors[0]
    return f"{first.kind}: {first.message}"
