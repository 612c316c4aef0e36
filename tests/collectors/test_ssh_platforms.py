"""Platform definitions: the shipped files load, the loader is strict, converters and masks behave."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.observations import PollKind
from collectors.ssh import PlatformError, load_platform, load_platforms
from collectors.ssh.convert import CONVERTERS, chassis_kind, mac, port_kind, speed, uptime
from collectors.ssh.mask import MaskingSessionLog, clean_config, mask_text
from collectors.ssh.parse import ParseError, parse
from collectors.ssh.platform import MaskRule
from collectors.ssh.records import row_fields

CISCO = load_platforms()["cisco_ios"]
REQUIRED = {
    "cisco_ios": {PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.OPTICS, PollKind.CONFIG},
    "cisco_xe": {PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.OPTICS, PollKind.CONFIG},
    "huawei": {PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.CONFIG},
    "mikrotik_routeros": {PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.CONFIG},
    "juniper_junos": {PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.CONFIG},
    "arista_eos": {PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.OPTICS, PollKind.CONFIG},
    "linux": {PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.CONFIG},
}


def test_shipped_platforms_cover_the_issue() -> None:
    platforms = load_platforms()
    for name, kinds in REQUIRED.items():
        assert kinds <= platforms[name].supported, name
    commands = {s.command for p in platforms.values() for specs in p.kinds.values() for s in specs}
    for wanted in (
        "show version",
        "show interfaces",
        "show lldp neighbors detail",
        "show cdp neighbors detail",
        "show interfaces transceiver",
        "display version",
        "display interface brief",
        "display lldp neighbor",
        "show lldp neighbors",
        "show interfaces terse",
        "lldpcli -f json0 show neighbors",
        "ip -j link",
    ):
        assert wanted in commands
    assert platforms["huawei"].exit_command == "quit"


def _write(tmp_path: Path, text: str, name: str = "demo") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


BASE = """name: demo
device_type: cisco_ios
commands:
  interfaces:
    - command: show interfaces
      parser: ntc:cisco_ios/show interfaces
      fields:
        name: interface
"""


def test_minimal_file_loads(tmp_path: Path) -> None:
    platform = load_platform(_write(tmp_path, BASE))
    assert platform.supported == {PollKind.INTERFACES}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("device_type: cisco_ios", "device_type: cisco_ios\ncolour: red"),
            "demo.yaml: colour: unknown key 'colour'",
        ),
        (
            ("        name: interface", "        name: interface\n        nmae: x"),
            "demo.yaml: commands.interfaces[0].fields.nmae: unknown key 'nmae'",
        ),
        (
            ("        name: interface", "        name: {column: interface, convert: frobnicate}"),
            "commands.interfaces[0].fields.name.convert: unknown converter 'frobnicate'",
        ),
        (("        name: interface", "        mtu: mtu"), "commands.interfaces[0].fields: missing name"),
        (
            ("parser: ntc:cisco_ios/show interfaces", "parser: regex:.*"),
            "commands.interfaces[0].parser: parser must",
        ),
        (
            ("parser: ntc:cisco_ios/show interfaces", "parser: template:nope.textfsm"),
            "template file 'nope.textfsm'",
        ),
        (("  interfaces:", "  counters:"), "commands.counters: unknown key 'counters'"),
        (
            ("device_type: cisco_ios", "device_type: cisco_iso"),
            "device_type: netmiko has no device type 'cisco_iso'",
        ),
    ],
)
def test_loader_names_file_and_key_path(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(
        PlatformError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")
    ):
        load_platform(_write(tmp_path, BASE.replace(*change)))


def test_ntc_prefix_match_to_another_commands_template_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("ntc:cisco_ios/show interfaces", "ntc:juniper_junos/show interfaces terse")
    with pytest.raises(
        PlatformError, match=r"juniper_junos_show_interfaces\.textfsm, a template written for another"
    ):
        load_platform(_write(tmp_path, text))


def test_extends_merges_commands(tmp_path: Path) -> None:
    _write(tmp_path, BASE)
    child = load_platform(_write(tmp_path, "name: child\nextends: demo\ndevice_type: cisco_xe\n", "child"))
    assert child.device_type == "cisco_xe" and child.supported == {PollKind.INTERFACES}


def test_converters() -> None:
    assert mac("4C1F.CC00.0200") == mac("4c-1f-cc-00-02-00") == mac("4c1f-cc00-0200") == "4c:1f:cc:00:02:00"
    assert mac("not a mac") == "not a mac"
    assert (chassis_kind("aabb.ccdd.eeff"), chassis_kind("10.0.0.1"), chassis_kind("sw1")) == (
        "mac",
        "network_address",
        "local",
    )
    assert (port_kind("513"), port_kind("Gi1/0/1"), port_kind("fe80::1")) == (
        "local",
        "interface_name",
        "network_address",
    )
    assert (speed("10Gbps"), speed("1000Mb/s"), speed("auto")) == (10**10, 10**9, None)
    assert (
        uptime("1 year, 2 weeks, 3 days, 4 hours, 5 minutes")
        == 31_536_000 + 2 * 604_800 + 3 * 86_400 + 4 * 3600 + 300
    )
    assert uptime("1w2d3h4m5s") == 604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5


@given(st.one_of(st.text(), st.lists(st.text()), st.none(), st.integers()))
def test_converters_never_raise_on_hostile_values(value: object) -> None:
    for convert in CONVERTERS.values():
        convert(value)


@given(st.text())
def test_row_fields_keep_hostile_text_as_printable_text(value: str) -> None:
    spec = CISCO.kinds[PollKind.NEIGHBORS][0]
    fields = row_fields(
        spec.fields,
        {
            "local_interface": "Gi1/0/1",
            "neighbor_name": value,
            "chassis_id": value,
            "neighbor_port_id": value,
            "mgmt_address": value,
        },
    )
    assert all(ch.isprintable() for ch in fields["system_name"])


JUNOS_TERSE = """Interface               Admin Link Proto    Local                 Remote
ge-0/0/0                up    up
ge-0/0/0.0              up    up   eth-switch
ge-0/0/1                up    down
ge-0/0/2                down  down
xe-0/1/0                up    up
xe-0/1/0.0              up    up   inet     10.10.0.1/30
                                   inet6    fe80::1/64
