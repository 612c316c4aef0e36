"""The monitor: evidence from the store -> the one assessment -> states, events, outages, site states.

``Monitor.evaluate`` runs in the caller's transaction after poll results were persisted
(``netops.apply``): it records what this cycle's probes said (``device_states``), builds the
evidence (``netops.monitor.evidence``; which devices are slow or unstable from their stored ICMP
bursts: ``netops.monitor.latency``), asks ``topology.assessment`` what is down and why, and
stores the answer: device, link and site states with an event for every change, and one outage
per root cause (``outages``). Readers (help desk, map, CLI, API, notifications) read what is
stored, so they cannot disagree. The numbered graph is kept between evaluations and rebuilt
only when the structure changes (sites, devices, links, interfaces, neighbors), so an
evaluation after a few changed readings costs milliseconds. Callers serialise evaluations.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, DeviceState, Event, LinkState, Site, SiteState
from netops.monitor import evidence as ev
from netops.monitor import timeline
from netops.monitor.events import attach_outage, record_event
from netops.monitor.latency import Impairment, LatencyJudge, Thresholds
from netops.monitor.maintenance import apply_windows, ends_of_windows
from netops.monitor.network_view import structure_marker
from netops.monitor.outages import FlapPolicy, OutageChanges, reconcile
from netops.settings import Settings
from topology.assessed import Assessment
from topology.assessment import Assessor
from topology.evidence import Evidence
from topology.graph import TopologyGraph, build_graph
from topology.link_rule import LinkThresholds
from topology.snapshot import load_snapshot
from topology.states import DeviceStatus, Element, LinkStatus
from topology.wording import LANGUAGES, element_text, site_text


@dataclass(frozen=True, slots=True)
class Probe:
    """What this cycle learned about one device."""

    device: str
    answered: bool
    icmp_ok: bool | None = None
    error: str | None = None
    source: str = "poll"


@dataclass
class Evaluation:
    events: list[int] = field(default_factory=list)
    outages: OutageChanges = field(default_factory=OutageChanges)
    device_states: dict[str, str] = field(default_factory=dict)
    link_states: dict[str, str] = field(default_factory=dict)
    site_states: dict[str, str] = field(default_factory=dict)
    impaired: dict[str, str] = field(default_factory=dict)  # device -> why it is slow or unstable
    assessment: Assessment | None = None


@dataclass
class _Structure:
    marker: tuple[Any, ...]
    graph: TopologyGraph
    assessor: Assessor


class Monitor:
    """Drives the one assessment; keeps the numbered graph while the structure stays the same."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = LinkThresholds(
            settings.monitor.error_rate_threshold, settings.monitor.optical_margin_db
        )
        self.policy = FlapPolicy(settings.monitor.flap_changes, settings.monitor.flap_window_s)
        self.latency = LatencyJudge(Thresholds.of(settings.monitor))
        self._structure: _Structure | None = None
        self.last: Assessment | None = None
        self.lock = threading.Lock()

    def structure(self, session: Session) -> _Structure:
        marker = structure_marker(session)
        if self._structure is None or self._structure.marker != marker:
            graph = build_graph(load_snapshot(session))
            self._structure = _Structure(marker, graph, Assessor(graph, self.settings.monitor.roots or None))
        return self._structure

    def peek(self, session: Session, now: datetime) -> Assessment:
        """The assessment of what is stored now, recording nothing (to plan a confirmation round)."""
        if self.last is not None:
            return self.last
        structure = self.structure(session)
        devices = ev.device_evidence(_device_rows(session, create=False))
        verdicts = {name: d.verdict for name, d in devices.items()}
        previous = ev.stored_links(session, structure.graph)
        readings = ev.port_readings(session, verdicts)
        links = ev.link_evidence(structure.graph, readings, previous, set(), self.limits, now)
        return structure.assessor.assess(Evidence(devices, links, ev.open_causes(session)))

    def evaluate(
        self, session: Session, probes: Mapping[str, Probe], now: datetime, *, quick: bool = False
    ) -> Evaluation:
        """Apply ``probes`` and bring states, events, outages and site states up to date (no commit).

        ``quick``: the caller knows no interface changed state; if no probe changes a device's
        verdict either, only the probes are recorded and the assessment is skipped.
        """
        rows = _device_rows(session)
        settling = ev.settling_devices(
            session, rows, [n for n, p in probes.items() if p.answered or p.icmp_ok], now,
            self.settings.polling.status_interval_s)
        before = {name: ev.stored_verdict(rows[name]) for name in probes if name in rows}
        for name, probe in probes.items():
            if name in rows:
                _apply_probe(rows[name], probe, now)
        if (
            quick
            and self.last is not None
            and all(ev.stored_verdict(rows[n]) == v for n, v in before.items())
            and not self.latency.changed(session, now, {n: rows[n].device_id for n in before})
        ):
            ended = ends_of_windows(session, now, self.settings.web.timezone)  # planned works over
            return Evaluation(outages=OutageChanges(unplanned=ended.unplanned))
        structure = self.structure(session)
        graph = structure.graph
        prior = ev.open_causes(session)
        impaired = self.latency.assess(session, now, {name: row.device_id for name, row in rows.items()},
                                       {c.id for c in prior if c.kind == "device"})
        devices = ev.device_evidence(rows, {name: i.reason() for name, i in impaired.items()})
        verdicts = {name: d.verdict for name, d in devices.items()}
        previous = ev.stored_links(session, graph)
        links = ev.link_evidence(
            graph, ev.port_readings(session, verdicts), previous, settling, self.limits, now
        )
        assessment = structure.assessor.assess(Evidence(devices, links, prior))
        self.last = assessment
        return self._record(session, graph, assessment, rows, previous, probes, now, impaired)

    def _record(
        self,
        session: Session,
        graph: TopologyGraph,
        a: Assessment,
        rows: Mapping[str, DeviceState],
        previous: Mapping[str, ev.StoredLink],
        probes: Mapping[str, Probe],
        now: datetime,
        impaired: Mapping[str, Impairment],
    ) -> Evaluation:
        result = Evaluation(assessment=a, impaired={name: i.reason() for name, i in impaired.items()})
        shadowed = _shadowed(a, rows, previous)
        _device_events(session, a, rows, probes, now, result)
        _link_events(session, a, previous, now, result)
        words = {
            (c.element.kind, c.element.id): {
                lang: _cause_words(graph, c.element, c.status, impaired, lang) for lang in LANGUAGES
            }
            for c in a.root_causes
        }
        changes = reconcile(session, a.root_causes, now, self.policy, words=words, shadowed=shadowed)
        timeline.record_changes(session, now, opened=changes.opened, moved=changes.moved,
                                flapping=changes.flapping, closed=changes.closed)
        windows = apply_windows(session, a.root_causes, changes.by_cause, changes.opened, changes.closed, now,
                                self.settings.web.timezone)
        changes.planned, changes.unplanned = windows.planned, windows.unplanned
        result.outages = changes
        _site_events(session, graph, a, result.outages.by_cause, now, result)
        _attach_events(session, result)
        return result


