"""Identity resolution of real LLDP/CDP neighbor records (ntc-templates fixtures, LibreNMS data)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from inventory.queries import normalise_mac
from inventory.records import DeviceRecord, InterfaceRecord, NeighborRecordView
from tests.topology.fixtures_cli import LIBRENMS, as_view, parsed_rows
from topology.identify import DeviceIndex, host_part, normalize_mac
from topology.names import expand, split

ROWS = parsed_rows()


def _inventory() -> tuple[list[DeviceRecord], list[InterfaceRecord], dict[str, str]]:
    """One inventory device per advertised neighbor name, stored the way an operator would:
    short host name, MAC in colon form, the port under its long name (ifDescr)."""
    devices: dict[str, DeviceRecord] = {}
    ifaces: list[InterfaceRecord] = []
    by_name: dict[str, str] = {}
    macs: dict[str, set[str]] = {}
    for _, row in ROWS:
        mac = normalise_mac(row.get("chassis_id"))
        if row.get("neighbor_name") and mac:
            macs.setdefault(host_part(row["neighbor_name"]), set()).add(mac)
    for i, (_, row) in enumerate(ROWS):
        name = row.get("neighbor_name") or ""
        if not name or host_part(name) in by_name:
            continue
        dev = f"dev{i}-{host_part(name)}"
        by_name[host_part(name)] = dev
        devices[dev] = DeviceRecord(
            dev,
            row.get("mgmt_address") or f"10.99.0.{i}",
            "access",
            sys_name=host_part(name),
            chassis_macs=tuple(sorted(macs.get(host_part(name), ()))),
        )
    for _, row in ROWS:
        dev = by_name.get(host_part(row.get("neighbor_name") or ""))
        port = row.get("neighbor_port_id") or row.get("neighbor_interface")
        if dev and port:
            ifaces.append(InterfaceRecord(dev, expand(port), descr=row.get("neighbor_interface")))
    return list(devices.values()), ifaces, by_name


def test_fixture_rows_cover_the_identifier_kinds() -> None:
    views = [as_view(r) for _, r in ROWS]
    assert len(views) > 50
    assert any(v.system_name and "." in v.system_name for v in views)
    assert any(normalize_mac(v.chassis_id) for v in views)
    assert any(normalize_mac(v.port_id) for v in views)


def test_neighbors_resolve_by_name_with_or_without_domain() -> None:
    devices, ifaces, by_name = _inventory()
    index = DeviceIndex(devices, ifaces)
    named = [(f, r) for f, r in ROWS if r.get("neighbor_name")]
    for source, row in named:
        device, via = index.device_for(as_view(row))
        assert device == by_name[host_part(row["neighbor_name"])], (source, row)
        assert via in ("chassis_mac", "sys_name", "sys_name_host")


def test_neighbors_resolve_by_chassis_mac_alone() -> None:
    devices, ifaces, _by_name = _inventory()
    index = DeviceIndex(devices, ifaces)
    owners: dict[str, set[str]] = {}
    for d in devices:
        for mac in d.chassis_macs:
            owners.setdefault(mac, set()).add(d.name)
    checked = ambiguous = 0
    for _, row in ROWS:
        mac = normalise_mac(row.get("chassis_id"))
        if row.get("neighbor_name") and mac:
            view = replace(as_view(row), system_name=None, management_address=None)
            device, via = index.device_for(view)
            if len(owners[mac]) == 1:
                assert (device, via) == (next(iter(owners[mac])), "chassis_mac")
                checked += 1
            else:
                assert device is None, "a MAC two devices share (anonymised fixtures) identifies neither"
                ambiguous += 1
    assert checked > 20
    assert ambiguous >= 1


def test_neighbors_resolve_by_management_address_alone() -> None:
    devices, ifaces, _by_name = _inventory()
    index = DeviceIndex(devices, ifaces)
    count: dict[str, int] = {}
    for d in devices:
        count[d.address] = count.get(d.address, 0) + 1
    addresses = {d.address: d.name for d in devices if count[d.address] == 1}
    rows = [r for _, r in ROWS if r.get("mgmt_address") in addresses]
    assert len(rows) > 10
    for row in rows:
        view = replace(as_view(row), system_name=None, chassis_id="")
        assert index.device_for(view) == (addresses[row["mgmt_address"]], "mgmt_address")


def test_remote_ports_resolve_through_abbreviations() -> None:
    """The inventory stores GigabitEthernet1/0/16; the neighbor advertises Gi1/0/16."""
    devices, ifaces, by_name = _inventory()
    index = DeviceIndex(devices, ifaces)
    abbreviated = 0
    for _, row in ROWS:
        name, port = row.get("neighbor_name"), row.get("neighbor_port_id") or row.get("neighbor_interface")
        if not name or not port:
            continue
        view = as_view(row)
        device = by_name[host_part(name)]
        if normalize_mac(view.port_id) and not split(port)[1]:
            continue
        found = index.port_for(device, view)
        assert found is not None, (name, port)
        assert found == expand(port) or expand(found) == expand(port)
        abbreviated += port != expand(port)
    assert abbreviated >= 5


def test_mac_port_ids_resolve_to_the_port_with_that_mac() -> None:
    """HP/Aruba/IP phones advertise the port by MAC (``3c e1 a1 22 18 f0``, ``0060.abbc.abbc``)."""
    rows = [r for _, r in ROWS if normalize_mac(as_view(r).port_id)]
    assert len(rows) >= 5
    devices = [DeviceRecord(f"d{i}", f"10.0.0.{i}", "access") for i in range(len(rows))]
    ifaces = [
        InterfaceRecord(f"d{i}", "port1", mac=normalise_mac(as_view(r).port_id)) for i, r in enumerate(rows)
    ]
    ifaces += [InterfaceRecord(f"d{i}", "port2", mac=f"02:00:00:00:00:{i:02x}") for i in range(len(rows))]
    index = DeviceIndex(devices, ifaces)
    for i, row in enumerate(rows):
        view = replace(
            as_view(row), system_name=None, chassis_id="", management_address=None, port_id_kind="mac"
        )
        device, _ = index.device_for(replace(view, chassis_id=view.port_id))
        assert device == f"d{i}"
        assert index.port_for(f"d{i}", view) == "port1"


def test_librenms_local_ports_map_to_ifname() -> None:
    """A CLI local port (``GigabitEthernet1/0/3``) maps to the stored ifName (``Gi1/0/3``)."""
    checked = 0
    for path in sorted(LIBRENMS.glob("*.json")):
        links = (
            json.loads(path.read_text())["discovery-protocols"]["discovery"]["links"]
            if "discovery-protocols" in json.loads(path.read_text())
            else []
        )
        if not links:
            continue
        ifaces = [InterfaceRecord("dev", lk["ifName"], descr=lk["ifDescr"]) for lk in links]
        index = DeviceIndex([DeviceRecord("dev", "10.0.0.1", "access")], ifaces)
        for lk in links:
            assert index.local_port("dev", lk["ifDescr"]) == lk["ifName"]
            assert index.local_port("dev", lk["ifName"]) == lk["ifName"]
            checked += 1
    assert checked >= 40


def test_librenms_mac_port_ids_normalise() -> None:
    """``00 22 B0 B5 5C E9 (0022b0b55ce9)``: the space-separated form is a MAC; ``31 2F 32 35 00`` is not."""
    seen = 0
    for path in sorted(LIBRENMS.glob("*.json")):
        data = json.loads(path.read_text())
        for lk in data.get("discovery-protocols", {}).get("discovery", {}).get("links", []):
            before = lk["remote_port"].split(" (")[0]
            parts = before.split(" ")
            if len(parts) == 6 and all(len(p) == 2 for p in parts):
                assert normalize_mac(before) == "".join(parts).lower()
                seen += 1
            elif len(parts) == 5:
                assert normalize_mac(before) is None
    assert seen >= 15


@pytest.mark.parametrize(
    "hostile",
    [
        NeighborRecordView("a", "p", "lldp", "", "", "", ""),
        NeighborRecordView("a", "p", "lldp", "\x00" * 50, "mac", "'\"<>&", "local", "x" * 5000, "\n\t", "::"),
        NeighborRecordView(
            "a", "p", "lldp", "00:00:00:00:00:00", "mac", "ff ff", "mac", None, ".", "0.0.0.0"
        ),
    ],
)
def test_hostile_neighbors_resolve_to_nothing_without_crashing(hostile: NeighborRecordView) -> None:
    index = DeviceIndex(
        [DeviceRecord("sw", "10.0.0.1", "core", sys_name="sw")],
        [InterfaceRecord("sw", "Gi0/1", mac="00:11:22:33:44:55")],
    )
    res = index.resolve(hostile)
    assert res.device is None
    assert res.port is None


def test_a_name_two_devices_share_identifies_neither() -> None:
    devices = [
        DeviceRecord("sw-a", "10.0.0.1", "access", sys_name="Switch"),
        DeviceRecord("sw-b", "10.0.0.2", "access", sys_name="Switch"),
        DeviceRecord("core", "10.0.0.3", "core", sys_name="core.site-a.example"),
        DeviceRecord("core-b", "10.0.0.4", "core", sys_name="core.site-b.example"),
    ]
    index = DeviceIndex(devices, [])
    nb = NeighborRecordView("x", "p1", "lldp", "", "local", "p1", "local", system_name="Switch")
    assert index.device_for(nb) == (None, "none")
    assert index.device_for(replace(nb, management_address="10.0.0.2")) == ("sw-b", "mgmt_address")
    assert index.device_for(replace(nb, system_name="core.site-b.example"))[0] == "core-b"
    assert index.device_for(replace(nb, system_name="core"))[0] == "core", "the inventory name itself"
    assert index.device_for(replace(nb, system_name="core.other.example"))[0] is None
