"""Scheduled discovery's new neighbors are grouped by credential, port and poll group: with the
Celery executor each group's addresses go to a worker of the advertising device's group, and an
address advertised in two groups is tried once, from the first."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from inventory.models import Credential, Device, NeighborRecord
from netops.polling.discovery_follow import Followed, new_neighbors
from netops.polling.discovery_task import discovery_targets
from netops.settings import Settings


def _neighbor(device: Device, port: str, address: str) -> NeighborRecord:
    now = datetime.now(UTC)
    return NeighborRecord(device_id=device.id, local_port=port, protocol="lldp", chassis_id=address,
                          chassis_id_kind="mac", port_id=port, port_id_kind="ifname", system_name=None,
                          management_address=address, first_seen=now, last_seen=now)


def test_new_neighbors_are_grouped_by_the_advertising_devices_poll_group(session: Session,
                                                                          settings: Settings) -> None:
    cred = Credential(name="snmp-v2c", type="snmp", snmp_version="2c", community="netops-ro")
    devices = {name: Device(name=name, address=address, role="access", snmp_credential=cred, enabled=True,
                            snmp_port=161, poll_group=group)
               for name, address, group in (("a", "10.1.0.1", "north"), ("b", "10.1.0.2", "south"),
                                            ("c", "10.1.0.3", None))}
    session.add_all([cred, *devices.values()])
    session.flush()
    session.add_all([_neighbor(devices["a"], "p1", "10.1.0.9"), _neighbor(devices["a"], "p2", "10.1.0.8"),
                     _neighbor(devices["b"], "p1", "10.1.0.9"), _neighbor(devices["b"], "p2", "10.1.0.7"),
                     _neighbor(devices["c"], "p1", "10.1.0.6"), _neighbor(devices["c"], "p2", "10.1.0.2")])
    session.commit()
    found = new_neighbors(session, settings, Followed())
    groups = {g.poll_group: (g.lender, g.via) for g in found.groups}
    assert groups == {"north": ("a", {"10.1.0.9": "a", "10.1.0.8": "a"}),  # 10.1.0.9 once, from north
                      "south": ("b", {"10.1.0.7": "b"}),
                      None: ("c", {"10.1.0.6": "c"})}  # 10.1.0.2 is b: known, not new


def test_a_worker_polls_only_advertised_addresses_inside_the_allowed_networks(
        session: Session, settings: Settings, engine: Engine) -> None:
    """A forged discovery task (the broker is not trusted with the credential's reach): an address
    no device advertises, or one outside the allowed networks, is refused, never polled."""
    cred = Credential(name="snmp-v2c", type="snmp", snmp_version="2c", community="netops-ro")
    lender = Device(name="a", address="10.1.0.1", role="access", snmp_credential=cred, enabled=True,
                    snmp_port=161)
    session.add_all([cred, lender])
    session.flush()
    session.add_all([_neighbor(lender, "p1", "10.1.0.9"), _neighbor(lender, "p2", "192.0.2.7")])
    session.commit()
    asked = ["10.1.0.9", "10.1.0.50", "192.0.2.7", "198.51.100.1"]
    targets, refused = discovery_targets(engine, settings, asked, "a", "w1")
    assert [t.host for t in targets] == ["10.1.0.9"]
    assert sorted(refused) == ["10.1.0.50", "192.0.2.7", "198.51.100.1"]  # unadvertised, outside, both
    assert set(refused.values()) == {"not a neighbor address inside the allowed networks"}
