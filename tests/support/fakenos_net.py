"""A small vendor network served by fakenos on loopback, with consistent LLDP on every link.

``build_inventory(network, ports)`` writes a fakenos inventory in which every link appears in
*both* ends' LLDP output, each in its own vendor's format (Cisco IOS, Huawei VRP, Junos), with
interface tables, versions and running configurations that name the same devices. Junos
advertises its ifIndex as the port id and the name as the port description, as real Junos does.
The outputs follow the real device outputs in shared/fixtures/cli, so ntc-templates parse them.
``replicate(n)`` makes n independent triangles for benchmarks. Ports come from the kernel.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import Any

USERNAME = "netops"
PASSWORD = "netops-pw"


@dataclass(frozen=True)
class Device:
    name: str
    platform: str  # fakenos platform
    netmiko_platform: str  # our platform name
    chassis: str  # aa:bb:cc:dd:ee:ff
    ports: tuple[str, ...]
    mgmt: str
    ifindex: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    a: str
    a_port: str
    b: str
    b_port: str


def triangle(suffix: str = "", index: int = 0) -> tuple[list[Device], list[Link]]:
    """core (cisco_ios) - dist (huawei) - acc (junos), each pair linked once."""
    hexid = f"{index:02x}"
    core = Device(
        f"core-01{suffix}",
        "cisco_ios",
        "cisco_ios",
        f"aa:bb:cc:{hexid}:01:00",
        ("GigabitEthernet1/0/1", "GigabitEthernet1/0/2"),
        f"10.{index}.0.1",
    )
    dist = Device(
        f"dist-01{suffix}",
        "huawei_vrp",
        "huawei",
        f"4c:1f:cc:{hexid}:02:00",
        ("GigabitEthernet0/0/1", "GigabitEthernet0/0/2"),
        f"10.{index}.0.2",
    )
    acc = Device(
        f"acc-01{suffix}",
        "juniper_junos",
        "juniper_junos",
        f"4c:1f:cc:{hexid}:03:00",
        ("ge-0/0/0", "ge-0/0/1"),
        f"10.{index}.0.3",
        {"ge-0/0/0": 513, "ge-0/0/1": 514},
    )
    links = [
        Link(core.name, "GigabitEthernet1/0/1", dist.name, "GigabitEthernet0/0/1"),
        Link(core.name, "GigabitEthernet1/0/2", acc.name, "ge-0/0/0"),
        Link(dist.name, "GigabitEthernet0/0/2", acc.name, "ge-0/0/1"),
    ]
    return [core, dist, acc], links


def vendor_net() -> tuple[list[Device], list[Link]]:
    """The triangle plus an Arista EOS edge switch hanging off the core."""
    devices, links = triangle()
    edge = Device(
        "edge-01", "arista_eos", "arista_eos", "00:1c:73:00:04:00", ("Ethernet1", "Ethernet2"), "10.0.0.4"
    )
    core = devices[0]
    core = Device(
        core.name,
        core.platform,
        core.netmiko_platform,
        core.chassis,
        (*core.ports, "GigabitEthernet1/0/3"),
        core.mgmt,
    )
    return [core, *devices[1:], edge], [
        *links,
        Link(core.name, "GigabitEthernet1/0/3", edge.name, "Ethernet1"),
    ]


def free_ports(count: int) -> list[int]:
    """Ports chosen by the kernel (fakenos binds with SO_REUSEPORT, so never guess one)."""
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [int(s.getsockname()[1]) for s in sockets]
    for s in sockets:
        s.close()
    return ports


def wait_listening(ports: list[int], timeout_s: float = 60.0) -> None:
    """Block until every port accepts a TCP connection (fakenos starts its servers in threads)."""
    deadline = time.monotonic() + timeout_s
    for port in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}") from None
                time.sleep(0.05)


def _short(port: str) -> str:
    return port.replace("GigabitEthernet", "Gi")


def _cisco_mac(mac: str) -> str:
    h = mac.replace(":", "")
    return f"{h[0:4]}.{h[4:8]}.{h[8:12]}"


def _huawei_mac(mac: str) -> str:
    return _cisco_mac(mac).replace(".", "-")


def _peers(device: Device, links: list[Link]) -> list[tuple[str, str, str]]:
    """(local port, peer device name, peer port) for every link of a device."""
    out = [(lk.a_port, lk.b, lk.b_port) for lk in links if lk.a == device.name]
    out += [(lk.b_port, lk.a, lk.a_port) for lk in links if lk.b == device.name]
    return sorted(out)


def _advertised_port(peer: Device, port: str) -> tuple[str, str, str]:
    """(port id, port id type as Huawei words it, port description) as the peer advertises."""
    if peer.platform == "juniper_junos":
        return str(peer.ifindex[port]), "Locally assigned", port
    if peer.platform == "cisco_ios":
        return _short(port), "Interface name", port
    return port, "Interface name", port


def cisco_outputs(dev: Device, links: list[Link], by_name: dict[str, Device]) -> dict[str, str]:
    blocks = []
    for local, peer_name, peer_port in _peers(dev, links):
        peer = by_name[peer_name]
        port_id, _, descr = _advertised_port(peer, peer_port)
        blocks.append(
            "------------------------------------------------\n"
            f"Local Intf: {_short(local)}\nChassis id: {_cisco_mac(peer.chassis)}\nPort id: {port_id}\n"
            f"Port Description: {descr}\nSystem Name: {peer.name}\n\nSystem Description:\n"
            f"{peer.platform} test device\n\nTime remaining: 101 seconds\nSystem Capabilities: B,R\n"
            f"Enabled Capabilities: B,R\nManagement Addresses:\n    IP: {peer.mgmt}\n"
            "Auto Negotiation - supported, enabled\nPhysical media capabilities:\n    1000baseT(FD)\n"
            "Media Attachment Unit type - not advertised\nVlan ID: 1\n\n"
        )
    lldp = "".join(blocks) + f"\nTotal entries displayed: {len(blocks)}\n"
    interfaces = "".join(
        f"{port} is up, line protocol is up (connected)\n"
        f"  Hardware is Gigabit Ethernet, address is {_cisco_mac(dev.chassis)[:-1]}{i + 1} "
        f"(bia {_cisco_mac(dev.chassis)[:-1]}{i + 1})\n  Description: uplink {i + 1}\n"
        "  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,\n"
        "     reliability 255/255, txload 1/255, rxload 1/255\n  Encapsulation ARPA, loopback not set\n"
        "  Full-duplex, 1000Mb/s, media type is 10/100/1000BaseTX\n"
        for i, port in enumerate(dev.ports)
    )
    version = (
        "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E4, "
        "RELEASE SOFTWARE (fc2)\n"
        "ROM: Bootstrap program is C2960X boot loader\n"
        f"{dev.name} uptime is 1 week, 2 days, 3 hours, 4 minutes\n"
        'System image file is "flash:c2960x-universalk9-mz.152-7.E4.bin"\n\n'
        "cisco WS-C2960X-24TS-L (APM86XXX) processor (revision B0) with 524288K bytes of memory.\n"
        "Processor board ID FOC1234X0AB\n"
        "Model number                    : WS-C2960X-24TS-L\n"
        "System serial number            : FOC1234X0AB\n\n"
        "Configuration register is 0xF\n"
    )
    transceiver = (
        "If device is externally calibrated, only calibrated values are printed.\n"
        "++ : high alarm, +  : high warning, -  : low warning, -- : low alarm.\n"
        "NA or N/A: not applicable, Tx: transmit, Rx: receive.\n"
        "mA: milliamperes, dBm: decibels (milliwatts).\n\n"
        "                                 Optical   Optical\n"
        "           Temperature  Voltage  Current   Tx Power  Rx Power\n"
        "Port       (Celsius)    (Volts)  (mA)      (dBm)     (dBm)\n"
        "---------  -----------  -------  --------  --------  --------\n"
        "Gi1/0/1      31.2       3.29      14.2      -5.4      -7.1\n"
    )
    config = (
        f"Building configuration...\n\nCurrent configuration : 200 bytes\n!\nhostname {dev.name}\n!\n"
        "enable secret 5 $1$abcd$0123456789abcdefghij\n"
        f"username {USERNAME} privilege 15 password 0 {PASSWORD}\n"
        "snmp-server community netops-ro RO\n!\nend\n"
    )
    return {
        "show lldp neighbors detail": lldp,
        "show cdp neighbors detail": "",
        "show interfaces": interfaces,
        "show version": version,
        "show interfaces transceiver": transceiver,
        "show running-config": config,
        "terminal width 511": "",
        "terminal length 0": "",
    }


def huawei_outputs(dev: Device, links: list[Link], by_name: dict[str, Device]) -> dict[str, str]:
    blocks = []
    for local, peer_name, peer_port in _peers(dev, links):
        peer = by_name[peer_name]
        port_id, id_type, descr = _advertised_port(peer, peer_port)
        blocks.append(
            f"{local} has 1 neighbor(s):\n\nNeighbor index :1\nChassis type   :MAC address\n"
            f"Chassis ID     :{_huawei_mac(peer.chassis)}\nPort ID type   :{id_type}\n"
            f"Port ID        :{port_id}\n"
            f"Port description    :{descr}\nSystem name         :{peer.name}\n"
            f"System description  :{peer.platform} test device\n"
            "System capabilities supported   :bridge router\nSystem capabilities enabled     :bridge router\n"
            f"Management address type  :ipv4\nManagement address value :{peer.mgmt}\nExpired time   :95s\n\n"
        )
    header = (
        "PHY: Physical\n*down: administratively down\n^down: standby\n(l): loopback\n(s): spoofing\n"
        "InUti/OutUti: input utility/output utility\n"
        "Interface                   PHY   Protocol  InUti OutUti   inErrors  outErrors\n"
    )
    rows = "".join(f"{port:<28}up    up           0%     0%          0          0\n" for port in dev.ports)
    version = (
        "Huawei Versatile Routing Platform Software\n"
        "VRP (R) software, Version 5.170 (S5735 V200R021C00SPC100)\n"
        "Copyright (C) 2000-2021 HUAWEI TECH Co., Ltd.\n"
        "HUAWEI S5735-L24T4S-A1 Routing Switch uptime is 0 week, 3 days, 4 hours, 5 minutes\n"
    )
    config = (
        f"!Software Version V200R021C00SPC100\n#\nsysname {dev.name}\n#\n"
        "snmp-agent community read cipher %^%#abcdefgh%^%#\n#\naaa\n"
        f" local-user {USERNAME} password irreversible-cipher $1a$secrethash$\n#\nreturn\n"
    )
    return {
        "display lldp neighbor": "".join(blocks),
        "display interface brief": header + rows,
        "display version": version,
        "display current-configuration": config,
        "screen-length 0 temporary": "Info: The configuration takes effect on the current user terminal "
        "interface only.",
    }


def junos_outputs(dev: Device, links: list[Link], by_name: dict[str, Device]) -> dict[str, str]:
    lines = ["Local Interface    Parent Interface    Chassis Id          Port info          System Name"]
    for local, peer_name, peer_port in _peers(dev, links):
        peer = by_name[peer_name]
        port_id, _, _ = _advertised_port(peer, peer_port)
        lines.append(f"{local:<19}{'-':<20}{peer.chassis:<20}{port_id:<19} {peer.name}")
    terse = ["Interface               Admin Link Proto    Local                 Remote"]
    for port in dev.ports:
        terse += [f"{port:<24}up    up", f"{port + '.0':<24}up    up   eth-switch"]
    terse.append(f"{'lo0':<24}up    up")
    terse.append(f"{'lo0.0':<24}up    up   inet     {dev.mgmt:<22}--> 0/0")
    version = (
        f"Hostname: {dev.name}\nModel: ex2300-24t\nJunos: 20.4R3-S2.6\n"
        "JUNOS OS Kernel 64-bit  [20201218.3c41ce5_builder_stable_11]\n"
    )
    config = (
        f"set system host-name {dev.name}\n"
        f'set system login user {USERNAME} authentication encrypted-password "$6$abc$secrethash"\n'
        "set snmp community netops-ro authorization read-only\n"
    )
    return {
        "show lldp neighbors": "\n".join(lines) + "\n",
        "show interfaces terse": "\n".join(terse) + "\n",
        "show version": version,
        "show configuration | display set | no-more": config,
        "set cli screen-length 0": "Screen length set to 0",
        "set cli screen-width 511": "Screen width set to 511",
        "set cli complete-on-space off": "",
    }


def arista_outputs(dev: Device, links: list[Link], by_name: dict[str, Device]) -> dict[str, str]:
    blocks = []
    for local, peer_name, peer_port in _peers(dev, links):
        peer = by_name[peer_name]
        port_id, _, descr = _advertised_port(peer, peer_port)
        blocks.append(
            f"Interface {local} detected 1 LLDP neighbors:\n\n"
            f'  Neighbor {_cisco_mac(peer.chassis)}/"{port_id}", age 12 seconds\n'
            "  Discovered 1 day, 2:03:04 ago; Last changed 1 day, 2:03:04 ago\n"
            f"  - Chassis ID type: MAC address (4)\n    Chassis ID     : {_cisco_mac(peer.chassis)}\n"
            f'  - Port ID type: Interface name (5)\n    Port ID        : "{port_id}"\n'
            "  - Time To Live: 120 seconds\n"
            f'  - Port Description: "{descr}"\n  - System Name: "{peer.name}"\n'
            f'  - System Description: "{peer.platform} test device"\n'
            "  - System Capabilities : Bridge, Router\n    Enabled Capabilities: Bridge, Router\n"
            f"  - Management Address Subtype: IPv4 (1)\n    Management Address        : {peer.mgmt}\n"
            "    Interface Number Subtype  : ifIndex (2)\n    Interface Number          : 999999\n"
            "    OID String                : \n\n"
        )
    for port in dev.ports:
        if port not in {p for p, _, _ in _peers(dev, links)}:
            blocks.append(f"Interface {port} detected 0 LLDP neighbors:\n\n")
    interfaces = "".join(
        f"{port} is up, line protocol is up (connected)\n"
        f"  Hardware is Ethernet, address is {_cisco_mac(dev.chassis)[:-1]}{i + 1} "
        f"(bia {_cisco_mac(dev.chassis)[:-1]}{i + 1})\n  Description: edge port {i + 1}\n"
        "  Ethernet MTU 9214 bytes, BW 10000000 kbit\n  Full-duplex, 10Gb/s, auto negotiation: off\n"
        for i, port in enumerate(dev.ports)
    )
    version = (
        f"Arista DCS-7050TX-64-R\nHardware version:    01.11\nSerial number:       JPE12345678\n"
        f"System MAC address:  {_cisco_mac(dev.chassis)}\n\nSoftware image version: 4.21.1F\n"
        "Architecture:           i686\nInternal build version: 4.21.1F-9887494.4211F\n"
        "Internal build ID:      1497e24b-a79b-48e7-a876-43061e109b92\n\n"
        "Uptime:                 1 week, 2 days, 3 hours and 4 minutes\n"
        "Total memory:           8099732 kB\nFree memory:            6236784 kB\n"
    )
    transceiver = (
        "If device is externally calibrated, only calibrated values are printed.\n"
        "N/A: not applicable, Tx: transmit, Rx: receive.\n"
        "mA: milliamperes, dBm: decibels (milliwatts).\n"
        "                                        Bias      Optical   Optical\n"
        "            Temp       Voltage   Current   Tx Power  Rx Power\n"
        "Port        (Celsius)  (Volts)   (mA)      (dBm)     (dBm)     Last Update\n"
        "----------  ---------  --------  --------  --------  --------  -------------------\n"
        "Et1         34.12      3.30      6.63      -2.36     -3.08     0:00:03 ago\n"
    )
    config = (
        f"! device: {dev.name} (DCS-7050TX-64, EOS-4.21.1F)\n!\nhostname {dev.name}\n!\n"
        f"username {USERNAME} privilege 15 role network-admin secret sha512 $6$secrethash\n"
        "snmp-server community netops-ro ro\n!\nend\n"
    )
    return {
        "show lldp neighbors detail": "".join(blocks),
        "show interfaces": interfaces,
        "show version": version,
        "show interfaces transceiver": transceiver,
        "show running-config": config,
        "terminal width 511": "Width set to 511 columns.",
        "terminal length 0": "Pagination disabled.",
    }


OUTPUTS = {
    "cisco_ios": cisco_outputs,
    "huawei_vrp": huawei_outputs,
    "juniper_junos": junos_outputs,
    "arista_eos": arista_outputs,
}
BASE_PROMPTS = {
    "cisco_ios": "{name}",
    "huawei_vrp": "<{name}",
    "juniper_junos": "netops@{name}",
    "arista_eos": "{name}",
}


def _commands(outputs: dict[str, str], platform: str) -> dict[str, Any]:
    prompts = {
        "cisco_ios": ["{base_prompt}>", "{base_prompt}#"],
        "huawei_vrp": ["{base_prompt}>"],
        "juniper_junos": ["{base_prompt}>"],
        "arista_eos": ["{base_prompt}>", "{base_prompt}#"],
    }[platform]
    return {cmd: {"output": out, "help": cmd, "prompt": prompts} for cmd, out in outputs.items()}


def build_inventory(devices: list[Device], links: list[Link], ports: dict[str, int]) -> dict[str, Any]:
    """A fakenos inventory serving every device on its port."""
    by_name = {d.name: d for d in devices}
    hosts = {}
    for dev in devices:
        outputs = OUTPUTS[dev.platform](dev, links, by_name)
        hosts[dev.name] = {
            "port": ports[dev.name],
            "platform": dev.platform,
            "shell": {
                "plugin": "CMDShell",
                "configuration": {"base_prompt": BASE_PROMPTS[dev.platform].format(name=dev.name)},
            },
            "nos": {"plugin": dev.platform, "configuration": {"commands": _commands(outputs, dev.platform)}},
        }
    return {
        "default": {
            "username": USERNAME,
            "password": PASSWORD,
            "server": {
                "plugin": "ParamikoSshServer",
                "configuration": {"address": "127.0.0.1", "timeout": 1},
            },
        },
        "hosts": hosts,
    }