lo0                     up    up
lo0.0                   up    up   inet     10.255.0.1          --> 0/0
lo0.16385               up    up   inet
{master:0}
"""


def test_our_junos_terse_template() -> None:
    rows = parse("template:juniper_junos_show_interfaces_terse.textfsm", JUNOS_TERSE)
    assert [(r["interface"], r["admin_state"], r["link_status"]) for r in rows][:5] == [
        ("ge-0/0/0", "up", "up"),
        ("ge-0/0/0.0", "up", "up"),
        ("ge-0/0/1", "up", "down"),
        ("ge-0/0/2", "down", "down"),
        ("xe-0/1/0", "up", "up"),
    ]
    assert len(rows) == 9
    lo = next(r for r in rows if r["interface"] == "lo0.0")
    assert (lo["local"], lo["remote"]) == ("10.255.0.1", "0/0")
    with pytest.raises(ParseError):
        parse("template:juniper_junos_show_interfaces_terse.textfsm", "error: syntax error\n")


def test_json_parser_paths_and_errors() -> None:
    assert parse(
        "json", 'noise\n{"lldp": [{"interface": [{"name": "a"}, {"name": "b"}]}]}', "lldp.interface"
    ) == [{"name": "a"}, {"name": "b"}]
    assert parse("json", '{"lldp": [{}]}', "lldp.interface") == []
    with pytest.raises(ParseError):
        parse("json", "lldpcli: command not found", "lldp.interface")


def test_masking_rules_and_session_log(tmp_path: Path) -> None:
    cisco = load_platforms()["cisco_ios"].config
    assert cisco is not None
    text = (
        "Building configuration...\n\n!\nusername admin privilege 15 secret 9 $9$abc$def\n"
        "snmp-server community public RO\n tacacs-server key 7 0822455D0A16\n"
        " line vty 0 4\n password 7 121A0C04\n"
    )
    cleaned = clean_config(text, cisco, ["literal-pw"])
    for secret in ("$9$abc$def", "public", "0822455D0A16", "121A0C04"):
        assert secret not in cleaned
    assert not cleaned.startswith("Building")
    assert mask_text("pw is literal-pw", (), ["literal-pw"]) == "pw is ********"
    log = MaskingSessionLog(
        str(tmp_path / "s.log"), (MaskRule(r"(community )\S+", r"\1<masked>"),), ["hunter2"]
    )
    log.open()
    for chunk in ("snmp-server comm", "unity pub", "lic RO\nlogin hun", "ter2\n"):
        log.write(chunk)
    log.close()
    written = (tmp_path / "s.log").read_text()
    assert "public" not in written and "hunter2" not in written and "community <masked> RO" in written


def test_inventory_platform_names_find_their_definition() -> None:
    from collectors.ssh import SshPoller
    from collectors.targets import Target

    poller = SshPoller()
    for name, expected in (
        ("huawei_vrp", "huawei"),
        ("huawei", "huawei"),
        ("cisco_xe", "cisco_xe"),
        ("linux", "linux"),
    ):
        found = poller.platform_for(Target(device_key="d", host="127.0.0.1", platform=name))
        assert found is not None and found.name == expected
    assert poller.platform_for(Target(device_key="d", host="127.0.0.1", platform="generic")) is None
