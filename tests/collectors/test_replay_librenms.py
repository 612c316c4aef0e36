"""Replay of 20 recorded real devices (snmpsim): netops must read what LibreNMS expects.

For every recording: interfaces (ifName, ifOperStatus, speed) match ``ports.poller.ports``,
LLDP/CDP neighbors match ``discovery-protocols`` links, dBm sensors match ``sensors``, and
the vendor profile is recognised. A failing comparison names the device and the field.
Known, documented differences (../shared/fixtures/librenms/MANIFEST.md) are data below.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from collectors.observations import PollKind, PollResult
from collectors.targets import Secret, SnmpV2c
from tests.collectors.conftest import DEVICES, DISCOVERY, expected, poll_once, sim_target

# LibreNMS OS name -> profiles that may be chosen for it.
OS_PROFILES = {
    "ios": ("cisco",), "iosxe": ("cisco_xe", "cisco"), "nxos": ("cisco_nxos",), "vrp": ("huawei",),
    "routeros": ("mikrotik",), "junos": ("juniper",), "procurve": ("hp_procurve",),
    "arubaos-cx": ("aruba_aoscx",), "edgeswitch": ("ubiquiti_edgeswitch",),
    "edgeos": ("ubiquiti_edgerouter",),
    "zxr10": ("zte",), "ruijie": ("ruijie",), "dlink": ("dlink",), "jetstream": ("tplink",),
    "linux": ("linux_netsnmp",),
}
# TP-Link keeps LLDP in a private MIB (MANIFEST): LLDP-MIB readers correctly find none of it.
PRIVATE_LLDP = {"jetstream_sg2218p"}
# Devices whose optical tables carry Rx alarm thresholds netops reads (CISCO-ENTITY-SENSOR-MIB
# entSensorThresholdTable, JUNIPER-DOM-MIB); they must match LibreNMS's sensor limits.
THRESHOLD_DEVICES = {"nxos_n3k-3064pq", "iosxe_ie32008t2s-ios17-12", "junos_qfx5100", "junos_mx5t-isis"}
MAC_LIKE = re.compile(r"^[0-9a-f]{2}([ :.-]?[0-9a-f]{2}){5}$", re.IGNORECASE)


HEX_BYTES = re.compile(r"^([0-9A-F]{2} )+[0-9A-F]{2}$")


def norm_port(text: str) -> str:
    """Compare port ids, not LibreNMS's formatting: MACs without separators, and ids it
    printed as hex bytes (e.g. '31 2F 32 35 00' = '1/25' + NUL) decoded like netops does."""
    text = text.split(" (")[0].strip()
    if MAC_LIKE.match(text):
        return re.sub(r"[ :.-]", "", text).lower()
    if HEX_BYTES.match(text):
        return bytes.fromhex(text.replace(" ", "")).rstrip(b"\x00").decode("latin-1")
    return text


def norm_space(text: str) -> str:
    """Whitespace-insensitive; LibreNMS also strips the quotes some recordings kept."""
    return " ".join(text.split()).strip('"')


@pytest.mark.parametrize("device", DEVICES)
def test_every_kind_completes(recorded: dict[str, PollResult], device: str) -> None:
    result = recorded[device]
    assert result.errors == (), f"{device}: {result.errors}"
    assert result.completed == DISCOVERY, f"{device}: completed only {sorted(result.completed)}"


@pytest.mark.parametrize("device", DEVICES)
def test_facts_and_profile(recorded: dict[str, PollResult], device: str) -> None:
    want = expected(device)["os"]["discovery"]["devices"][0]
    result = recorded[device]
    assert result.facts is not None
    assert "." + result.facts.sys_object_id == want["sysObjectID"], f"{device}: sysObjectID"
    assert result.facts.sys_name == want["sysName"], f"{device}: sysName"
    assert norm_space(result.facts.sys_descr) == norm_space(want["sysDescr"] or ""), f"{device}: sysDescr"
    assert result.profile in OS_PROFILES[want["os"]], f"{device}: profile {result.profile}, os {want['os']}"


@pytest.mark.parametrize("device", DEVICES)
def test_interfaces_match_librenms(recorded: dict[str, PollResult], device: str) -> None:
    ours = {i.if_index: i for i in recorded[device].interfaces}
    problems = []
    for port in expected(device)["ports"]["poller"]["ports"]:
        idx = port["ifIndex"]
        mine = ours.get(idx)
        if mine is None:
            problems.append(f"ifIndex {idx} ({port['ifName']}) missing")
            continue
        want_speed = port["ifSpeed"] or None
        # netops keeps names unique per device: a repeated ifName gets "#ifIndex" (procurve lo0).
        name = mine.name.removesuffix(f"#{idx}")
        for field, got, want in (("ifName", name, port["ifName"]),
                                 ("ifOperStatus", str(mine.oper_status), port["ifOperStatus"]),
                                 ("speed", mine.speed_bps, want_speed)):
            if got != want:
                problems.append(f"ifIndex {idx} {field}: netops {got!r} != LibreNMS {want!r}")
    assert not problems, f"{device}: " + "; ".join(problems[:10])


def _expected_links(device: str) -> set[tuple[str, str, str, str]]:
    links = expected(device).get("discovery-protocols", {}).get("discovery", {}).get("links", [])
    return {(link["protocol"], link["ifName"], link["remote_hostname"], norm_port(link["remote_port"]))
            for link in links}


@pytest.mark.parametrize("device", DEVICES)
def test_neighbors_match_librenms(recorded: dict[str, PollResult], device: str) -> None:
    want = _expected_links(device)
    if device in PRIVATE_LLDP:
        want = set()
    ours = {}
    for n in recorded[device].neighbors:
        hostname = n.system_name or n.system_description  # LibreNMS falls back to sysDesc
        ours[(str(n.protocol), n.local_port, hostname, norm_port(n.port_id))] = n
    missing = want - set(ours)
    assert not missing, f"{device}: neighbors LibreNMS has and netops lacks: {sorted(missing)}"
    if "discovery-protocols" in expected(device):
        extra = [k for k in set(ours) - want if ours[k].system_name or ours[k].system_description]
        assert not extra, f"{device}: neighbors netops has and LibreNMS lacks: {sorted(extra)}"


def test_routeros_single_index_lldp_rows(recorded: dict[str, PollResult]) -> None:
    """RouterOS 6 lldpRemTable has one index sub-id and no JSON: take the walk itself (18 rows)."""
    neighbors = recorded["routeros_crs317"].neighbors
    assert len(neighbors) == 18
    assert all(n.local_port == "" and n.chassis_id_kind == "mac" for n in neighbors)
    assert {n.system_name for n in neighbors} >= {"router.jason.corp.local", "server-sw"}


@pytest.mark.parametrize("device", DEVICES)
def test_optics_match_librenms(recorded: dict[str, PollResult], device: str) -> None:
    sensors = [s for s in expected(device).get("sensors", {}).get("discovery", {}).get("sensors", [])
               if s["sensor_class"] == "dbm"]
    optics = recorded[device].optics
    problems, thresholds_checked = [], 0
    for sensor in sensors:
        descr, current = sensor["sensor_descr"], sensor["sensor_current"]
        direction = "rx" if re.search(r"(?i)\b(rx|receive)", descr) else "tx"
        lane = re.search(r"(?i)lane (\d+)", descr)
        slot = descr.split()[-1] if "/" in descr.split()[-1] else None  # IE3200: 'FS Tx Power  1/1'
        candidates = [o for o in optics
                      if (o.port in descr or str(o.if_index) == sensor["entPhysicalIndex"]
                          or (slot and o.port.endswith(slot)))
                      and (lane is None or o.lane == int(lane.group(1)))]
        values = [getattr(o, f"{direction}_dbm") for o in candidates]
        if not any(v is not None and abs(v - current) < 0.02 for v in values):
            problems.append(f"{descr!r}: LibreNMS {current} dBm, netops {values}")
        if direction == "rx":
            for field, want in (("rx_low_alarm_dbm", sensor["sensor_limit_low"]),
                                ("rx_high_alarm_dbm", sensor["sensor_limit"])):
                got = [getattr(o, field) for o in candidates if getattr(o, field) is not None]
                if got and (want is None or all(abs(g - want) > 0.02 for g in got)):
                    problems.append(f"{descr!r} {field}: LibreNMS {want}, netops {got}")
                thresholds_checked += bool(got)
    assert not problems, f"{device}: optics: " + "; ".join(problems[:8])
    if device in THRESHOLD_DEVICES:
        assert thresholds_checked, f"{device}: no Rx alarm thresholds read"


@pytest.mark.parametrize("device", ["linux_ntc"])
def test_snmpv1_reads_what_v2c_reads(recorded: dict[str, PollResult], snmpsim: int, device: str) -> None:
    """SNMPv1 has no GETBULK: the walker falls back to GETNEXT and ends on noSuchName."""
    target = replace(sim_target(device, snmpsim), snmp=SnmpV2c(Secret(device), version="1"))
    v1 = poll_once(target, frozenset({PollKind.INTERFACES, PollKind.NEIGHBORS}))
    assert v1.errors == ()
    mine = [(i.name, i.oper_status, i.admin_status) for i in v1.interfaces]
    assert mine == [(i.name, i.oper_status, i.admin_status) for i in recorded[device].interfaces]
    assert len(v1.neighbors) == len(recorded[device].neighbors)
