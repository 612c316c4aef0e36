"""The strict profile loader: every bundled profile loads; mistakes name file and key path;
vendor detection picks the most specific profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.errors import ProfileError
from collectors.profiles.loader import DATA_DIR, load_profiles

GENERIC = (DATA_DIR / "generic.yaml").read_text()


def _set(tmp_path: Path, **files: str) -> Path:
    (tmp_path / "generic.yaml").write_text(GENERIC)
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


def test_bundled_profiles_load_and_extend_generic() -> None:
    profiles = load_profiles()
    assert {"generic", "cisco", "huawei", "mikrotik", "juniper", "arista", "hp_procurve",
            "linux_netsnmp"} <= set(profiles.names())
    cisco = profiles.get("cisco")
    assert cisco.interfaces.status == profiles.get("generic").interfaces.status  # inherited
    assert {t.layout for t in cisco.neighbors} == {"lldp", "cdp"}
    assert all(o.startswith("1.") for o in cisco.system.values())


@pytest.mark.parametrize(("text", "path", "problem"), [
    ("name: bad\nextends: generic\ninterfaces:\n  status:\n    nmae: 1.3.6.1\n", "interfaces.status.nmae",
     "unknown key"),
    ("name: bad\nextends: generic\nvendorr: X\n", "vendorr", "unknown key"),
    ("name: bad\nextends: generic\nsystem:\n  sys_name: IF-MIB::ifName\n", "system.sys_name", "numeric OID"),
    ("name: bad\nextends: generic\nmatch:\n  sys_descr: '(unclosed'\n", "match.sys_descr",
     "regular expression"),
    ("name: bad\nextends: nowhere\n", "extends", "unknown profile"),
    ("name: other\nextends: generic\n", "name", "must equal the file name"),
    ("name: bad\nextends: generic\noptics:\n  x:\n    layout: per_port\n    values:\n      rx: {oid: 1.3.6, "
     "transform: dbm_magic}\n", "optics.x.values.rx.transform", "must be one of"),
    ("name: bad\nextends: generic\nneighbors:\n  cdp:\n    layout: cdp\n    columns:\n"
     "      sys_name: 1.3.6\n", "neighbors.cdp.columns.sys_name", "not a column of the cdp layout"),
])
def test_mistakes_name_file_and_key_path(tmp_path: Path, text: str, path: str, problem: str) -> None:
    with pytest.raises(ProfileError) as caught:
        load_profiles(_set(tmp_path, bad=text))
    assert caught.value.source == "bad.yaml"
    assert caught.value.path == path
    assert problem in str(caught.value)


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cycle"):
        load_profiles(_set(tmp_path, a="name: a\nextends: b\n", b="name: b\nextends: a\n"))


def test_null_removes_an_inherited_table(tmp_path: Path) -> None:
    text = "name: quiet\nextends: generic\nneighbors:\n  lldp: null\n"
    profiles = load_profiles(_set(tmp_path, quiet=text))
    assert profiles.get("quiet").neighbors == ()
    assert profiles.get("generic").neighbors


@pytest.mark.parametrize(("oid", "descr", "expected"), [
    ("1.3.6.1.4.1.9.1.1208", "Cisco IOS Software, C2960X Software", "cisco"),
    ("1.3.6.1.4.1.9.1.2494", "Cisco IOS Software [Everest], (CAT9K_IOSXE)", "cisco_xe"),
    ("1.3.6.1.4.1.9.12.3.1.3.1163", "Cisco NX-OS(tm) nxos", "cisco_nxos"),
    ("1.3.6.1.4.1.9.12.3.1.3.1163", "something else", "cisco"),  # nxos needs both rules
    ("1.3.6.1.4.1.2011.2.23.291", "S5720 Huawei Versatile Routing Platform", "huawei"),
    ("1.3.6.1.4.1.8072.3.2.10", "Linux node 6.1", "linux_netsnmp"),
    ("1.3.6.1.4.1.4413", "Some Broadcom box", "generic"),  # sysDescr refinement not met
    ("1.3.6.1.4.1.99999", "", "generic"),
])
def test_most_specific_profile_wins(oid: str, descr: str, expected: str) -> None:
    assert load_profiles().match(oid, descr).name == expected
