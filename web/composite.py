"""Reads that combine sources for one page or endpoint: site statuses, availability, the map.

Connectivity is what the monitor stored from the one assessment, read through
``netops.monitor.network_view`` (the same answer as ``netops status``: state, since when, the
root cause in plain words, the outage); map colours are the stored device and link states; map
positions come from ``topology.layout`` (stable, persisted). Site details and history come from
``web.readers`` / ``web.history``. Nothing here derives a state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app
from flask_babel import get_locale
from sqlalchemy.orm import Session

from netops.monitor.network_view import NetworkView, NetworkViews, StoredSite
from topology.audit import AuditFinding, audit
from topology.layout import compute_positions, load_positions, save_new_positions
from topology.wording import site_why, verdict, word
from web import history, operations, readers
from web.layout import radial_layout
from web.views import SiteStatus, SiteView, Topology, TopologyLink, TopologyNode

T = TypeVar("T")
STATE_WORDS = {"connected": "online", "degraded": "degraded", "disconnected": "offline", "unknown": "unknown"}
CANVAS, MARGIN = 1000.0, 40.0


def _view() -> NetworkView:
    service: NetworkViews = current_app.extensions["netops.topology"]
    return service.current()


def language() -> str:
    """The reader's language (en, id)."""
    return _language()


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def _status(site: SiteView, view: NetworkView, stored: StoredSite | None, lang: str,
            handling: Mapping[int, str] | None = None) -> SiteStatus:
    if stored is None:  # not in the monitor's answer yet: netops cannot see it
        return SiteStatus(
            site=site,
            state="unknown",
            since=None,
            cause=None,
            reason="no_data",
            verdict=verdict("unknown", lang),
            why=word("why_no_data", lang),
        )
    row = view.status_row(stored, lang, disjoint=False)
    devices = view.graph.site_devices.get(stored.site, ())
    return SiteStatus(
        site=site,
        state=STATE_WORDS.get(stored.state.value, "unknown"),
        since=stored.since,
        cause=row["cause"],
        path=tuple(row["path"]),
        causes=tuple(c.id for c in stored.causes),
        reason=stored.reason,
        root_cause=row["root_cause"],
        outage_id=stored.outage_id,
        verdict=verdict(stored.state.value, lang),
        why=site_why(view.graph, stored.as_assessment(devices), lang),
        handling=(handling or {}).get(stored.outage_id) if stored.outage_id is not None else None,
    )


def site_statuses(session: Session) -> list[SiteStatus]:
    """Every site's answer. The answers without "being handled by" are computed once per
    network view and language (thousands of sites: the view is the cache); the handling words
    (acknowledgements, notes, planned works change without a new view) are read every time."""
    view, lang = _view(), _language()
    statuses = _base_statuses(session, view, lang)
    handling = _handling(session, view, lang)
    if not handling:
        return list(statuses)
    return [replace(s, handling=handling.get(s.outage_id)) if s.outage_id is not None else s
            for s in statuses]


def _base_statuses(session: Session, view: NetworkView, lang: str) -> tuple[SiteStatus, ...]:
    sites: Mapping[str, StoredSite] = view.sites
    return view.memo(("site_statuses", lang), lambda: tuple(
        _status(s, view, sites.get(s.name), lang) for s in all_sites(session)))


def all_sites(session: Session) -> tuple[SiteView, ...]:
    """``readers.list_sites``, read once per view: every column it shows (name, kind, district,
    address, contact, device names) is in the view's structure marker."""
    return _view().memo("sites", lambda: tuple(readers.list_sites(session)))


def _handling(session: Session, view: NetworkView, lang: str) -> dict[int, str]:
    return operations.handling_words(session, {s.outage_id for s in view.sites.values()}, lang)


def site_statuses_json(session: Session, to_json: Callable[[Any], Any]) -> list[dict[str, Any]]:
    """``site_statuses`` as JSON objects (``to_json`` of each), converted once per view and
    language; the handling words are set on the copies of the rows they concern."""
    view, lang = _view(), _language()
    rows: tuple[dict[str, Any], ...] = view.memo(
        ("site_statuses_json", lang), lambda: tuple(to_json(s) for s in _base_statuses(session, view, lang)))
    handling = _handling(session, view, lang)
    return [row | {"handling": handling[row["outage_id"]]} if row["outage_id"] in handling else row
            for row in rows]


def memo(key: Any, compute: Callable[[], T]) -> T:
    """``compute()`` once per network view (see ``NetworkView.memo``)."""
    return _view().memo(key, compute)


def one_site_status(site: SiteView, session: Session | None = None) -> SiteStatus:
    view, lang = _view(), _language()
    stored = view.sites.get(site.name)
    handling = operations.handling_words(session, [stored.outage_id], lang) if session and stored else {}
    return _status(site, view, stored, lang, handling)


@dataclass(frozen=True, slots=True)
class SiteAvailability:
    days_7: float
    days_30: float


def site_availability(session: Session, site: str, now: datetime | None = None) -> SiteAvailability:
    percent = history.site_availability(session, site, now)
    return SiteAvailability(days_7=percent["7d"], days_30=percent["30d"])