def _cause_words(graph: TopologyGraph, element: Element, status: str, impaired: Mapping[str, Impairment],
                 lang: str) -> str:
    """A root cause in plain words; an impaired device's with its figures (loss, round trip)."""
    text = element_text(graph, element, lang, status=status)
    why = impaired.get(element.id) if element.kind == "device" and status == "degraded" else None
    return f"{text}: {why.reason(lang)}" if why is not None else text


def _device_rows(session: Session, *, create: bool = True) -> dict[str, DeviceState]:
    """The state row of every enabled device (new rows ``unknown`` when ``create``)."""
    devices = dict(
        session.execute(select(Device.name, Device.id).where(Device.enabled.is_(True))).tuples().all()
    )
    rows = {row.device_id: row for row in session.scalars(select(DeviceState))}
    result = {}
    for name, device_id in devices.items():
        row = rows.get(device_id)
        if row is None:
            if not create:
                continue
            row = DeviceState(device_id=device_id, state=DeviceStatus.UNKNOWN.value, consecutive_failures=0)
            session.add(row)
        result[name] = row
    return result


def _apply_probe(row: DeviceState, probe: Probe, now: datetime) -> None:
    row.last_poll_at = now
    row.icmp_ok = probe.icmp_ok
    if probe.answered:
        row.last_ok_at = now
        row.consecutive_failures = 0
        row.last_error = None
    else:
        row.consecutive_failures = (row.consecutive_failures or 0) + 1
        row.last_error = (probe.error or "no answer")[:2000]


def _shadowed(
    a: Assessment, rows: Mapping[str, DeviceState], previous: Mapping[str, ev.StoredLink]
) -> frozenset[tuple[str, str]]:
    """Elements that were down and are now explained by a failure closer to the core."""
    causes = {(c.element.kind, c.element.id) for c in a.root_causes}
    out = {
        ("device", name)
        for name, row in rows.items()
        if row.state == DeviceStatus.DOWN.value and a.devices.get(name) == DeviceStatus.UNREACHABLE
    }
    reached = a.reachable_devices()
    for key, stored in previous.items():
        link = a.net.graph.links[key]
        if (
            stored.status == LinkStatus.DOWN
            and ("link", key) not in causes
            and (key in a.explained or not ({link.a.device, link.b.device} & reached))
        ):
            out.add(("link", key))
    return frozenset(out)


