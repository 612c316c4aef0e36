"""Inventory file validation: every bad input is reported with file:line and field, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory.files import parse_inventory, read_inventory
from inventory.spec import InventoryError, KnownNames

GOOD = """\
credentials:
  snmp-ro: {type: snmp, version: 2c, community: {env: NETOPS_SNMP_COMMUNITY}}
  ssh-ro: {type: ssh, username: netops, password: {file: secrets/ssh.txt}}
sites:
  - {name: Balai Kota, kind: core}
devices:
  - {name: core-1, address: 192.0.2.1, site: Balai Kota, role: core, platform: cisco_ios, snmp: snmp-ro}
  - {name: sw-1, address: sw-1.example.net, site: Balai Kota, snmp: snmp-ro, ssh: ssh-ro}
links:
  - {a: sw-1:Gi0/1, b: core-1:Gi1/0/1, length_m: 120}
"""


def problems_of(text: str, known: KnownNames | None = None) -> list[str]:
    with pytest.raises(InventoryError) as err:
        parse_inventory(text, "net.yaml", known)
    return [str(p) for p in err.value.problems]


def test_good_file_parses_with_references_and_normalised_links(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(GOOD)
    doc = read_inventory(path)
    assert [c.name for c in doc.credentials] == ["snmp-ro", "ssh-ro"]
    assert (
        doc.credentials[0].community is not None
        and doc.credentials[0].community.ref == "env:NETOPS_SNMP_COMMUNITY"
    )
    # a relative file reference is anchored at the inventory file's directory
    password = doc.credentials[1].password
    assert password is not None and password.ref == f"file:{tmp_path / 'secrets' / 'ssh.txt'}"
    link = doc.links[0]
    assert (link.a_device, link.a_port, link.b_device, link.b_port) == ("core-1", "Gi1/0/1", "sw-1", "Gi0/1")
    assert link.length_m == 120.0 and link.medium == "fiber"
    assert doc.warnings == ()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  - {name: sw-1, address: sw-1.example.net,",
            "  - {name: core-1, address: sw-1.example.net,",
            "net.yaml:8: devices[2].name: duplicate name 'core-1' (first at line 7)",
        ),
        (
            "site: Balai Kota, role: core",
            "site: Balai Kotta, role: core",
            "net.yaml:7: devices[1].site: unknown site 'Balai Kotta'",
        ),
        (
            "snmp: snmp-ro, ssh: ssh-ro",
            "snmp: snmp-rw, ssh: ssh-ro",
            "net.yaml:8: devices[2].snmp: unknown credential 'snmp-rw'",
        ),
        (
            "snmp: snmp-ro, ssh: ssh-ro",
            "snmp: ssh-ro, ssh: ssh-ro",
            "net.yaml:8: devices[2].snmp: credential 'ssh-ro' is a ssh credential",
        ),
        (
            "address: 192.0.2.1,",
            "address: 192.0.2.256,",
            "net.yaml:7: devices[1].address: '192.0.2.256' is not an IP address or host name",
        ),
        (
            "address: sw-1.example.net,",
            "address: 'sw 1!',",
            "net.yaml:8: devices[2].address: 'sw 1!' is not an IP address or host name",
        ),
        (
            "platform: cisco_ios",
            "platform: cisco_ioz",
            "net.yaml:7: devices[1].platform: unknown value 'cisco_ioz'",
        ),
        (
            "role: core, platform",
            "role: router, platform",
            "net.yaml:7: devices[1].role: unknown value 'router'",
        ),
        (
            "{a: sw-1:Gi0/1, b: core-1:Gi1/0/1",
            "{a: sw-9:Gi0/1, b: core-1:Gi1/0/1",
            "net.yaml:10: links[1].a: unknown device 'sw-9'",
        ),
        (
            "{a: sw-1:Gi0/1, b: core-1:Gi1/0/1",
            "{a: sw-1, b: core-1:Gi1/0/1",
            "net.yaml:10: links[1].a: expected DEVICE:PORT",
        ),
        (
            "  - {name: Balai Kota, kind: core}",
            "  - {name: Balai Kota, kind: core}\n  - {name: Balai Kota}",
            "net.yaml:6: sites[2].name: duplicate name 'Balai Kota' (first at line 5)",
        ),
        ("kind: core}", "kind: castle}", "net.yaml:5: sites[1].kind: unknown value 'castle'"),
        ("version: 2c", "version: 4", "net.yaml:2: credentials.snmp-ro.version: unknown value '4'"),
        ("length_m: 120", "length_m: far", "net.yaml:10: links[1].length_m: expected a number"),
        ("role: core,", "role: core, colour: red,", "net.yaml:7: devices[1].colour: unknown field"),
        (
            "community: {env: NETOPS_SNMP_COMMUNITY}",
            "community: {env: 'NOT A NAME'}",
            "net.yaml:2: credentials.snmp-ro.community.env: 'NOT A NAME' is not an environment variable name",
        ),
    ],
)
def test_each_bad_input_is_located(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    found = problems_of(GOOD.replace(old, new, 1))
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_at_once() -> None:
    text = (
        GOOD.replace("address: 192.0.2.1,", "address: 300.1.1.1,")
        .replace("platform: cisco_ios", "platform: nope")
        .replace("b: core-1:Gi1/0/1", "b: ghost:Gi1/0/1")
    )
    found = problems_of(text)
    assert len(found) == 3
    assert [p.split(":")[1] for p in found] == ["7", "7", "10"]


def test_yaml_syntax_error_is_located() -> None:
    found = problems_of(
        GOOD.replace("  - {name: Balai Kota, kind: core}", "  - {name: Balai Kota, kind: core")
    )
    assert len(found) == 1 and "YAML syntax error" in found[0]
    assert found[0].startswith("net.yaml:6:")


def test_duplicate_credential_key_is_reported() -> None:
    text = GOOD.replace("  ssh-ro:", "  snmp-ro: {type: snmp, version: 1, community: {env: X}}\n  ssh-ro:")
    assert any(p.startswith("net.yaml:3: credentials.snmp-ro: key given twice") for p in problems_of(text))


def test_names_known_in_the_database_may_be_referenced() -> None:
    text = (
        "devices:\n  - {name: sw-2, address: 10.0.0.2, site: Old Site, snmp: old-snmp}\n"
        "links:\n  - {a: sw-2:p1, b: core-9:p2}\n"
    )
    known = KnownNames(
        sites=frozenset({"Old Site"}), devices=frozenset({"core-9"}), credentials={"old-snmp": "snmp"}
    )
    doc = parse_inventory(text, "x.yaml", known)
    assert doc.devices[0].site == "Old Site" and len(doc.links) == 1
    assert problems_of(text)  # without them the same file is invalid


def test_literal_secret_is_accepted_with_a_warning_that_hides_it() -> None:
    doc = parse_inventory(
        "credentials:\n  lab: {type: snmp, version: 2c, community: public-lab-string}\n", "l.yaml"
    )
    community = doc.credentials[0].community
    assert community is not None and community.literal == "public-lab-string"
    assert len(doc.warnings) == 1 and "l.yaml:2" in doc.warnings[0]
    assert "public-lab-string" not in doc.warnings[0] and "public-lab-string" not in repr(doc)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{type: snmp, version: 3}", "credentials.c.user: required"),
        ("{type: snmp, version: 3, user: u, auth: {protocol: sha}}", "credentials.c.auth.key: required"),
        (
            "{type: snmp, version: 3, user: u, priv: {protocol: aes, key: {env: P}}}",
            "credentials.c.priv: privacy needs authentication",
        ),
        ("{type: snmp, version: 2c}", "credentials.c.community: required"),
        ("{type: ssh}", "credentials.c.username: required"),
        ("{type: ssh, username: u}", "credentials.c: an SSH credential needs a password or a key_file"),
        ("{type: telnet}", "credentials.c.type: unknown value 'telnet'"),
        (
            "{type: snmp, version: 2c, community: {vault: x}}",
            "a secret reference is {env: NAME} or {file: PATH}",
        ),
    ],
)
def test_credential_shapes(body: str, fragment: str) -> None:
    found = problems_of(f"credentials:\n  c: {body}\n")
    assert any(fragment in p and p.startswith("net.yaml:2:") for p in found), found


def test_v3_credential_fields() -> None:
    doc = parse_inventory(
        "credentials:\n  v3: {type: snmp, version: 3, user: netops, auth: {protocol: SHA256, key: "
        "{env: A}}, priv: {protocol: aes256, key: {env: P}}}\n",
        "v.yaml",
    )
    cred = doc.credentials[0]
    assert (cred.snmp_version, cred.username, cred.auth_protocol, cred.priv_protocol) == (
        "3",
        "netops",
        "sha256",
        "aes256",
    )
    assert cred.auth_key is not None and cred.auth_key.ref == "env:A"


def test_not_a_mapping_at_top_level() -> None:
    assert problems_of("- just\n- a list\n")[0].startswith("net.yaml:1:")


def test_hostile_strings_do_not_crash() -> None:
    text = 'sites:\n  - {name: "<script>\\u0000\\n", kind: other, notes: "\\x1b[31m"}\n'
    doc = parse_inventory(text, "h.yaml")
    assert doc.sites[0].name.startswith("<script>")


def test_device_names_with_colons_in_link_ends() -> None:
    text = (
        "devices:\n  - {name: 'sw:lab', address: 10.0.0.1}\n  - {name: sw2, address: 10.0.0.2}\n"
        "links:\n  - {a: 'sw:lab:ether1', b: 'sw2:ge-0/0/1'}\n"
    )
    link = parse_inventory(text, "c.yaml").links[0]
    assert (link.a_device, link.a_port, link.b_device, link.b_port) == ("sw2", "ge-0/0/1", "sw:lab", "ether1")


def test_snmp_version_2_means_2c() -> None:
    doc = parse_inventory("credentials:\n  c: {type: snmp, version: 2, community: {env: C}}\n", "v.yaml")
    assert doc.credentials[0].snmp_version == "2c"


def test_semicolon_csv_with_decimal_commas() -> None:
    text = "name;kind;latitude;longitude\nBalai Kota;core;-7,4797;110,2177\n"
    site = parse_inventory(text, "sites.csv", fmt="csv").sites[0]
    assert (site.name, site.latitude, site.longitude) == ("Balai Kota", -7.4797, 110.2177)


def test_csv_unknown_column_and_record_type() -> None:
    with pytest.raises(InventoryError) as err:
        parse_inventory("record,name,colour\nrouter,x,red\n", "m.csv", fmt="csv")
    found = [str(p) for p in err.value.problems]
    assert found[0].startswith("m.csv:1: colour: unknown column")
    assert any(p.startswith("m.csv:2: record: unknown record type 'router'") for p in found)


def test_blank_names_are_missing() -> None:
    found = problems_of("sites:\n  - {name: '   ', kind: core}\n")
    assert found == ["net.yaml:2: sites[1].name: required"]
