"""Vendor models the demo switches pretend to be, as data.

Each model names its ports the way the real switch does (ifName, ifDescr and the name an
operator would write in an inventory file), so the topology code has real normalisation
work: Cisco reports ``Te1/0/1`` in ifName and LLDP while the inventory says
``TenGigabitEthernet1/0/1``; Huawei reports ``XGigabitEthernet0/0/1`` while operators write
``XGE0/0/1``; MikroTik names are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PortPattern:
    """How one group of ports is named: ``{n}`` is replaced by the port number."""

    if_name: str
    if_descr: str
    inventory_name: str
    first: int
    count: int
    speed_mbps: int
    fiber: bool


@dataclass(frozen=True, slots=True)
class VendorModel:
    key: str
    vendor: str
    model: str
    platform: str
    sys_object_id: str
    sys_descr: str
    mac_prefix: str
    ports: tuple[PortPattern, ...]
    virtual: tuple[str, ...]

    def fiber_patterns(self) -> tuple[PortPattern, ...]:
        return tuple(p for p in self.ports if p.fiber)


CISCO_CORE = VendorModel(
    key="cisco-c9500", vendor="Cisco", model="C9500-24Y4C", platform="cisco_xe",
    sys_object_id="1.3.6.1.4.1.9.1.2494",
    sys_descr=("Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), "
               "Version 17.9.4a, RELEASE SOFTWARE (fc3)\r\nTechnical Support: http://www.cisco.com/techsupport"),
    mac_prefix="00:1e:bd",
    ports=(PortPattern("Te1/0/{n}", "TenGigabitEthernet1/0/{n}", "TenGigabitEthernet1/0/{n}",
                       1, 24, 10000, True),),
    virtual=("Vlan1", "Vlan100"),
)

CISCO_ACCESS = VendorModel(
    key="cisco-c1000", vendor="Cisco", model="C1000-8T-2G-L", platform="cisco_ios",
    sys_object_id="1.3.6.1.4.1.9.1.2802",
    sys_descr=("Cisco IOS Software, C1000 Software (C1000-UNIVERSALK9-M), Version 15.2(7)E8, "
               "RELEASE SOFTWARE (fc2)\r\nTechnical Support: http://www.cisco.com/techsupport"),
    mac_prefix="70:ca:9b",
    ports=(
        PortPattern("Gi1/0/{n}", "GigabitEthernet1/0/{n}", "GigabitEthernet1/0/{n}", 1, 8, 1000, False),
        PortPattern("Gi1/0/{n}", "GigabitEthernet1/0/{n}", "GigabitEthernet1/0/{n}", 9, 2, 1000, True),
    ),
    virtual=("Vlan1",),
)

HUAWEI_DIST = VendorModel(
    key="huawei-s6730", vendor="Huawei", model="S6730-H24X6C", platform="huawei",
    sys_object_id="1.3.6.1.4.1.2011.2.23.527",
    sys_descr=("S6730-H24X6C\r\nHuawei Versatile Routing Platform Software\r\nVRP (R) software, "
               "Version 5.170 (S6730 V200R021C10SPC600)\r\nCopyright (C) 2000-2022 HUAWEI TECH Co., Ltd."),
    mac_prefix="38:4c:4f",
    ports=(PortPattern("XGigabitEthernet0/0/{n}", "XGigabitEthernet0/0/{n}", "XGE0/0/{n}",
                       1, 24, 10000, True),),
    virtual=("MEth0/0/1", "Vlanif1", "NULL0"),
)

HUAWEI_ACCESS = VendorModel(
    key="huawei-s5735", vendor="Huawei", model="S5735-L8T4S-A1", platform="huawei",
    sys_object_id="1.3.6.1.4.1.2011.2.23.633",
    sys_descr=("S5735-L8T4S-A1\r\nHuawei Versatile Routing Platform Software\r\nVRP (R) software, "
               "Version 5.170 (S5735 V200R021C00SPC100)\r\nCopyright (C) 2000-2021 HUAWEI TECH Co., Ltd."),
    mac_prefix="e0:24:7f",
    ports=(
        PortPattern("GigabitEthernet0/0/{n}", "GigabitEthernet0/0/{n}", "GE0/0/{n}", 1, 8, 1000, False),
        PortPattern("GigabitEthernet0/0/{n}", "GigabitEthernet0/0/{n}", "GE0/0/{n}", 9, 4, 1000, True),
    ),
    virtual=("Vlanif1", "NULL0"),
)

MIKROTIK_ACCESS = VendorModel(
    key="mikrotik-crs310", vendor="MikroTik", model="CRS310-1G-5S-4S+IN", platform="mikrotik_routeros",
    sys_object_id="1.3.6.1.4.1.14988.1",
    sys_descr="RouterOS CRS310-1G-5S-4S+",
    mac_prefix="48:a9:8a",
    ports=(
        PortPattern("ether{n}", "ether{n}", "ether{n}", 1, 1, 1000, False),
        PortPattern("sfp{n}", "sfp{n}", "sfp{n}", 1, 5, 1000, False),
        PortPattern("sfp-sfpplus{n}", "sfp-sfpplus{n}", "sfp-sfpplus{n}", 1, 4, 10000, True),
    ),
    virtual=("bridge",),
)

MODELS: dict[str, VendorModel] = {
    m.key: m for m in (CISCO_CORE, CISCO_ACCESS, HUAWEI_DIST, HUAWEI_ACCESS, MIKROTIK_ACCESS)
}
ACCESS_MODELS = (HUAWEI_ACCESS.key, CISCO_ACCESS.key, MIKROTIK_ACCESS.key)
