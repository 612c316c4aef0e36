"""A crawled city knows its core: ``netops discover --seed <core>`` alone, then ``netops status``.

On the namespace testbed (real snmpd + lldpd), ``tests/data/city15.json``: 15 switches, a ring
of three kecamatan switches, dual-homed agencies and schools chained behind a kelurahan office
4 hops from the core. Discovery with nothing but a seed and a community adds every switch and
every fiber, follows every neighbor, makes the seed the core, infers each site's kind from its
name and each role from the shape, and leaves the network assessed: every site connected.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from tests.integration import testbed as tb

CITY = Path(__file__).resolve().parents[1] / "data" / "city15.json"
KINDS = {
    "Balai Kota Magelang": "core",
    "Kecamatan Magelang Utara": "district",
    "Kecamatan Magelang Tengah": "district",
    "Kecamatan Magelang Selatan": "district",
    "Kantor Camat Magelang Tengah": "district",
    "Kelurahan Cacaban": "district",
    "Dinas Komunikasi dan Informatika": "agency",
    "Dinas Kependudukan dan Pencatatan Sipil": "agency",
    "Badan Perencanaan Pembangunan Daerah": "agency",
    "Kantor Satpol PP": "agency",
    "RSUD Tidar": "health",
    "Puskesmas Magelang Utara": "health",
    "SDN 2 Cacaban": "school",
    "MTs Negeri 1 Magelang": "school",
    "SMK Negeri 1 Magelang": "school",
}
DISTRIBUTION = {"dist-utara", "dist-tengah", "dist-selatan", "acc-camat-tengah", "acc-kel-cacaban",
                "acc-sdn2-cacaban"}


@pytest.fixture(scope="module")
def city() -> Iterator[tb.Testbed]:
    reason = tb.unavailable_reason()
    if reason:
        pytest.skip(reason)
    prefix = f"dc{os.getpid() % 10**5}"
    try:
        bed = tb.bring_up(prefix, CITY)
    except Exception as exc:
        tb.tear_down(prefix)
        pytest.fail(f"testbed did not come up: {exc}")
    try:
        yield bed
    finally:
        tb.tear_down(prefix)


def _cli(data_dir: Path, *args: str) -> Result:
    env = {"NETOPS_DATA_DIR": str(data_dir), "NETOPS_CONFIG": ""}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.mark.testbed
def test_a_crawled_city_knows_its_core(city: tb.Testbed, tmp_path: Path) -> None:
    nodes = city.inventory["nodes"]
    assert len(nodes) == 15
    data = tmp_path / "var"
    assert _cli(data, "init").exit_code == 0
    run = _cli(data, "discover", "--seed", city.address("core-balaikota"), "--community",
               city.inventory["snmp"]["community"], "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert sorted(d["name"] for d in report["devices"]) == sorted(nodes)
    assert max(d["depth"] for d in report["devices"]) == 6  # the MTs behind the kelurahan office
    assert report["not_followed"] == [] and report["unreachable"] == [] and report["clashes"] == []
    assert report["links_created"] == len(city.inventory["links"]) == 17
    assert report["roots"] == ["core-balaikota"] and report["roots_from"] == "seeds"
    roles = {d["name"]: d["role"] for d in report["devices"]}
    assert roles == {n: "core" if n == "core-balaikota" else "distribution" if n in DISTRIBUTION else "access"
                     for n in nodes}
    assert {d["site"]: d["site_kind"] for d in report["devices"]} == KINDS

    status = _cli(data, "status", "--json")
    assert status.exit_code == 0, status.output
    rows = json.loads(status.stdout)
    expected = {site: ("connected", kind) for site, kind in KINDS.items()}
    assert {r["site"]: (r["state"], r["kind"]) for r in rows} == expected
    assert all(r["reason"] == "" and r["path"][-1] == "core-balaikota" for r in rows)
    assert {r["site"]: r["disjoint_paths"] for r in rows}["Badan Perencanaan Pembangunan Daerah"] == 2

    text = _cli(data, "status", "--lang", "id").stdout
    assert "unknown" not in text and "perangkat inti" not in text  # no "no core device" in either language
