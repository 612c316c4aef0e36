"""Port-name normalisation against real interface names (LibreNMS walks, ntc-templates outputs)."""

from __future__ import annotations

import functools
import json
import re

import pytest

from tests.topology.fixtures_cli import LIBRENMS, parsed_rows
from topology.names import abbreviate, default_rules, expand, port_key, port_keys, rules_from_mapping, split

NUMBER = re.compile(r"\d+(/\d+)*(\.\d+)?")


def _interface_like(name: str) -> bool:
    kind, rest = split(name)
    return bool(rest) and bool(NUMBER.fullmatch(rest)) and kind.lower() in default_rules().canonical


@functools.lru_cache(maxsize=1)
def _librenms_ports() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted(LIBRENMS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        ports = data.get("ports", {}).get("poller") or data.get("ports", {}).get("discovery") or {}
        out += [(path.stem, p.get("ifName") or "", p.get("ifDescr") or "") for p in ports.get("ports", [])]
    return out


def test_ifname_and_ifdescr_of_real_devices_are_the_same_port() -> None:
    pairs = [(dev, n, d) for dev, n, d in _librenms_ports() if _interface_like(n) and _interface_like(d)]
    assert len(pairs) > 500, "the LibreNMS walks hold hundreds of named ports"
    assert any(n != d for _, n, d in pairs), (
        "some devices abbreviate ifName (Gi1/0/3 vs GigabitEthernet1/0/3)"
    )
    wrong = [(dev, n, d) for dev, n, d in pairs if port_key(n) != port_key(d)]
    assert not wrong


def test_lldp_port_id_and_description_name_the_same_port() -> None:
    """Cisco/Huawei send Gi1/0/16 as port id and GigabitEthernet1/0/16 as port description."""
    pairs = [
        (r["neighbor_port_id"], r["neighbor_interface"])
        for _, r in parsed_rows()
        if r.get("neighbor_port_id")
        and _interface_like(r["neighbor_port_id"])
        and _interface_like(r.get("neighbor_interface") or "")
    ]
    assert len(pairs) >= 5
    assert {(a, b) for a, b in pairs} >= {("Gi1/0/16", "GigabitEthernet1/0/16"), ("Et0/1", "Ethernet0/1")}
    assert all(port_key(a) == port_key(b) for a, b in pairs)


def test_distinct_real_ports_stay_distinct() -> None:
    names = {n for _, n, _ in _librenms_ports() if n}
    for dev in {d for d, _, _ in _librenms_ports()}:
        ports = [n for d, n, _ in _librenms_ports() if d == dev and n]
        keys = [port_key(n) for n in ports]
        assert len(set(keys)) == len(set(ports)), dev
    assert len(names) > 100


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("Gi0/1", "GigabitEthernet0/1"),
        ("GE0/0/1", "GigabitEthernet0/0/1"),
        ("Te1/1/1", "TenGigabitEthernet1/1/1"),
        ("Fa0/24", "FastEthernet0/24"),
        ("Eth1/23", "Ethernet1/23"),
        ("Et0/1", "Ethernet0/1"),
        ("Po12", "Port-channel12"),
        ("Hu1/0/49", "HundredGigE1/0/49"),
        ("Twe1/0/1", "TwentyFiveGigE1/0/1"),
        ("XGE0/0/1", "XGigabitEthernet0/0/1"),
        ("TenGigE0/0/0/20", "TenGigabitEthernet0/0/0/20"),
    ],
)
def test_abbreviations_expand_and_compare(short: str, full: str) -> None:
    assert expand(short) == full
    assert port_key(short) == port_key(full) == port_key(full.upper()) == port_key(full.lower())
    assert port_key(abbreviate(full)) == port_key(full)


@pytest.mark.parametrize(
    "name",
    [
        "xe-0/0/1",
        "ge-0/0/1",
        "et-0/0/2",
        "ether1",
        "sfp-sfpplus1",
        "sfp1",
        "10GE1/0/42",
        "1/1/1",
        "A1",
        "mgmt0",
        "InLoopBack0",
    ],
)
def test_names_without_a_rule_are_their_own_form(name: str) -> None:
    assert expand(name) == name
    assert port_key(name) == name.lower()


def test_space_between_type_and_number_and_junos_unit() -> None:
    assert port_key("TenGigabitEthernet 0/31") == port_key("Te0/31")
    assert port_key("gigabitEthernet 1/0/18") == port_key("Gi1/0/18")
    assert "ge-0/0/0" in port_keys("ge-0/0/0.0")
    assert port_key("Gi0/1") != port_key("Gi0/10") != port_key("Te0/1")


def test_rules_are_data() -> None:
    rules = rules_from_mapping({"types": {"Bundle-Ether": ["BE"]}})
    assert port_key("BE10", rules) == port_key("bundle-ether10", rules)
    assert port_key("Gi0/1", rules) != port_key("GigabitEthernet0/1", rules)


@pytest.mark.parametrize("hostile", ["", "   ", "\x00\x01", "Gi0/1'; DROP TABLE", "é" * 300, "//", "0"])
def test_hostile_names_do_not_crash(hostile: str) -> None:
    assert isinstance(port_key(hostile), str)
    assert isinstance(expand(hostile), str)
    assert isinstance(abbreviate(hostile), str)
