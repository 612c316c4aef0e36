"""``netops inventory import-routes``: GeoJSON and KML lines matched to links by name and by end sites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from inventory.db import session_scope
from inventory.geo import route_length_m
from inventory.queries import list_links
from netops.runtime import open_database
from netops.settings import load_settings

NETWORK = """\
sites:
  - {name: Balai Kota, kind: core, location: {lat: -7.4797, lon: 110.2177}}
  - {name: Kantor Selatan, kind: district, location: {lat: -7.5050, lon: 110.2150}}
  - {name: SD Negeri 3, kind: school, location: {lat: -7.4900, lon: 110.2300}}
  - {name: Gudang, kind: other}
devices:
  - {name: core-1, address: 192.0.2.1, site: Balai Kota, role: core}
  - {name: dist-s, address: 192.0.2.2, site: Kantor Selatan, role: distribution}
  - {name: acc-sd3, address: 192.0.2.3, site: SD Negeri 3}
  - {name: sw-gudang, address: 192.0.2.4, site: Gudang}
links:
  - {a: core-1:GigabitEthernet1/0/2, b: dist-s:GigabitEthernet0/0/1}
  - {a: core-1:GigabitEthernet1/0/3, b: dist-s:GigabitEthernet0/0/2, length_m: 4000}
  - {a: core-1:GigabitEthernet1/0/5, b: acc-sd3:sfp1}
  - {a: core-1:GigabitEthernet1/0/4, b: sw-gudang:Gi0/1}
"""
BALAI, SELATAN, SD3 = (110.2177, -7.4797), (110.2150, -7.5050), (110.2300, -7.4900)  # [lon, lat]


def _feature(coords: list[tuple[float, float]], **props: str) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]}}


def _setup(tmp_path: Path) -> tuple[CliRunner, dict[str, str]]:
    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    (tmp_path / "net.yaml").write_text(NETWORK)
    result = runner.invoke(main, ["inventory", "import", str(tmp_path / "net.yaml")], env=env)
    assert result.exit_code == 0, result.output
    return runner, env


def _routes(env: dict[str, str]) -> dict[str, tuple]:
    engine = open_database(load_settings(environ=env))
    try:
        with session_scope(engine) as session:
            return {f"{r.a_device}:{r.a_port},{r.b_device}:{r.b_port}"
                    if r.a_device < r.b_device else f"{r.b_device}:{r.b_port},{r.a_device}:{r.a_port}":
                    (r.route if r.a_device == "core-1" else r.route[::-1], r.length_m)
                    for r in list_links(session)}
    finally:
        engine.dispose()


def test_geojson_lines_match_by_name_and_by_sites(tmp_path: Path) -> None:
    runner, env = _setup(tmp_path)
    doc = {"type": "FeatureCollection", "features": [
        # named, ends written the other way round with other port spellings; drawn from dist-s's side
        _feature([SELATAN, (110.2160, -7.4950), (110.2175, -7.4890), BALAI],
                 link="dist-s:Gi0/0/1,core-1:Gi1/0/2"),
        # unnamed: its ends lie at Balai Kota and SD Negeri 3 (a few metres off), one link joins them
        _feature([(110.21772, -7.47975), (110.2250, -7.4800), (110.2300, -7.4850), (110.23003, -7.49002)]),
        # unnamed between Balai Kota and Kantor Selatan: two links join them, which one?
        _feature([BALAI, (110.2100, -7.4900), SELATAN]),
        # a and b properties; the declared length stays
        _feature([BALAI, (110.2200, -7.4950), SELATAN], a="core-1:Gi1/0/3", b="dist-s:Gi0/0/2"),
        # the link exists but Gudang has no location
        _feature([BALAI, (110.2, -7.47)], name="core-1:Gi1/0/4,sw-gudang:Gi0/1"),
        # a name that is no link, ends nowhere near a site
        _feature([(110.1, -7.3), (110.11, -7.31)], name="Jalur baru"),
        {"type": "Feature", "properties": {"name": "Tiang 1"},  # on no route point: names nothing
         "geometry": {"type": "Point", "coordinates": [110.22, -7.48]}},
        # pins a few metres from the first line's points: they name them (kind given or from the name)
        {"type": "Feature", "properties": {"name": "ODP Jl. Pemuda"},
         "geometry": {"type": "Point", "coordinates": [110.21752, -7.48901]}},
        {"type": "Feature", "properties": {"name": "Sambungan 7", "kind": "closure"},
         "geometry": {"type": "Point", "coordinates": [110.2160, -7.4950]}},
    ]}
    path = tmp_path / "drawn.geojson"
    path.write_text(json.dumps(doc))
    before = _routes(env)
    dry = runner.invoke(main, ["inventory", "import-routes", str(path), "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[-1] == "dry run (nothing written): 3 route(s) matched, 3 not matched"
    assert _routes(env) == before
    result = runner.invoke(main, ["inventory", "import-routes", str(path)], env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert (f"matched   {path}: features[1]: core-1:GigabitEthernet1/0/2,dist-s:GigabitEthernet0/0/1 "
            "(by name; 2 points, 2 named, length") in out
    assert (f"matched   {path}: features[2]: acc-sd3:sfp1,core-1:GigabitEthernet1/0/5 "
            "(by sites; 2 points") in out
    assert (f"unmatched {path}: features[3]: 2 links between Balai Kota and Kantor Selatan "
            "(core-1:GigabitEthernet1/0/2,dist-s:GigabitEthernet0/0/1; core-1:GigabitEthernet1/0/3,"
            "dist-s:GigabitEthernet0/0/2): name the line A:PORT,B:PORT") in out
    assert "length 4000 m kept (declared)" in out
    assert "features[5] 'core-1:Gi1/0/4,sw-gudang:Gi0/1': core-1:GigabitEthernet1/0/4,sw-gudang:Gi0/1: " \
           "site 'Gudang' has no location" in out
    assert "features[6] 'Jalur baru': no name A:PORT,B:PORT, and its ends are not within 100 m" in out
    routes = _routes(env)
    route, length = routes["core-1:GigabitEthernet1/0/2,dist-s:GigabitEthernet0/0/1"]
    # turned to run from core-1's side, the sites themselves dropped
    assert [(p.lat, p.lon, p.name, p.kind) for p in route] == [
        (-7.489, 110.2175, "ODP Jl. Pemuda", "odp"), (-7.495, 110.216, "Sambungan 7", "closure")]
    assert length == route_length_m((-7.4797, 110.2177), route, (-7.5050, 110.2150))
    route, length = routes["acc-sd3:sfp1,core-1:GigabitEthernet1/0/5"]
    assert len(route) == 2 and length is not None
    assert routes["core-1:GigabitEthernet1/0/3,dist-s:GigabitEthernet0/0/2"][1] == 4000
    # the route exports with the inventory and imports back
    exported = runner.invoke(main, ["inventory", "export"], env=env).output
    assert ("route: [{lat: -7.489, lon: 110.2175, name: ODP Jl. Pemuda, kind: odp}, "
            "{lat: -7.495, lon: 110.216, name: Sambungan 7, kind: closure}]") in exported


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <Placemark>
    <name>core-1:Gi1/0/5,acc-sd3:sfp1</name>
    <LineString>
      <coordinates>
        110.2177,-7.4797,0 110.2250,-7.4800,0 110.2300,-7.4900,0
      </coordinates>
    </LineString>
  </Placemark>
  <Placemark>
    <name>Tiang 22</name>
    <Point><coordinates>110.22501,-7.48001,0</coordinates></Point>
  </Placemark>
  <Placemark>
    <name>Jalur ke Gudang</name>
    <LineString><coordinates>110.2177,-7.4797 110.2100,-7.4700</coordinates></LineString>
  </Placemark>
</Document>
</kml>
"""


