"""Reads that combine several sources for one page or endpoint (network, site statuses, map).

The one place that decides which read functions feed a view; swapping an interim reader
for another package's (``inventory.queries``, ``topology``, ``netops.monitor.queries``)
happens here, not in the views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from web import history, readers
from web.connectivity import Network, all_site_statuses, site_status
from web.layout import CANVAS, positions_for
from web.views import OutageView, SiteStatus, SiteView, Topology, TopologyNode


def network(session: Session) -> Network:
    return Network(readers.list_devices(session), readers.list_links(session))


def site_statuses(session: Session, net: Network | None = None) -> list[SiteStatus]:
    net = net or network(session)
    return all_site_statuses(readers.list_sites(session), net, history.list_outages(session, active=True))


def one_site_status(session: Session, site: SiteView) -> SiteStatus:
    return site_status(site, network(session), history.list_outages(session, active=True))


@dataclass(frozen=True, slots=True)
class Availability:
    days_7: float
    days_30: float


def site_availability(session: Session, site: str, now: datetime | None = None) -> Availability:
    now = now or datetime.now(UTC)
    outages: list[OutageView] = history.outages_touching(session, now - timedelta(days=30), now)
    return Availability(
        history.availability(outages, site, 7, now), history.availability(outages, site, 30, now)
    )


def topology(session: Session, net: Network | None = None) -> Topology:
    net = net or network(session)
    devices = list(net.devices.values())
    positions = positions_for(session, devices, net.links)
    nodes = tuple(
        TopologyNode(
            name=d.name,
            role=d.role,
            site=d.site,
            district=d.district,
            state=d.state,
            x=positions.get(d.name, (CANVAS / 2, CANVAS / 2))[0],
            y=positions.get(d.name, (CANVAS / 2, CANVAS / 2))[1],
            sys_name=d.sys_name,
        )
        for d in devices
    )
    districts = tuple(sorted({d.district for d in devices if d.district}))
    return Topology(nodes=nodes, links=tuple(net.links), width=CANVAS, height=CANVAS, districts=districts)
