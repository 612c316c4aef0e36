"""Where notification routes come from: the config file, the admin page (database), the catch-all.

Design: routes written in the config file (``[notifications.routes.NAME]``) stay there and are
read-only in the UI; routes an admin adds on the web page live in the ``notification_routes``
table. The service never rewrites its config file: it may be managed by configuration
management or mounted read-only, and a TOML rewrite would lose its comments; the database is
where every other edit from the UI (users, planned works) already lives, and the running
notifier reads it on every message, so an edit takes effect without a restart. Both kinds are
checked by the same parser (``routing.parse_route``); a name is unique across both (the config
file wins if a later config edit takes a name the UI used) and ``default`` is the catch-all
``notifications.urls``. Also here: the facts a route matches on, read from the inventory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import DEVICE_ROLES, SITE_KINDS, Device, NotificationRoute, Outage, Site
from netops.audit import record_change
from netops.monitor.routing import CATCH_ALL, OutageFacts, Route, RouteError, check_targets, parse_route
from netops.settings import Settings
from topology.graph import link_devices

log = logging.getLogger(__name__)


def catch_all(settings: Settings) -> Route | None:
    """``notifications.urls`` as the route ``default`` (None when no URL is configured)."""
    n = settings.notifications
    if not n.urls:
        return None
    language = n.language if n.language in ("en", "id") else "en"
    return Route(name=CATCH_ALL, urls=tuple(n.urls), language=language,
                 remind_minutes=n.remind_minutes, escalate_after_minutes=n.escalate_after_minutes,
                 escalate_to=n.escalate_to, source="catch-all")


def ui_routes(session: Session, taken: Iterable[str] = ()) -> list[Route]:
    """The routes made on the admin page (a name the config file took, or a bad row, is skipped)."""
    skip = set(taken)
    out = []
    for row in session.scalars(select(NotificationRoute).order_by(NotificationRoute.name)):
        if row.name in skip:
            log.warning("notification route %r of the admin page is shadowed by the config file", row.name)
            continue
        try:
            out.append(parse_route(row.name, row.spec, source="ui"))
        except RouteError as exc:
            log.warning("notification route %r skipped: %s", row.name, exc)
    return out


def all_routes(session: Session | None, settings: Settings) -> list[Route]:
    """Catch-all first, then the config file's routes, then the admin page's."""
    base = catch_all(settings)
    routes = [*([base] if base else []), *settings.notifications.routes]
    if session is not None:
        routes += ui_routes(session, {r.name for r in routes} | {CATCH_ALL})
    return routes


def save_route(session: Session, name: str, spec: Mapping[str, Any], by: str, now: datetime,
               settings: Settings) -> Route:
    """Add or replace an admin-page route after checking it like the config file's."""
    route = parse_route(name, spec, source="ui", known_kinds=SITE_KINDS, known_roles=DEVICE_ROLES)
    if any(r.name == name for r in settings.notifications.routes):
        raise RouteError(f"route {name!r}: defined in the config file; change it there")
    others = [r for r in all_routes(session, settings) if r.name != name]
    check_targets([*others, route], ())
    row = session.scalar(select(NotificationRoute).where(NotificationRoute.name == name))
    before = dict(row.spec) if row is not None else None
    if row is None:
        row = NotificationRoute(name=name)
        session.add(row)
    row.spec, row.updated_by, row.updated_at = route.to_spec(), by, now
    record_change(session, "notification_route.save", name, before, dict(row.spec))  # urls: markers only
    session.flush()
    return route


def delete_route(session: Session, name: str, settings: Settings) -> None:
    """Remove an admin-page route; refused while another route escalates to it."""
    row = session.scalar(select(NotificationRoute).where(NotificationRoute.name == name))
    if row is None:
        raise RouteError(f"route {name!r}: no such route made on the admin page")
    users = [r.name for r in all_routes(session, settings) if r.escalate_to == name and r.name != name]
    if users:
        raise RouteError(f"route {name!r}: {', '.join(users)} escalate(s) to it; change them first")
    record_change(session, "notification_route.delete", name, dict(row.spec), None)
    session.delete(row)
    session.flush()


def outage_facts(session: Session, outage: Outage) -> OutageFacts:
    """Districts and kinds of the sites the outage touches, roles of its devices, sites cut off."""
    cut = list(outage.affected_sites or [])
    names = set(cut) | set(outage.degraded_sites or [])
    query = select(Site.district, Site.kind).where(Site.name.in_(names))
    rows = session.execute(query).tuples().all() if names else []
    devices = set(outage.affected_devices or [])
    if outage.root_cause_type == "device":
        devices.add(outage.root_cause)
    elif outage.root_cause_type == "link":
        devices |= set(link_devices(outage.root_cause))
    roles = session.scalars(select(Device.role).where(Device.name.in_(devices))).all() if devices else []
    return OutageFacts(districts=frozenset(d for d, _ in rows if d),
                       site_kinds=frozenset(k for _, k in rows if k),
                       device_roles=frozenset(r for r in roles if r), sites_cut=len(cut))


def schools_first(session: Session, sites: Sequence[str]) -> list[str]:
    """The sites with the schools first (the help desk's first question), then by name."""
    if not sites:
        return []
    query = select(Site.name, Site.kind).where(Site.name.in_(list(sites)))
    kinds = dict(session.execute(query).tuples().all())
    return sorted(sites, key=lambda s: (kinds.get(s) != "school", s))
