"""GeoJSON out (RFC 7946): the API and ``netops topology export --format geojson`` give one collection.

Checked by the ``geojson`` library (validity, types) and by the RFC's own rules: positions are
[lon, lat] within range, no ``crs`` member, LineStrings of two or more positions, feature ids
strings, states as the assessment stored them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geojson
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from cli import main
from tests.web.geo_seed import CUT_ID, CUT_ROUTE, PLACES, place


def _rfc7946(doc: dict[str, Any]) -> None:
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    parsed = geojson.loads(json.dumps(doc))
    assert parsed.is_valid, parsed.errors()
    for feature in doc["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["id"], str)
        geometry = feature["geometry"]
        assert geometry["type"] in ("Point", "LineString")
        positions = [geometry["coordinates"]] if geometry["type"] == "Point" else geometry["coordinates"]
        if geometry["type"] == "LineString":
            assert len(positions) >= 2
        for lon, lat in positions:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            # Magelang: longitude ~110, latitude ~-7: swapped axes would show at once
            assert 110 < lon < 111 and -8 < lat < -7


def _by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in doc["features"]}


def test_api_geojson_sites_links_and_named_points(
    client_as: Callable[[str | None], FlaskClient], session: Session
) -> None:
    place(session)
    response = client_as("engineer").get("/api/v1/topology.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    doc = response.get_json()
    _rfc7946(doc)
    features = _by_id(doc)
    school = features["site:SD Negeri 1 Magelang"]
    assert school["geometry"]["coordinates"] == [110.2225, -7.4655]
    assert school["properties"] | {"devices": None} == {
        "feature": "site", "name": "SD Negeri 1 Magelang", "kind": "school", "district": "Magelang Utara",
        "state": "disconnected", "devices": None}
    assert "site:Dinas Kesehatan" not in features  # not placed: no Point
    assert not any("acc-dinkes" in key for key in features)  # its links have no line either
    cut = features[f"link:{CUT_ID}"]
    line = cut["geometry"]["coordinates"]
    # from site A (acc-sdn1's school) through the route to site B (dist-utara's office)
    assert line[0] == [110.2225, -7.4655] and line[-1] == [110.2170, -7.4690]
    assert line[1:-1] == [[p["lon"], p["lat"]] for p in CUT_ROUTE[::-1]]
    props = cut["properties"]
    assert (props["a"], props["b"], props["medium"], props["length_m"], props["state"]) == (
        "acc-sdn1:sfp1", "dist-utara:sfp2", "fiber", 1650, "down")
    straight = features["link:core-balaikota:xe1--dist-utara:xe1"]["geometry"]["coordinates"]
    assert len(straight) == 2 and straight[0] == [110.2177, -7.4797]
    points = [f for f in doc["features"] if f["properties"]["feature"] == "point"]
    assert sorted(p["properties"]["name"] for p in points) == ["ODP Jl. Pahlawan", "Tiang 14"]
    assert all(p["properties"]["link"] == CUT_ID for p in points)


def test_geojson_needs_an_engineer(client_as: Callable[[str | None], FlaskClient]) -> None:
    assert client_as("helpdesk").get("/api/v1/topology.geojson").status_code == 403
    assert client_as(None).get("/api/v1/topology.geojson").status_code == 401


def test_cli_export_geojson_is_the_api_collection(tmp_path: Path) -> None:
    from inventory.db import session_scope
    from netops.runtime import open_database
    from netops.settings import load_settings
    from tests.web.seed import seed

    env = {"NETOPS_DATA_DIR": str(tmp_path / "var")}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    engine = open_database(load_settings(environ=env))
    with session_scope(engine) as session:
        seed(session)
        session.flush()
        place(session)
    engine.dispose()
    out = tmp_path / "city.geojson"
    result = runner.invoke(main, ["topology", "export", "--format", "geojson", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    _rfc7946(doc)
    sites = {f["properties"]["name"] for f in doc["features"] if f["properties"]["feature"] == "site"}
    assert sites == set(PLACES)
    assert _by_id(doc)[f"link:{CUT_ID}"]["properties"]["state"] == "down"