def test_kml_paths_match_by_name(tmp_path: Path) -> None:
    runner, env = _setup(tmp_path)
    path = tmp_path / "drawn.kml"
    path.write_text(KML)
    result = runner.invoke(main, ["inventory", "import-routes", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert (f"matched   {path}:7: acc-sd3:sfp1,core-1:GigabitEthernet1/0/5 "
            "(by name; 1 points, 1 named") in result.output
    assert (f"unmatched {path}:18 'Jalur ke Gudang': one end is within 100 m of Balai Kota, "
            "the other of no site") in result.output
    route, _ = _routes(env)["acc-sd3:sfp1,core-1:GigabitEthernet1/0/5"]
    assert [(p.lat, p.lon, p.name, p.kind) for p in route] == [(-7.48, 110.225, "Tiang 22", "pole")]


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("bad.geojson", json.dumps({"type": "FeatureCollection", "features": [
        _feature([(-7.4797, 110.2177), (-7.49, 110.22)])]}),
     "bad.geojson: features[1].coordinates[1]: latitude 110.2177 / longitude -7.4797 out of range"),
    ("short.geojson", json.dumps({"type": "FeatureCollection", "features": [_feature([BALAI])]}),
     "short.geojson: features[1]: a LineString needs two or more positions"),
    ("bad.kml", KML.replace("110.2250,-7.4800,0", "110.2250,-97.48,0"),
     "bad.kml:7: coordinates[2]: latitude -97.48 / longitude 110.225 out of range"),
    ("entity.kml", '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "b">]><kml/>',
     "entity.kml: a KML with a DOCTYPE or entities is refused"),
    ("drawn.txt", "x", "drawn.txt: expected a .geojson, .json or .kml file"),
])
def test_bad_files_are_refused_with_the_place_and_nothing_written(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    runner, env = _setup(tmp_path)
    before = _routes(env)
    path = tmp_path / name
    path.write_text(text)
    result = runner.invoke(main, ["inventory", "import-routes", str(path)], env=env)
    assert result.exit_code == 2, result.output
    assert f"{tmp_path}/{expected}" in result.output
    assert _routes(env) == before
