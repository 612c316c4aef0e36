"""Coordinates and one fiber route on the web seed (``tests.web.seed``), for the city map tests.

Four sites are placed around Magelang; Dinas Kesehatan stays unplaced (the map lists it as not
placed and its links get no line). The cut fiber dist-utara:sfp2 -- acc-sdn1:sfp1 runs along
two named points and one unnamed bend.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, Interface, Link, Site

PLACES = {
    "Balai Kota Magelang": (-7.4797, 110.2177),
    "Kantor Kecamatan Magelang Utara": (-7.4690, 110.2170),
    "SMP Negeri 1 Magelang": (-7.4735, 110.2140),
    "SD Negeri 1 Magelang": (-7.4655, 110.2225),
}
CUT_ROUTE = [
    {"lat": -7.4684, "lon": 110.2185, "name": "Tiang 14", "kind": "pole"},
    {"lat": -7.4672, "lon": 110.2205},
    {"lat": -7.4662, "lon": 110.2214, "name": "ODP Jl. Pahlawan", "kind": "odp"},
]
CUT_ID = "acc-sdn1:sfp1--dist-utara:sfp2"


def place(session: Session) -> None:
    for site in session.scalars(select(Site)):
        if site.name in PLACES:
            site.latitude, site.longitude = PLACES[site.name]
    port = {(d, i.name): i for i, d in session.execute(select(Interface, Device.name).join(Device))}
    a, b = port[("dist-utara", "sfp2")], port[("acc-sdn1", "sfp1")]
    link = session.scalars(select(Link).where(Link.a_interface_id.in_((a.id, b.id)),
                                              Link.b_interface_id.in_((a.id, b.id)))).one()
    # the route is stored from the row's a end: the dist-utara side first when that is a
    link.route = CUT_ROUTE if link.a_interface_id == a.id else CUT_ROUTE[::-1]
    link.length_m = 1650
    session.commit()
