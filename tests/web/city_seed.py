"""The demo's city (50 switches, 53 fibers) in the database, with a dead switch and a cut fiber.

For the map's browser tests a five-device network is too small to show labels giving way,
filters fitting an area or a what-if worth reading. This writes the simulator's Magelang-like
network (``simulator.network.generate``: the same one ``netops demo`` serves) as what polls
observed: sites with districts, devices, ports, declared fibers. Then the real monitor assesses
it: every switch answered two days ago; now ``DEAD`` is silent (its neighbours' ports down, the
switches behind it silent too) and the fiber ``CUT`` is down at both ends. States, outages and
site answers are the monitor's; the web only reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import networkx as nx
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from inventory.models import Device, Interface, Link, Site, User
from netops.monitor.monitor import Monitor, Probe
from netops.settings import load_settings
from simulator.network import DemoNetwork, generate
from tests.web.seed import PASSWORDS

DEAD = "dist-utara"
CUT = ("dist-tengah", "acc-smpn1")  # a single-homed school's only fiber


def behind(network: DemoNetwork, dead: str) -> set[str]:
    """The switches that lose the core when ``dead`` dies (they answer nothing any more)."""
    g = nx.Graph([(lk.a, lk.b) for lk in network.links])
    core = next(d.name for d in network.devices if d.role == "core")
    g.remove_node(dead)
    return set(network_names(network)) - nx.node_connected_component(g, core) - {dead}


def network_names(network: DemoNetwork) -> list[str]:
    return [d.name for d in network.devices]


def seed_city(session: Session) -> DemoNetwork:
    network = generate()
    now = datetime.now(UTC).replace(microsecond=0)
    sites = {
        s.name: Site(
            name=s.name, kind=s.kind, district=s.district, latitude=s.latitude, longitude=s.longitude
        )
        for s in network.sites
    }
    session.add_all(sites.values())
    devices = {
        d.name: Device(name=d.name, address=d.address, role=d.role, site=sites[d.site], platform="linux")
        for d in network.devices
    }
    session.add_all(devices.values())
    ports: dict[tuple[str, str], Interface] = {}
    for lk in network.links:
        for dev, port in ((lk.a, lk.a_port), (lk.b, lk.b_port)):
            info = network.device(dev).port(port)
            ports[(dev, port)] = Interface(
                device=devices[dev],
                name=info.name,
                if_index=info.if_index,
                oper_status="up",
                admin_status="up",
                speed_bps=info.speed_mbps * 10**6,
            )
    session.add_all(ports.values())
    session.flush()
    for lk in network.links:
        first, second = sorted((ports[(lk.a, lk.a_port)], ports[(lk.b, lk.b_port)]), key=lambda i: i.id)
        session.add(Link(a_interface_id=first.id, b_interface_id=second.id, declared=True, source="declared"))
    for role, password in PASSWORDS.items():
        hashed = generate_password_hash(password, method="pbkdf2:sha256:1000")
        session.add(User(name=role, password_hash=hashed, role=role, created_at=now))
    session.flush()

    monitor = Monitor(load_settings(environ={}))
    names = network_names(network)
    monitor.evaluate(
        session, {n: Probe(n, True, source="status poll") for n in names}, now - timedelta(days=2)
    )
    silent = behind(network, DEAD) | {DEAD}
    for lk in network.links:
        if DEAD in (lk.a, lk.b):  # its neighbours see their ports to it go down
            other = (lk.b, lk.b_port) if lk.a == DEAD else (lk.a, lk.a_port)
            ports[other].oper_status = "down"
    cut = network.find_link(*CUT)
    ports[(cut.a, cut.a_port)].oper_status = ports[(cut.b, cut.b_port)].oper_status = "down"
    silent.add(CUT[1])
    probes = {n: Probe(n, n not in silent, source="status poll") for n in names}
    monitor.evaluate(session, probes, now - timedelta(minutes=12))
    monitor.evaluate(session, probes, now)
    session.commit()
    return network
