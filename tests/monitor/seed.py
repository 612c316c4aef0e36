"""Seed a database with sites, devices, credentials, interfaces and links for monitor tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from inventory.models import Credential, Device, Interface, Link, Site


def seed(session: Session, devices: Iterable[Mapping[str, Any]], links: Iterable[tuple[str, str, str, str]],
         *, community: str = "netops-ro", v3: Mapping[str, str] | None = None) -> None:
    """``devices``: dicts with name, address, site, role; ``links``: (dev, port, dev, port)."""
    cred = Credential(name="snmp-v2c", type="snmp", snmp_version="2c", community=community)
    session.add(cred)
    if v3:
        session.add(Credential(name="snmp-v3", type="snmp", snmp_version="3", **v3))
    sites: dict[str, Site] = {}
    rows: dict[str, Device] = {}
    for spec in devices:
        site_name = spec.get("site")
        site = None
        if site_name:
            site = sites.get(site_name) or Site(name=site_name, kind="other")
            sites[site_name] = site
        rows[spec["name"]] = Device(name=spec["name"], address=spec["address"],
                                    role=spec.get("role", "access"), site=site, snmp_credential=cred,
                                    enabled=True, snmp_port=spec.get("snmp_port", 161))
        session.add(rows[spec["name"]])
    session.flush()
    ifaces: dict[tuple[str, str], Interface] = {}

    def iface(device: str, port: str, if_index: int | None = None) -> Interface:
        if (device, port) not in ifaces:
            ifaces[(device, port)] = Interface(device_id=rows[device].id, name=port, if_index=if_index)
            session.add(ifaces[(device, port)])
        return ifaces[(device, port)]

    for a, ap, b, bp in links:
        ia, ib = iface(a, ap), iface(b, bp)
        session.flush()
        first, second = sorted([ia, ib], key=lambda i: i.id)
        session.add(Link(a_interface_id=first.id, b_interface_id=second.id, source="declared", declared=True))
    session.commit()


def from_testbed(inventory: Mapping[str, Any]) -> tuple[
        list[dict[str, Any]], list[tuple[str, str, str, str]]]:
    """Devices and links of a ``testbed inventory`` JSON document."""
    devices = [{"name": name, "address": node["mgmt_address"], "site": node.get("site"),
                "role": node.get("role", "access")} for name, node in inventory["nodes"].items()]
    links = []
    for link in inventory["links"]:
        a_dev, a_port = _end(link["a"])
        b_dev, b_port = _end(link["b"])
        links.append((a_dev, a_port, b_dev, b_port))
    return devices, links


def _end(value: Any) -> tuple[str, str]:
    if isinstance(value, str):
        dev, _, port = value.partition(":")
        return dev, port
    return str(value["node"]), str(value["port"])
