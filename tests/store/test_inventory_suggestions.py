"""Inventory-file errors name the nearest valid field or name ("did you mean ...?") and say that
list positions count from 1: a real file imported with ``netops inventory import``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import main
from inventory.suggest import did_you_mean, nearest

BAD = """\
credentials:
  city-snmp: {type: snmp, version: 2c, community: {env: NETOPS_SNMP_COMMUNITY}}
sites:
  - {name: Balai Kota, kind: core}
  - {name: SD Negeri Magelang 1, kind: schol}
devices:
  - {name: dist-utara, adress: 192.0.2.11, site: Balai Kota, role: distribution, platform: huawei}
  - {name: sw-sdn1, address: 192.0.2.21, site: Balai Kot, role: acess, platform: cisco, snmp: city-snpm}
links:
  - {a: dist-utra:GE0/0/2, b: sw-sdn1:GE0/0/1}
"""


def test_every_unknown_name_and_field_gets_the_nearest_valid_one(tmp_path: Path) -> None:
    env = {"NETOPS_DATA_DIR": str(tmp_path / "var"), "NETOPS_CONFIG": ""}
    assert CliRunner().invoke(main, ["init"], env=env).exit_code == 0
    path = tmp_path / "city.yaml"
    path.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(main, ["inventory", "import", str(path)], env=env)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    expected = [
        f"{path}:5: sites[2].kind: unknown value 'schol'; did you mean 'school'?",
        f"{path}:7: devices[1].adress: unknown field; did you mean 'address'?",
        f"{path}:7: devices[1].address: required",
        f"{path}:8: devices[2].site: unknown site 'Balai Kot'; did you mean Balai Kota?",
        f"{path}:8: devices[2].snmp: unknown credential 'city-snpm'; did you mean city-snmp?",
        f"{path}:8: devices[2].role: unknown value 'acess'; did you mean 'access'?",
        f"{path}:8: devices[2].platform: unknown value 'cisco'; "
        "did you mean 'cisco_xe', 'cisco_ios' or 'cisco_nxos'?",
        f"{path}:10: links[1].a: unknown device 'dist-utra'; did you mean dist-utara?",
    ]
    for line in expected:
        assert any(out.startswith(line) for out in lines), f"{line!r} not in:\n{result.output}"
    assert lines[-1] == "(list positions count from 1: devices[1] is the first device of the list)"


def test_nearest_names() -> None:
    sites = ["SMP Negeri 1 Magelang", "SMP Negeri 2 Magelang", "SMA Negeri 2 Magelang", "Balai Kota Magelang"]
    assert nearest("SMP Negeri 2", sites) == ["SMP Negeri 2 Magelang"]
    assert nearest("smp negeri 2 magelang", sites) == ["SMP Negeri 2 Magelang"]  # any case
    assert nearest("acc-smpn", ["acc-smpn1", "acc-smpn2", "acc-smpn3", "dist-utara"]) == [
        "acc-smpn1", "acc-smpn2", "acc-smpn3"]
    assert nearest("dist-utra", ["dist-utara", "dist-tengah", "dist-selatan"]) == ["dist-utara"]
    assert did_you_mean("zzzz", sites) == ""
    assert did_you_mean("Balai", sites) == "; did you mean Balai Kota Magelang?"
    assert did_you_mean("cisco", ["cisco_ios", "huawei"], quote=True) == "; did you mean 'cisco_ios'?"
