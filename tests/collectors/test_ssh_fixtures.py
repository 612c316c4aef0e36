"""Every real CLI output in shared/fixtures/cli parses, through our platform definitions, to the
records ntc-templates expects, and then to the observations the collector returns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from collectors.observations import AdminStatus, IdKind, OperStatus, PollKind
from collectors.ssh import load_platforms, records
from collectors.ssh.parse import parse
from collectors.ssh.platform import CommandSpec

CLI = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "cli"
PLATFORMS = load_platforms()


def _manifest() -> dict[str, str]:
    """raw file name -> the command it was captured with (from MANIFEST.md's provenance table)."""
    commands: dict[str, str] = {}
    for line in (CLI / "MANIFEST.md").read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.split("|")]
        if len(cells) > 4 and cells[2].endswith(".raw"):
            commands[cells[2]] = cells[3]
    return commands


COMMANDS = _manifest() if CLI.exists() else {}
RAW_FILES = sorted(CLI.glob("*/*/*.raw")) if CLI.exists() else []
pytestmark = pytest.mark.skipif(not RAW_FILES, reason=f"no CLI fixtures at {CLI}")


def _spec_for(platform: str, command: str) -> tuple[PollKind, CommandSpec] | None:
    wanted = (f"ntc:{platform}", command.lstrip("/"))
    for definition in PLATFORMS.values():
        for kind, specs in definition.kinds.items():
            for spec in specs:
                head, _, tail = spec.parser.partition("/")
                if (head, tail.lstrip("/")) == wanted:
                    return kind, spec
    return None


def _load(raw: Path) -> tuple[str, str, str, list[dict[str, object]]]:
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text())["parsed_sample"]
    return raw.parts[-3], COMMANDS[raw.name], raw.read_text(), expected


def _observations(kind: PollKind, spec: CommandSpec, rows: list[dict[str, object]]) -> list[object]:
    if kind is PollKind.FACTS:
        return [records.facts(spec, [{**r, "_prompt": "prompt-name"} for r in rows])]
    builder = {
        PollKind.INTERFACES: records.interfaces,
        PollKind.NEIGHBORS: records.neighbors,
        PollKind.OPTICS: records.optics,
    }[kind]
    return list(builder(spec, rows))


def test_manifest_names_every_raw_file() -> None:
    assert len(RAW_FILES) >= 59
    assert {r.name for r in RAW_FILES} <= set(COMMANDS)


@pytest.mark.parametrize("raw", RAW_FILES, ids=lambda p: p.name)
def test_fixture_parses_to_its_expected_records(raw: Path) -> None:
    platform, command, text, expected = _load(raw)
    found = _spec_for(platform, command)
    parser = found[1].parser if found else f"ntc:{platform}/{command}"
    assert parse(parser, text) == expected


def _polled(raw: Path) -> bool:
    return _spec_for(raw.parts[-3], COMMANDS.get(raw.name, "")) is not None


def test_most_fixtures_are_commands_we_poll() -> None:
    # the rest (e.g. RouterOS `/interface print detail`, Junos `show interfaces`) are alternatives
    # of a command we poll; they still must parse, above
    assert sum(map(_polled, RAW_FILES)) >= 50


@pytest.mark.parametrize("raw", [r for r in RAW_FILES if _polled(r)], ids=lambda p: p.name)
def test_fixture_becomes_observations(raw: Path) -> None:
    platform, command, text, expected = _load(raw)
    found = _spec_for(platform, command)
    assert found is not None
    kind, spec = found
    observed = _observations(kind, spec, parse(spec.parser, text))
    if kind is PollKind.NEIGHBORS:
        local = spec.fields["local_port"].column or ""
        placed = [r for r in expected if str(r.get(local.split("|")[0], "")).strip()]
        assert len(observed) == len(placed)
        for neighbor in observed:
            assert neighbor.chassis_id_kind in IdKind and neighbor.port_id_kind in IdKind
            if neighbor.chassis_id_kind is IdKind.MAC:
                assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", neighbor.chassis_id)
    elif kind is PollKind.INTERFACES:
        assert [i.name for i in observed] == [r[spec.fields["name"].column or ""] for r in expected]
        assert all(i.admin_status is not AdminStatus.UNKNOWN for i in observed)
    elif kind is PollKind.FACTS:
        (facts,) = observed
        assert facts is not None and facts.sys_name and (facts.os_version or facts.model)
    else:
        assert observed and all(r.port for r in observed)


def _one(platform: str, folder: str, name: str) -> list[object]:
    raw = CLI / platform / folder / name
    _, command, text, _ = _load(raw)
    found = _spec_for(platform, command)
    assert found is not None
    return _observations(found[0], found[1], parse(found[1].parser, text))


