"""The foundation commands end to end through click: init, inventory import/export/show, errors."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main

LITERALS = ("lab-community-42", "hunter2-lab", "v3-auth-secret", "v3-priv-secret")
LAB = """\
credentials:
  lab: {type: snmp, version: 2c, community: lab-community-42}
  lab-ssh: {type: ssh, username: admin, password: hunter2-lab}
  lab-v3: {type: snmp, version: 3, user: u, auth: {protocol: sha, key: v3-auth-secret},
           priv: {protocol: aes, key: v3-priv-secret}}
sites:
  - {name: Lab, kind: other}
devices:
  - {name: lab-sw, address: 127.0.0.1, site: Lab, snmp: lab, ssh: lab-ssh}
  - {name: lab-sw3, address: 127.0.0.2, site: Lab, snmp: lab-v3}
"""


@pytest.fixture
def env(tmp_path: Path, migrated_db_url: str) -> dict[str, str]:
    return {
        "NETOPS_DATA_DIR": str(tmp_path / "var"),
        "NETOPS_DATABASE_URL": migrated_db_url,
        "NETOPS_CONFIG": "",
    }


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_help_lists_the_foundation_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "init" in result.output and "inventory" in result.output
    sub = CliRunner().invoke(main, ["inventory", "--help"])
    assert all(cmd in sub.output for cmd in ("import", "export", "show"))


def test_init_creates_schema_and_key_once(tmp_path: Path, db_url: str) -> None:
    env = {"NETOPS_DATA_DIR": str(tmp_path / "var"), "NETOPS_DATABASE_URL": db_url, "NETOPS_CONFIG": ""}
    first = run(env, "init")
    assert first.exit_code == 0, first.output
    assert "created" in first.output and "schema revision" in first.output
    key = (tmp_path / "var" / "secret.key").read_bytes()
    second = run(env, "init")
    assert second.exit_code == 0 and "kept" in second.output
    assert (tmp_path / "var" / "secret.key").read_bytes() == key


def test_import_reimport_export_show(
    env: dict[str, str], tmp_path: Path, magelang_inventory_yaml: Path
) -> None:
    first = run(env, "inventory", "import", str(magelang_inventory_yaml))
    assert first.exit_code == 0, first.output
    assert first.output.startswith("21 created, 0 updated, 0 unchanged")
    again = run(env, "inventory", "import", str(magelang_inventory_yaml))
    assert again.output.startswith("0 created, 0 updated, 21 unchanged")
    out = tmp_path / "out" / "inv.yaml"
    exported = run(env, "inventory", "export", "-o", str(out))
    assert exported.exit_code == 0 and out.exists()
    assert run(env, "inventory", "export").output == out.read_text()
    csv_text = run(env, "inventory", "export", "--format", "csv").output
    assert csv_text.startswith("record,name,")
    shown = json.loads(run(env, "inventory", "show", "--json").output)
    assert set(shown) == {"sites", "devices"}
    assert len(shown["sites"]) == 6 and len(shown["devices"]) == 6
    kominfo_site = next(x for x in shown["sites"] if x["name"] == "Dinas Kominfo")
    assert kominfo_site["notes"] == "server room on floor 2" and kominfo_site["latitude"] == -7.4752
    core = next(d for d in shown["devices"] if d["name"] == "core-balaikota")
    assert core["snmp_credential"] == "city-v3" and core["ssh_credential"] == "city-ssh"
    assert core["site"] == "Balai Kota" and core["snmp_port"] == 161 and core["state"] == "unknown"
    kominfo = next(d for d in shown["devices"] if d["name"] == "sw-kominfo")
    assert kominfo["poll_intervals"] == {"status": 30}
    text = run(env, "inventory", "show").output
    assert "core-balaikota" in text and "(disabled)" in text


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "  - {name: Lab, kind: other}",
            "  - {name: Lab, kind: other}\n  - {name: Lab}",
            ":8: sites[2].name: duplicate",
        ),
        ("site: Lab, snmp: lab,", "site: Lost, snmp: lab,", ":9: devices[1].site: unknown site 'Lost'"),
        ("snmp: lab-v3}", "snmp: lab-v4}", ":10: devices[2].snmp: unknown credential 'lab-v4'"),
        ("address: 127.0.0.2", "address: 127.0.0.999", ":10: devices[2].address: '127.0.0.999' is not"),
        (
            "site: Lab, snmp: lab,",
            "site: Lab, platform: ios, snmp: lab,",
            ":9: devices[1].platform: unknown value",
        ),
        (
            "site: Lab, snmp: lab-v3",
            "site: Lab, role: boss, snmp: lab-v3",
            ":10: devices[2].role: unknown value",
        ),
        (
            "snmp: lab-v3}\n",
            "snmp: lab-v3}\nlinks:\n  - {a: lab-sw:p1, b: nobody:p2}\n",
            ":12: links[1].b: unknown device 'nobody'",
        ),
        ("  - {name: Lab, kind: other}", "  - {name: Lab, kind: other", ":8: YAML syntax error"),
    ],
)
def test_bad_files_exit_2_list_problems_and_change_nothing(
    env: dict[str, str], tmp_path: Path, old: str, new: str, fragment: str
) -> None:
    good = tmp_path / "lab.yaml"
    good.write_text(LAB)
    assert run(env, "inventory", "import", str(good)).exit_code == 0
    before = run(env, "inventory", "show", "--json").stdout
    bad = tmp_path / "bad.yaml"
    assert old in LAB
    bad.write_text(
        LAB.replace(old, new).replace("lab-sw3, address: 127.0.0.2", "lab-sw3, address: 127.0.0.3")
    )
    result = run(env, "inventory", "import", str(bad))
    assert result.exit_code == 2
    assert f"{bad}{fragment}" in result.output, result.output
    assert "nothing written" in result.output and "Traceback" not in result.output
    assert run(env, "inventory", "show", "--json").stdout == before


def test_secrets_never_in_exports_show_or_logs(
    env: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lab = tmp_path / "lab.yaml"
    lab.write_text(LAB)
    caplog.set_level(logging.DEBUG)
    outputs = [run(env, "-vv", "inventory", "import", str(lab))]
    assert outputs[0].exit_code == 0 and "literal secret accepted" in outputs[0].output
    outputs.append(run(env, "-vv", "inventory", "import", str(lab)))
    assert outputs[1].stdout.startswith("0 created, 0 updated")
    for fmt in ("yaml", "csv"):
        outputs.append(run(env, "-vv", "inventory", "export", "--format", fmt))
    outputs += [run(env, "-vv", "inventory", "show", "--json"), run(env, "-vv", "inventory", "show")]
    everything = "\n".join(r.output for r in outputs) + caplog.text
    for literal in LITERALS:
        assert literal not in everything
    assert "enc:" not in everything
    assert "NETOPS_SECRET_LAB_COMMUNITY" in outputs[2].stdout


def test_configuration_error_is_one_line_without_traceback(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["inventory", "show"], env={**env, "NETOPS_WEB__PORT": "eighty"})
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "NETOPS_WEB__PORT" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = {"NETOPS_DATA_DIR": str(tmp_path), "NETOPS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = CliRunner().invoke(main, ["inventory", "show"], env=env)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("Error: database ") and result.output.strip().count("\n") == 0
