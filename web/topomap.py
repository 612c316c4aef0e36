"""What the map and the single-points page show beyond colours: causes, outages, fragility.

Everything here is read, never derived: the root causes are the elements of the open outages
the monitor stored (and the root causes its site answers point at), an element's outage is the
stored outage that names it (as root cause, or among the devices it cut off), the cause is the
outage's stored plain words (``topology.wording``, in the reader's language), "since" is the
stored state's. Single points of failure and what-if are ``topology.spof`` and
``Assessment.what_if`` on the view's assessment of the stored states.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from flask_babel import get_locale
from sqlalchemy.orm import Session

from netops.monitor.network_view import NetworkView, NetworkViews
from netops.monitor.queries import OutageView
from topology.assessed import WhatIf
from topology.spof import SinglePoint, single_points
from topology.states import Element
from topology.whatif import resolve
from topology.wording import element_text
from web import history

Key = tuple[str, str]  # (device|link, name or link id)


def current_view() -> NetworkView:
    service: NetworkViews = current_app.extensions["netops.topology"]
    return service.current()


def language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


@dataclass(frozen=True, slots=True)
class MapOutage:
    """An open outage as the map links it: its root cause and its cause in plain words."""

    id: int
    type: str
    name: str
    cause: str
    started_at: datetime
    url: str


@dataclass(frozen=True, slots=True)
class MapElement:
    """A device or link: since when it is in its stored state, and the open outage about it."""

    since: datetime | None
    outage_id: int | None


@dataclass(frozen=True, slots=True)
class MapRef:
    """A device or link as every JSON answer names it."""

    type: str
    name: str


@dataclass(frozen=True, slots=True)
class MapOverlay:
    """``/api/v1/topology/overlay``: what the map draws over the stored states."""

    root_causes: tuple[MapRef, ...]
    outages: tuple[MapOutage, ...]
    devices: dict[str, MapElement]
    links: dict[str, MapElement]
    spofs: tuple[MapRef, ...]  # the sites of each: /api/v1/topology/spof


def root_causes(view: NetworkView, outages: Iterable[OutageView]) -> tuple[Element, ...]:
    """The elements of the open outages and the root causes the stored site answers point at."""
    found = {Element(o.root_cause_type, o.root_cause) for o in outages}
    found |= {s.root_cause for s in view.sites.values() if s.root_cause is not None}
    return tuple(sorted(found))


def spof_keys(points: Iterable[SinglePoint]) -> set[Key]:
    return {(p.element.kind, p.element.id) for p in points}


def _cause_words(view: NetworkView, outage: OutageView, lang: str) -> str:
    words = outage.cause_words or {}
    return (
        words.get(lang)
        or words.get("en")
        or element_text(view.graph, Element(outage.root_cause_type, outage.root_cause), lang)
    )


def _outage_of(outages: list[OutageView]) -> tuple[dict[Key, int], dict[str, int]]:
    """Open outages by root cause, and by each device they cut off (the oldest outage wins)."""
    by_cause: dict[Key, int] = {}
    by_device: dict[str, int] = {}
    for o in sorted(outages, key=lambda o: (o.started_at, o.id)):
        by_cause.setdefault((o.root_cause_type, o.root_cause), o.id)
        for device in o.affected_devices:
            by_device.setdefault(device, o.id)
    return by_cause, by_device


def overlay(session: Session, view: NetworkView | None = None) -> MapOverlay:
    """Built once per view, language and set of open outages (their ids, causes, cut-off devices)."""
    view = view or current_view()
    outages = history.list_outages(session, active=True)
    key = ("overlay", language(), tuple((o.id, o.root_cause_type, o.root_cause, o.started_at,
                                         tuple(o.affected_devices)) for o in outages))
    return view.memo(key, lambda: _overlay(view, outages))


def _overlay(view: NetworkView, outages: list[OutageView]) -> MapOverlay:
    lang, graph = language(), view.graph
    by_cause, by_device = _outage_of(outages)

    def device_outage(name: str) -> int | None:
        return by_cause.get(("device", name)) or by_device.get(name)

    devices = {
        name: MapElement(info.state_since, device_outage(name)) for name, info in sorted(graph.nodes.items())
    }
    links = {
        key: MapElement(
            link.since,
            by_cause.get(("link", key)) or device_outage(link.a.device) or device_outage(link.b.device),
        )
        for key, link in sorted(graph.links.items())
    }
    return MapOverlay(
        root_causes=tuple(MapRef(c.kind, c.id) for c in root_causes(view, outages)),
        outages=tuple(
            MapOutage(
                o.id,
                o.root_cause_type,
                o.root_cause,
                _cause_words(view, o, lang),
                o.started_at,
                url_for("ui.outage", outage_id=o.id),
            )
            for o in outages
        ),
        devices={k: v for k, v in devices.items() if v.since or v.outage_id},
        links={k: v for k, v in links.items() if v.since or v.outage_id},
        spofs=tuple(MapRef(p.element.kind, p.element.id)
                    for p in view.memo("single_points", lambda: single_points(view.assessment))),
    )


def impact(view: NetworkView, *, device: str | None = None, link: str | None = None) -> WhatIf:
    """What-if for the element named (``topology.whatif.WhatIfError`` when malformed or unknown)."""
    return view.assessment.what_if(resolve(view.graph, device=device, link=link))