def test_cisco_lldp_detail_fields() -> None:
    first = _one("cisco_ios", "show_lldp_neighbors_detail", "cisco_ios_show_lldp_neighbors_detail_01.raw")[0]
    assert (first.local_port, first.chassis_id, first.chassis_id_kind) == (
        "Gi1/1/2",
        "24:16:ab:cd:ab:cd",
        IdKind.MAC,
    )
    assert (first.port_id, first.port_id_kind) == ("Gi1/0/16", IdKind.INTERFACE_NAME)
    assert first.system_name == "sdalab-bldg1-as01.devices.example.com"
    assert first.management_address == "172.16.1.1"


def test_cisco_lldp_numeric_port_id_is_a_local_id() -> None:
    junos_peer = _one("cisco_ios", "show_lldp_neighbors_detail", "cisco_ios_show_lldp_neighbors_detail1.raw")[
        0
    ]
    assert (junos_peer.port_id, junos_peer.port_id_kind) == ("502", IdKind.LOCAL)
    assert junos_peer.port_description == "ge-0/0/0.0"


def test_cdp_neighbor_uses_device_id() -> None:
    first = _one("cisco_ios", "show_cdp_neighbors_detail", "cisco_ios_show_cdp_neighbors_detail.raw")[0]
    assert first.protocol == "cdp" and first.chassis_id_kind is IdKind.LOCAL
    assert (first.local_port, first.system_name, first.port_id) == (
        "GigabitEthernet1/0/16",
        "desktop-switch",
        "GigabitEthernet0/1",
    )


def test_cisco_version_and_interfaces() -> None:
    (facts,) = _one("cisco_ios", "show_version", "cisco_ios_show_version.raw")
    assert (facts.hostname, facts.os_version, facts.model, facts.serial) == (
        "router1",
        "12.2(54)SG1",
        "WS-C4948E",
        "CAT1451S15C",
    )
    assert facts.uptime_s == ((2 * 365 + 31 * 7 + 6) * 86400 + 9 * 3600 + 55 * 60)
    gi00 = _one("cisco_ios", "show_interfaces", "cisco_ios_show_interfaces.raw")[0]
    assert (gi00.name, gi00.admin_status, gi00.oper_status) == (
        "GigabitEthernet0/0",
        AdminStatus.UP,
        OperStatus.DOWN,
    )
    assert (gi00.speed_bps, gi00.mtu, gi00.mac) == (1_000_000_000, 1500, "fa:16:3e:57:33:6f")


def test_huawei_lldp_and_brief() -> None:
    neighbors = _one("huawei_vrp", "display_lldp_neighbor", "huawei_vrp_display_lldp_neighbor.raw")
    first = neighbors[0]
    assert (first.local_port, first.chassis_id, first.chassis_id_kind) == (
        "GigabitEthernet0/0/1",
        "f5:5f:c2:c5:e1:80",
        IdKind.MAC,
    )
    assert (first.port_id, first.port_id_kind) == ("Gi1/0/1", IdKind.INTERFACE_NAME)
    states = {
        i.name: (i.admin_status, i.oper_status)
        for i in _one("huawei_vrp", "display_interface_brief", "huawei_vrp_display_interface_brief2.raw")
    }
    assert (AdminStatus.UP, OperStatus.DOWN) in states.values()
    assert (AdminStatus.UP, OperStatus.UP) in states.values()


def test_huawei_version_takes_name_from_prompt() -> None:
    (facts,) = _one("huawei_vrp", "display_version", "huawei_vrp_display_version3.raw")
    assert (facts.sys_name, facts.model, facts.vendor) == ("prompt-name", "AR6280", "Huawei")


def test_junos_lag_members_and_mikrotik_neighbors() -> None:
    members = _one("juniper_junos", "show_lldp_neighbors", "juniper_junos_show_lldp_neighbors_ae7.raw")
    assert {n.local_port for n in members} == {"xe-0/1/1", "xe-0/3/3", "xe-2/0/5", "xe-2/1/5"}
    assert {n.system_name for n in members} == {"core01.sjc01"}
    wrapped = _one(
        "mikrotik_routeros",
        "ip_neighbor_print_detail",
        "mikrotik_routeros_ip_neighbor_print_detail_line_wrap.raw",
    )
    assert next((n.local_port, n.port_id) for n in wrapped) == ("ether2", "ether1")


def test_aruba_qsfp_gives_one_reading_per_lane() -> None:
    readings = _one("aruba_aoscx", "show_interface_dom_detail", "show_interface_dom_detail.raw")
    qsfp = [r for r in readings if r.port == "1/1/56"]
    assert [r.lane for r in qsfp] == [1, 2, 3, 4]
    assert qsfp[0].rx_dbm == pytest.approx(-3.19, abs=0.01)
    assert qsfp[0].temperature_c == 28.0
