"""The inventory's lists as search indexes, built once per network view and scope.

Each list (devices, sites, links) is kept in the order it is shown, every row with the text a
search looks in (``web.paging.haystack``), so searching or paging 5,000 devices is a scan of
strings. The rows of the page shown are read again from the database (``fresh_devices``,
``fresh_links``): poll times, errors and loads move between two views; the order, the filter and
the counts do not. What a search looks at is in the view's markers (names, addresses, roles,
sites, districts, sysNames, link ends and media: structure; device and link states: status),
except a device's platform: a changed platform is found from the next view on (the next poll).
The memo key holds ``scoping.key()``: a scoped login's index is its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session

from web import composite, readers, scoping
from web.links import natural_key
from web.paging import haystack
from web.views import DeviceView, LinkView, SiteView

T = TypeVar("T")
Indexed = tuple[tuple[T, str], ...]


def device_text(d: DeviceView) -> tuple[str | None, ...]:
    return d.name, d.address, d.site, d.platform, d.role, d.state, d.sys_name


def site_text(s: SiteView) -> tuple[str | None, ...]:
    return s.name, s.kind, s.district, s.contact_name, s.contact_phone, *s.devices


def link_text(lk: LinkView) -> tuple[str | None, ...]:
    return lk.name, lk.medium, lk.source, lk.state


def link_order(links: Iterable[LinkView]) -> list[LinkView]:
    """By the A end's device, then its port in natural order (0/0/2 before 0/0/10)."""
    return sorted(links, key=lambda lk: (lk.a_device, natural_key(lk.a_port)))


def _indexed(rows: Iterable[T], text: Callable[[T], Iterable[str | None]]) -> Indexed[T]:
    return tuple((row, haystack(text(row))) for row in rows)


def devices(session: Session) -> Indexed[DeviceView]:
    """The login's devices by name."""
    return composite.memo(("inventory_devices", scoping.key()), lambda: _indexed(
        scoping.devices(readers.list_devices(session)), device_text))


def sites(session: Session) -> Indexed[SiteView]:
    """The login's sites by name (their records are the view's own: no fresh read needed)."""
    return composite.memo(("inventory_sites", scoping.key()), lambda: _indexed(
        scoping.sites(composite.all_sites(session)), site_text))


def links(session: Session) -> Indexed[LinkView]:
    """The links with an end in the login's scope (the outside end shown as such), ``link_order``."""
    return composite.memo(("inventory_links", scoping.key()), lambda: _indexed(
        link_order(scoping.links(readers.list_links(session))), link_text))


def fresh_devices(session: Session, shown: Sequence[DeviceView]) -> list[DeviceView]:
    """``shown`` as the database has them now, in the same order."""
    return scoping.devices(readers.devices_named(session, [d.name for d in shown]))


def fresh_links(session: Session, shown: Sequence[LinkView]) -> list[LinkView]:
    """``shown`` as the database has them now, in the same order (scoped as the index is)."""
    if not shown:
        return []
    found = {lk.id: lk for lk in scoping.links(readers.list_links(session, ids=[lk.id for lk in shown]))}
    return [found[lk.id] for lk in shown if lk.id in found]
