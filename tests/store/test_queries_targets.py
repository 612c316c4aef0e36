"""Read queries return records with facts, MACs and states; targets carry resolved secrets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from collectors.targets import AuthProtocol, PrivProtocol, Secret, SnmpV2c, SnmpV3
from inventory.db import session_scope
from inventory.files import import_inventory_file
from inventory.models import Device, DeviceState, Interface, NeighborRecord, ObservedFacts
from inventory.queries import (
    list_device_details,
    list_devices,
    list_interfaces,
    list_links,
    list_neighbors,
    list_sites,
    normalise_mac,
)
from netops.polling.targets import TargetError, build_targets
from netops.settings import Settings, load_settings

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SECRETS = {
    "NETOPS_SNMP_COMMUNITY": "c-2c",
    "NETOPS_V3_AUTH": "auth-key-1",
    "NETOPS_V3_PRIV": "priv-key-1",
    "NETOPS_SSH_PASSWORD": "pw",
}


@pytest.fixture
def loaded(db_engine: Engine, magelang_inventory_yaml: Path) -> Engine:
    with session_scope(db_engine) as s:
        import_inventory_file(s, magelang_inventory_yaml)
        core = s.scalars(select(Device).where(Device.name == "core-balaikota")).one()
        s.add(
            ObservedFacts(
                device_id=core.id,
                sys_name="CORE-BALAIKOTA",
                vendor="Cisco",
                profile="cisco_ios",
                learned_at=NOW,
            )
        )
        s.add(DeviceState(device_id=core.id, state="up", since=NOW))
        iface = s.scalars(
            select(Interface).where(Interface.device_id == core.id, Interface.name == "GigabitEthernet1/0/1")
        ).one()
        iface.mac, iface.if_index, iface.oper_status = "00-1E-BD-00-00-01", 10101, "up"
        s.add(Interface(device_id=core.id, name="Vlan1", if_index=1, mac="001e.bd00.0002"))
        s.add(
            NeighborRecord(
                device_id=core.id,
                local_port="GigabitEthernet1/0/1",
                protocol="lldp",
                chassis_id="38:4c:4f:00:00:01",
                chassis_id_kind="mac",
                port_id="GE0/0/1",
                port_id_kind="ifname",
                system_name="dist-utara",
                first_seen=NOW,
                last_seen=NOW,
            )
        )
    return db_engine


def test_normalise_mac() -> None:
    assert normalise_mac("00-1E-BD-00-00-01") == "00:1e:bd:00:00:01"
    assert normalise_mac("001e.bd00.0002") == "00:1e:bd:00:00:02"
    assert (
        normalise_mac("00:00:00:00:00:00") is None
        and normalise_mac("xyz") is None
        and normalise_mac(None) is None
    )


def test_records(loaded: Engine) -> None:
    with session_scope(loaded) as s:
        sites, devices = list_sites(s), list_devices(s)
        ifaces, links, neighbors = list_interfaces(s, "core-balaikota"), list_links(s), list_neighbors(s)
        details = list_device_details(s)
    assert [x.name for x in sites][:2] == ["Balai Kota", "Dinas Kominfo"]
    core = next(d for d in devices if d.name == "core-balaikota")
    assert core.sys_name == "CORE-BALAIKOTA" and core.state == "up" and core.state_since == NOW
    assert core.chassis_macs == ("00:1e:bd:00:00:01", "00:1e:bd:00:00:02")
    assert next(d for d in devices if d.name == "sw-sdn1").state == "unknown"
    assert [i.name for i in ifaces] == [
        "Vlan1",
        "GigabitEthernet1/0/1",
        "GigabitEthernet1/0/2",
        "GigabitEthernet1/0/3",
    ]
    assert len(links) == 6
    ring = [lk for lk in links if lk.length_m == 4700]
    assert len(ring) == 1 and {ring[0].a_device, ring[0].b_device} == {"dist-utara", "dist-selatan"}
    assert neighbors[0].device == "core-balaikota" and neighbors[0].system_name == "dist-utara"
    core_detail = next(d for d in details if d.name == "core-balaikota")
    assert core_detail.vendor == "Cisco" and core_detail.facts_learned_at == NOW


def test_targets_resolve_secrets_from_references(loaded: Engine) -> None:
    settings = load_settings(environ={"NETOPS_SNMP__TIMEOUT_S": "2.5"})
    with session_scope(loaded) as s:
        targets = build_targets(s, settings, environ=SECRETS)
    by_name = {t.device_key: t for t in targets}
    assert "sw-pkm-selatan" not in by_name  # disabled
    core = by_name["core-balaikota"]
    assert isinstance(core.snmp, SnmpV3)
    assert (core.snmp.user, core.snmp.auth_protocol, core.snmp.priv_protocol) == (
        "netops",
        AuthProtocol.SHA,
        PrivProtocol.AES,
    )
    assert core.snmp.auth_key == Secret("auth-key-1") and core.profile == "cisco_ios"
    assert core.ssh is not None and core.ssh.password == Secret("pw")
    sdn = by_name["sw-sdn1"]
    assert isinstance(sdn.snmp, SnmpV2c) and sdn.snmp.community == Secret("c-2c") and sdn.snmp_port == 1161
    assert sdn.timeouts.snmp_timeout_s == 2.5
    assert "c-2c" not in repr(targets)


def test_named_targets_and_errors(loaded: Engine, settings: Settings) -> None:
    with session_scope(loaded) as s:
        named = build_targets(s, settings, ["sw-sdn1", "sw-pkm-selatan"], environ=SECRETS)
        assert [t.device_key for t in named] == ["sw-sdn1", "sw-pkm-selatan"]
        with pytest.raises(TargetError, match="unknown device"):
            build_targets(s, settings, ["nope"], environ=SECRETS)
        with pytest.raises(TargetError, match="NETOPS_SNMP_COMMUNITY is not set"):
            build_targets(s, settings, ["sw-sdn1"], environ={})
        assert build_targets(s, settings, environ={}) == []  # every device skipped, none crashes