def _fit(positions: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Scale stored positions into the SVG canvas (north up: y grows downwards on screen)."""
    if not positions:
        return {}
    xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
    x0, y0 = min(xs), min(ys)
    span = max(max(xs) - x0, max(ys) - y0) or 1.0
    scale = (CANVAS - 2 * MARGIN) / span
    return {
        name: (round(MARGIN + (x - x0) * scale, 1), round(CANVAS - MARGIN - (y - y0) * scale, 1))
        for name, (x, y) in positions.items()
    }


def _stable_positions(session: Session, view: NetworkView) -> dict[str, tuple[float, float]]:
    """Stored positions, completed by ``topology.layout`` (first ever: our radial layout), kept."""
    graph = view.graph
    stored = load_positions(session)
    if all(name in stored for name in graph.nodes):
        return stored
    radial = radial_layout(
        {n: i.role for n, i in graph.nodes.items()},
        [(lk.a.device, lk.b.device) for lk in graph.links.values()],
    )
    try:
        positions = compute_positions(graph, stored or radial)
    except ImportError:  # its spring layout (islands with no placed neighbour) needs numpy
        positions = {**radial, **stored}
    if save_new_positions(session, positions):
        session.commit()  # kept, so the map never jumps
    return positions


def topology(session: Session) -> Topology:
    """The map's nodes and links, built once per network view (positions are stored once and
    never moved, states are the view's)."""
    view = _view()
    return view.memo("topology", lambda: _topology(session, view))


def _topology(session: Session, view: NetworkView) -> Topology:
    graph = view.graph
    positions = _fit(_stable_positions(session, view))
    districts = {name: site.district for name, site in graph.sites.items()}
    nodes = tuple(
        TopologyNode(
            name=name,
            role=info.role,
            site=info.site,
            district=districts.get(info.site or ""),
            state=info.state,
            x=positions.get(name, (CANVAS / 2, CANVAS / 2))[0],
            y=positions.get(name, (CANVAS / 2, CANVAS / 2))[1],
            sys_name=info.label or None,
        )
        for name, info in sorted(graph.nodes.items())
    )
    links = tuple(
        TopologyLink(
            key=link.key,
            a_device=link.a.device,
            a_port=link.a.port,
            b_device=link.b.device,
            b_port=link.b.port,
            state=link.status,
            reason=link.reason,
            medium=link.medium,
            declared=link.declared,
            utilization_pct=link.utilization_pct,
            speed_bps=link.speed_bps,
        )
        for link in graph.links.values()
    )
    return Topology(
        nodes=nodes,
        links=links,
        width=CANVAS,
        height=CANVAS,
        districts=tuple(sorted({d for d in districts.values() if d})),
    )


@dataclass(frozen=True, slots=True)
class CablingAudit:
    """``topology.audit`` findings by kind, and how many declared links LLDP/CDP confirm."""

    confirmed: int
    findings: dict[str, list[AuditFinding]]


def cabling_audit() -> CablingAudit:
    return _view().memo("cabling_audit", _cabling_audit)


def _cabling_audit() -> CablingAudit:
    graph = _view().graph
    findings: dict[str, list[AuditFinding]] = {}
    for finding in audit(graph):
        findings.setdefault(finding.kind, []).append(finding)
    flagged = len(findings.get("declared_not_seen", [])) + len(findings.get("port_mismatch", []))
    declared = sum(1 for link in graph.links.values() if link.declared)
    return CablingAudit(confirmed=declared - flagged, findings=findings)


@dataclass(frozen=True, slots=True)
class DistrictNode:
    """One district of the zoomed-out map: its devices by state, drawn at their mean position."""

    district: str
    devices: int
    states: dict[str, int]
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class DistrictLink:
    """The links between two districts (or inside one when ``a == b``), by state."""

    a: str
    b: str
    links: int
    states: dict[str, int]


@dataclass(frozen=True, slots=True)
class DistrictMap:
    nodes: tuple[DistrictNode, ...]
    links: tuple[DistrictLink, ...]


NO_DISTRICT = "-"


def district_map(topo: Topology) -> DistrictMap:
    """The map aggregated by district: a province's thousands of devices as tens of districts
    (devices without a district are grouped under ``-``)."""
    where: dict[str, str] = {}
    members: dict[str, list[TopologyNode]] = {}
    for node in topo.nodes:
        district = node.district or NO_DISTRICT
        where[node.name] = district
        members.setdefault(district, []).append(node)
    nodes = tuple(
        DistrictNode(
            district=d,
            devices=len(group),
            states=_counts(n.state for n in group),
            x=round(sum(n.x for n in group) / len(group), 1),
            y=round(sum(n.y for n in group) / len(group), 1),
        )
        for d, group in sorted(members.items())
    )
    pairs: dict[tuple[str, str], list[str]] = {}
    for link in topo.links:
        a, b = sorted((where.get(link.a_device, NO_DISTRICT), where.get(link.b_device, NO_DISTRICT)))
        pairs.setdefault((a, b), []).append(link.state)
    links = tuple(DistrictLink(a, b, len(states), _counts(states))
                  for (a, b), states in sorted(pairs.items()))
    return DistrictMap(nodes, links)


def _counts(states: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for state in states:
        out[state] = out.get(state, 0) + 1
    return dict(sorted(out.items()))
