"""Evidence for the one assessment, read from the store: device verdicts and link statuses.

A device's verdict comes from its stored probe results (``device_states``: last poll, failures,
ICMP). A link's status comes from the one link rule (``topology.link_rule``) applied to the
stored ports at its two ends, with two pieces of hysteresis: while the rule says ``unknown``
(ends disagree, nothing fresh) an up or degraded link keeps its state, while a down link becomes
``unknown`` (down needs a fresh reading that says so), and a down reading on a link
touching a device that just came back is not trusted for one status interval plus a few
seconds (a rebooted switch answers before its neighbours' agents refresh their cached ifTable,
~3 s in net-snmp). The open outages' root causes are handed on for the assessment's own
hysteresis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from inventory.models import Device, DeviceState, Event, Interface, Link, LinkState, Outage
from topology.evidence import DeviceEvidence, Evidence, LinkEvidence
from topology.graph import TopologyGraph
from topology.link_rule import LinkThresholds, LinkVerdict, PortReading, link_verdict
from topology.names import port_key
from topology.states import DeviceStatus, Element, LinkStatus, Verdict

SETTLE_EXTRA_S = 5
BACK_STATES = frozenset({DeviceStatus.UP.value, DeviceStatus.AGENT_DOWN.value})


def stored_verdict(row: DeviceState | None) -> Verdict:
    """SNMP answered -> answered; SNMP silent but ping answered -> agent_down; both silent -> silent."""
    if row is None or row.last_poll_at is None:
        return Verdict.UNKNOWN
    if not row.consecutive_failures:
        return Verdict.ANSWERED
    return Verdict.AGENT_DOWN if row.icmp_ok else Verdict.SILENT


def device_evidence(rows: Mapping[str, DeviceState],
                    impaired: Mapping[str, str] | None = None) -> dict[str, DeviceEvidence]:
    """Each device's verdict from its stored probes; ``impaired``: why a device is slow or
    unstable (``netops.monitor.latency`` judged its stored ICMP bursts), by name."""
    impaired = impaired or {}
    out = {}
    for name, row in rows.items():
        verdict = stored_verdict(row)
        back = None
        if verdict in (Verdict.ANSWERED, Verdict.AGENT_DOWN):
            back = row.since if row.state in BACK_STATES else row.last_poll_at
        out[name] = DeviceEvidence(verdict, row.last_poll_at, back, impaired.get(name, ""))
    return out


@dataclass(frozen=True, slots=True)
class StoredLink:
    """A graph link's previous state (from its first stored row) and the rows it stands for."""

    status: LinkStatus
    since: datetime | None
    rows: tuple[int, ...]


def stored_links(session: Session, graph: TopologyGraph) -> dict[str, StoredLink]:
    rows = {r.link_id: r for r in session.scalars(select(LinkState))}
    out = {}
    for key, link in graph.links.items():
        first = next((rows[i] for i in link.link_ids if i in rows), None)
        status = (
            LinkStatus(first.state)
            if first is not None and first.state in _LINK_VALUES
            else LinkStatus.UNKNOWN
        )
        out[key] = StoredLink(status, first.since if first else None, link.link_ids)
    return out


_LINK_VALUES = frozenset(s.value for s in LinkStatus)


def port_readings(session: Session, verdicts: Mapping[str, Verdict]) -> dict[tuple[str, str], PortReading]:
    """The stored state of every port that is an end of a stored link, by (device, port key)."""
    ends = union(select(Link.a_interface_id), select(Link.b_interface_id)).subquery()
    query = (
        select(
            Device.name,
            Interface.name,
            Interface.oper_status,
            Interface.admin_status,
            Interface.in_errors_per_s,
            Interface.out_errors_per_s,
            Interface.rx_dbm,
            Interface.rx_low_alarm_dbm,
            Interface.status_polled_at,
        )
        .join(Device, Interface.device_id == Device.id)
        .where(Interface.id.in_(select(ends.c[0])))
    )
    out = {}
    for device, name, oper, admin, in_err, out_err, rx, alarm, polled in session.execute(query):
        errors = None if in_err is None and out_err is None else (in_err or 0.0) + (out_err or 0.0)
        out[(device, port_key(name))] = PortReading(
            device, name, verdicts.get(device) == Verdict.ANSWERED, oper, admin, errors, rx, alarm, polled
        )
    return out


def settling_devices(session: Session, rows: Mapping[str, DeviceState], coming_back: Iterable[str],
                     now: datetime, status_interval_s: float) -> set[str]:
    """Devices coming back after silence (answering SNMP or ping again), and those that came back
    within one status interval + a few seconds: their ports and their neighbours' still settle."""
    result = {name for name in coming_back if name in rows and (rows[name].consecutive_failures or 0) > 0}
    since = now - timedelta(seconds=status_interval_s + SETTLE_EXTRA_S)
    query = select(Event.element).where(Event.element_type == "device",
                                        Event.old_state == DeviceStatus.DOWN.value, Event.at >= since)
    result.update(session.scalars(query))
    return result


def link_evidence(
    graph: TopologyGraph,
    readings: Mapping[tuple[str, str], PortReading],
    previous: Mapping[str, StoredLink],
    settling: set[str],
    limits: LinkThresholds,
    now: datetime,
) -> dict[str, LinkEvidence]:
    out = {}
    for key, link in graph.links.items():
        a = readings.get((link.a.device, port_key(link.a.port))) or PortReading(
            link.a.device, link.a.port, False
        )
        b = readings.get((link.b.device, port_key(link.b.port))) or PortReading(
            link.b.device, link.b.port, False
        )
        verdict = link_verdict(a, b, limits)
        if verdict.status == LinkStatus.DOWN and settling & {link.a.device, link.b.device}:
            verdict = LinkVerdict(LinkStatus.UNKNOWN, f"settling after recovery ({verdict.evidence})")
        before = previous.get(key, StoredLink(LinkStatus.UNKNOWN, None, ()))
        status = verdict.status
        if status == LinkStatus.UNKNOWN and before.status != LinkStatus.DOWN:
            status = before.status  # nothing new: an up or degraded link stays as it was
        since = before.since if status == before.status else now
        out[key] = LinkEvidence(status, since, verdict.evidence)
    return out


def open_causes(session: Session) -> frozenset[Element]:
    rows = session.execute(select(Outage.root_cause_type, Outage.root_cause).where(Outage.ended_at.is_(None)))
    return frozenset(Element(kind, name) for kind, name in rows)


def build_evidence(
    devices: Mapping[str, DeviceEvidence], links: Mapping[str, LinkEvidence], prior: frozenset[Element]
) -> Evidence:
    return Evidence(devices=devices, links=links, prior=prior)
