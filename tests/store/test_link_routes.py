"""Fiber routes in the inventory: validation by line, length along the route, storage, export round trip."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from inventory.db import make_engine, session_scope, upgrade_schema
from inventory.files import export_inventory, import_inventory_file, parse_inventory
from inventory.geo import RoutePoint, great_circle_m, route_length_m
from inventory.models import Link
from inventory.queries import list_links
from inventory.spec import InventoryError, KnownNames

ROUTED = """\
sites:
  - {name: Balai Kota, kind: core, location: {lat: -7.4797, lon: 110.2177}}
  - {name: Kantor Selatan, kind: district, location: {lat: -7.5050, lon: 110.2150}}
  - {name: Gudang, kind: other}
devices:
  - {name: core-1, address: 192.0.2.1, site: Balai Kota, role: core}
  - {name: dist-s, address: 192.0.2.2, site: Kantor Selatan, role: distribution}
  - {name: sw-gudang, address: 192.0.2.3, site: Gudang}
links:
  - a: dist-s:Gi0/0/1
    b: core-1:Gi1/0/2
    medium: fiber
    route:
      - {lat: -7.4890, lon: 110.2175, name: ODP Jl. Pemuda, kind: closure}
      - {lat: -7.4812, lon: 110.2190, name: Tiang 14, kind: pole}
  - {a: core-1:Gi1/0/3, b: dist-s:Gi0/0/2, length_m: 4000,
     route: [{lat: -7.49, lon: 110.22}]}