def _device_events(
    session: Session,
    a: Assessment,
    rows: Mapping[str, DeviceState],
    probes: Mapping[str, Probe],
    now: datetime,
    result: Evaluation,
) -> None:
    explained_by = {d: c.element.id for c in a.root_causes for d in c.devices if d != c.element.id}
    for name, row in rows.items():
        new = a.devices.get(name, DeviceStatus.UNKNOWN).value
        result.device_states[name] = new
        if row.state == new:
            continue
        evidence = _device_evidence(row, probes.get(name), explained_by.get(name))
        event = record_event(
            session,
            at=now,
            element_type="device",
            element=name,
            old_state=row.state,
            new_state=new,
            evidence=evidence,
        )
        result.events.append(event.id)
        row.state, row.since = new, now


def _device_evidence(row: DeviceState, probe: Probe | None, cause: str | None) -> str:
    parts = []
    if probe is not None:
        snmp = "SNMP answered" if probe.answered else f"SNMP silent ({probe.error})"
        parts.append(f"{probe.source}: {snmp}")
        if probe.icmp_ok is not None:
            parts.append("ICMP echo answered" if probe.icmp_ok else "ICMP echo unanswered")
    else:
        parts.append(f"last poll {row.last_poll_at.isoformat() if row.last_poll_at else 'never'}")
    if cause:
        parts.append(f"path from the core broken at {cause}")
    return "; ".join(parts)


def _link_events(
    session: Session, a: Assessment, previous: Mapping[str, ev.StoredLink], now: datetime, result: Evaluation
) -> None:
    rows = {row.link_id: row for row in session.scalars(select(LinkState))}
    for key, status in a.links.items():
        stored = previous.get(key)
        if stored is None or not stored.rows:
            continue
        evidence = a.evidence.link(key)
        result.link_states[key] = status.value
        for link_id in stored.rows:
            row = rows.get(link_id)
            if row is None:
                row = LinkState(link_id=link_id, state=LinkStatus.UNKNOWN.value)
                session.add(row)
            if row.state != status.value:
                row.state, row.since, row.reason = status.value, evidence.since or now, evidence.evidence
        last = stored.status if stored.status != LinkStatus.UNKNOWN else _last_known(session, key)
        if status != LinkStatus.UNKNOWN and status != last:
            event = record_event(
                session,
                at=now,
                element_type="link",
                element=key,
                old_state=last.value,
                new_state=status.value,
                evidence=evidence.evidence,
            )
            result.events.append(event.id)


def _last_known(session: Session, key: str) -> LinkStatus:
    """A link's last known state before it became unknown (from its events), or unknown."""
    query = (
        select(Event.new_state)
        .where(Event.element_type == "link", Event.element == key[:300])
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    )
    state = session.scalar(query)
    return LinkStatus(state) if state in {s.value for s in LinkStatus} else LinkStatus.UNKNOWN


def _site_events(
    session: Session,
    graph: TopologyGraph,
    a: Assessment,
    outages: Mapping[tuple[str, str], int],
    now: datetime,
    result: Evaluation,
) -> None:
    ids = dict(session.execute(select(Site.name, Site.id)).tuples().all())
    rows = {row.site_id: row for row in session.scalars(select(SiteState))}
    for name, site in a.sites.items():
        if name not in ids:
            continue
        row = rows.get(ids[name])
        if row is None:
            row = SiteState(site_id=ids[name], state="unknown", reason="", causes=[])
            session.add(row)
        causes = [c.as_json() for c in site.causes]
        outage = next((outages[(c.kind, c.id)] for c in site.causes if (c.kind, c.id) in outages), None)
        result.site_states[name] = site.state.value
        if row.state != site.state.value:
            event = record_event(
                session,
                at=now,
                element_type="site",
                element=name,
                old_state=row.state,
                new_state=site.state.value,
                evidence=site_text(graph, site) or site.state.value,
                outage_id=outage,
            )
            result.events.append(event.id)
            row.state, row.since = site.state.value, now
        if (row.reason, row.causes, row.outage_id) != (site.reason, causes, outage):
            row.reason, row.causes, row.outage_id = site.reason, causes, outage


def _attach_events(session: Session, result: Evaluation) -> None:
    if not result.events or not result.outages.by_cause:
        return
    open_ids = result.outages.by_cause
    for event in session.scalars(select(Event).where(Event.id.in_(result.events), Event.outage_id.is_(None))):
        outage_id = open_ids.get((event.element_type, event.element))
        if outage_id is not None:
            attach_outage(session, [event.id], outage_id)