"""


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    """An independent great-circle formula (spherical law of cosines) for the 1 % check."""
    p1, p2, dl = math.radians(a[0]), math.radians(b[0]), math.radians(b[1] - a[1])
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6_371_000 * math.acos(max(-1.0, min(1.0, c)))


def test_route_gives_the_length_and_a_declared_length_is_kept() -> None:
    doc = parse_inventory(ROUTED, "net.yaml")
    first, second = sorted(doc.links, key=lambda lk: lk.a_port)
    # ends normalised (core-1 < dist-s): the route is turned to run from core-1's site
    assert (first.a_device, first.b_device) == ("core-1", "dist-s")
    assert [p.name for p in first.route] == ["Tiang 14", "ODP Jl. Pemuda"]
    assert first.route[0] == RoutePoint(-7.4812, 110.2190, "Tiang 14", "pole")
    stops = [(-7.4797, 110.2177), (-7.4812, 110.2190), (-7.4890, 110.2175), (-7.5050, 110.2150)]
    expected = sum(_haversine(a, b) for a, b in itertools.pairwise(stops))
    assert first.length_m is not None and abs(first.length_m - expected) / expected < 0.01
    assert expected > _haversine(stops[0], stops[-1])  # longer than the straight line
    assert second.length_m == 4000.0


def test_great_circle_one_degree_of_latitude() -> None:
    assert great_circle_m(0, 0, 1, 0) == pytest.approx(111_195, rel=0.001)
    assert route_length_m((0, 0), [], (0, 1)) == round(great_circle_m(0, 0, 0, 1))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("{lat: -7.4890, lon: 110.2175,", "{lat: -97.4890, lon: 110.2175,",
         "net.yaml:14: links[1].route[1].lat: -97.489 is outside -90..90"),
        ("lon: 110.2175, name", "lon: 210.2175, name",
         "net.yaml:14: links[1].route[1].lon: 210.2175 is outside -180..180"),
        ("kind: closure}", "kind: tower}", "net.yaml:14: links[1].route[1].kind: unknown value 'tower'"),
        ("{lat: -7.4812, lon: 110.2190,", "{lon: 110.2190,", "net.yaml:15: links[1].route[2].lat: required"),
        ("name: Tiang 14, kind: pole}", "name: Tiang 14, kind: pole, height: 9}",
         "net.yaml:15: links[1].route[2].height: unknown field"),
        ("route: [{lat: -7.49, lon: 110.22}]", "route: here", "net.yaml:17: links[2].route: expected a list"),
        ("b: core-1:Gi1/0/2", "b: sw-gudang:Gi0/1",
         "net.yaml:13: links[1].route: a route needs both ends' sites located: site 'Gudang' (of sw-gudang) "
         "has no location"),
    ],
)
def test_route_problems_are_located_by_line(old: str, new: str, expected: str) -> None:
    assert old in ROUTED
    with pytest.raises(InventoryError) as err:
        parse_inventory(ROUTED.replace(old, new, 1), "net.yaml")
    messages = [str(p) for p in err.value.problems]
    assert any(m.startswith(expected) for m in messages), messages


def test_route_on_a_device_without_site_and_locations_known_from_the_database() -> None:
    text = "links:\n  - {a: x:1, b: y:1, route: [{lat: 1, lon: 2}]}\n"
    known = KnownNames(devices=frozenset({"x", "y"}), sites=frozenset({"S"}),
                       site_locations={"S": (0.0, 0.0)}, device_sites={"x": "S"})
    with pytest.raises(InventoryError) as err:
        parse_inventory(text, "r.yaml", known)
    assert str(err.value.problems[0]) == ("r.yaml:2: links[1].route: a route needs both ends' sites located: "
                                          "device 'y' has no site")
    known = KnownNames(devices=frozenset({"x", "y"}), sites=frozenset({"S"}),
                       site_locations={"S": (0.0, 0.0)}, device_sites={"x": "S", "y": "S"})
    doc = parse_inventory(text, "r.yaml", known)
    assert doc.links[0].length_m == pytest.approx(2 * great_circle_m(0, 0, 1, 2), abs=1)


def _import(engine: Engine, path: Path) -> None:
    with session_scope(engine) as s:
        import_inventory_file(s, path, None)


def _export(engine: Engine, fmt: str = "yaml") -> str:
    with session_scope(engine) as s:
        return export_inventory(s, fmt).text


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_routes_are_stored_and_round_trip(db_engine: Engine, tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "net.yaml"
    src.write_text(ROUTED.replace("  - {name: sw-gudang, address: 192.0.2.3, site: Gudang}\n", ""))
    _import(db_engine, src)
    with session_scope(db_engine) as s:
        records = {r.a_port if r.a_device == "core-1" else r.b_port: r for r in list_links(s)}
        stored = [lk.route for lk in s.scalars(select(Link))]
    assert all(stored)
    rec = records["Gi1/0/2"]
    names = [p.name for p in rec.route]
    # stored from the link row's a end, whichever device that is
    assert names == (["Tiang 14", "ODP Jl. Pemuda"] if rec.a_device == "core-1"
                     else ["ODP Jl. Pemuda", "Tiang 14"])
    exported = _export(db_engine, fmt)
    if fmt == "yaml":
        assert ("  - {a: 'core-1:Gi1/0/2', b: 'dist-s:Gi0/0/1', medium: fiber, route: [{lat: -7.4812, "
                "lon: 110.219, name: Tiang 14, kind: pole}, {lat: -7.489, lon: 110.2175, "
                "name: ODP Jl. Pemuda, kind: closure}]}"
                in exported)  # the length the route gives is not written: import computes it again
        assert "length_m: 4000" in exported
    dump = tmp_path / f"export.{fmt}"
    dump.write_text(exported)
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade_schema(fresh)
    try:
        _import(fresh, dump)
        assert _export(fresh, fmt) == exported
        with session_scope(fresh) as s:
            lengths = sorted(r.length_m or 0 for r in list_links(s))
        assert lengths[1] == 4000 and 2800 < lengths[0] < 3200
    finally:
        fresh.dispose()


def test_reimport_without_route_clears_it(db_engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "net.yaml"
    src.write_text(ROUTED.replace("  - {name: sw-gudang, address: 192.0.2.3, site: Gudang}\n", ""))
    _import(db_engine, src)
    bare = ROUTED.split("links:")[0].replace("  - {name: sw-gudang, address: 192.0.2.3, site: Gudang}\n", "")
    src.write_text(bare + "links:\n  - {a: core-1:Gi1/0/2, b: dist-s:Gi0/0/1}\n")
    _import(db_engine, src)
    with session_scope(db_engine) as s:
        rec = next(r for r in list_links(s) if "Gi1/0/2" in (r.a_port, r.b_port))
    assert rec.route == () and rec.length_m is None
