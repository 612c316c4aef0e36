"""The city map page and the cut-fiber card (server side; the drawing is in test_browser_citymap)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, Interface, LinkState, OpticalRecord, Site
from tests.web.geo_seed import CUT_ID, place
from tests.web.seed import XSS


def test_city_map_page_lists_unplaced_sites_and_switches_to_the_logical_map(
    client_as: Callable[[str | None], FlaskClient], session: Session
) -> None:
    place(session)
    response = client_as("engineer").get("/map")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-geojson="/api/v1/topology.geojson"' in html
    assert 'href="/topology"' in html and "leaflet/leaflet.js" in html and "cdn" not in html.lower()
    unplaced = re.search(r'<ul id="unplaced">(.*?)</ul>', html, re.S)
    assert unplaced and "Dinas Kesehatan" in unplaced.group(1) and "Balai Kota" not in unplaced.group(1)
    # the default OSM tiles: their origin is allowed for images, nothing else is opened up
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp and "script-src" not in csp
    assert 'data-attribution="© OpenStreetMap contributors"' in html
    logical = client_as("engineer").get("/topology").get_data(as_text=True)
    assert 'href="/map"' in logical


def test_city_map_in_indonesian(client_as: Callable[[str | None], FlaskClient], session: Session) -> None:
    place(session)
    client = client_as("engineer")
    html = client.get("/map", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Peta kota" in html and "Belum ditempatkan" in html and "Peta logis" in html


def test_city_map_is_for_engineers(client_as: Callable[[str | None], FlaskClient]) -> None:
    assert client_as("helpdesk").get("/map").status_code == 403
    assert client_as("helpdesk").get(f"/map/fiber/{CUT_ID}").status_code == 403


def test_local_tiles_and_no_tiles(app, client_as: Callable[[str | None], FlaskClient], tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    settings = app.extensions["netops.settings"]
    (tmp_path / "14" / "13205").mkdir(parents=True)
    (tmp_path / "14" / "13205" / "8527.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    app.extensions["netops.settings"] = replace(settings, map=replace(settings.map, tile_dir=tmp_path))
    client = client_as("engineer")
    html = client.get("/map").get_data(as_text=True)
    assert 'data-tiles="/map/tiles/{z}/{x}/{y}.png"' in html
    assert client.get("/map/tiles/14/13205/8527.png").data.startswith(b"\x89PNG")
    assert client.get("/map/tiles/14/13205/9999.png").status_code == 404
    app.extensions["netops.settings"] = replace(settings, map=replace(settings.map, tile_url=""))
    response = client.get("/map")
    assert 'data-tiles=""' in response.get_data(as_text=True)
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]


def _optics(session: Session, device: str, port: str, rows: list[tuple[datetime, float, float]]) -> None:
    iface = session.scalars(select(Interface).join(Device).where(Device.name == device,
                                                                 Interface.name == port)).one()
    for at, rx, tx in rows:
        session.add(OpticalRecord(interface_id=iface.id, read_at=at, lane=None, rx_dbm=rx, tx_dbm=tx))


def test_cut_fiber_card(client_as: Callable[[str | None], FlaskClient], session: Session) -> None:
    place(session)
    site = session.scalars(select(Site).where(Site.name == "SD Negeri 1 Magelang")).one()
    site.notes = None
    site.contact_name = XSS
    cut_at = session.scalars(select(LinkState.since)).all()
    assert cut_at
    since = max(s for s in cut_at if s is not None)
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    _optics(session, "dist-utara", "sfp2", [(since - timedelta(minutes=10), -8.25, -2.5),
                                            (since - timedelta(minutes=5), -8.4, -2.45),
                                            (since + timedelta(minutes=1), -40.0, -2.5)])
    session.commit()
    client = client_as("engineer")
    response = client.get(f"/map/fiber/{quote(CUT_ID)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Cut fiber" in html and 'data-state="down"' in html
    assert "Tiang 14" in html and "ODP Jl. Pahlawan" in html and '<dd id="fc-length">1650 m' in html
    # named points in order from site A (the school), with the distance along the route
    cell = r'<td[^>]*data-label="[^"]*">'
    stops = re.findall(rf"<tr>{cell}(\d+)</td>{cell}([^<]+)</td>{cell}([^<]+)</td>{cell}(\d+) m", html)
    assert [(s[1], s[2]) for s in stops] == [("ODP Jl. Pahlawan", "ODP"), ("Tiang 14", "pole")]
    assert 100 < int(stops[0][3]) < int(stops[1][3]) < 729
    ends = re.findall(r'<tr class="fc-end">(.*?)</tr>', html, re.S)
    a_end, b_end = ends  # A: acc-sdn1 (no readings stored), B: dist-utara
    assert "no optical readings stored" in a_end
    assert "-8.4 / -2.5 dBm" in b_end or "-8.4 / -2.4 dBm" in b_end  # the last reading with light
    assert "-40.0" not in b_end
    assert "Bu Sri" not in a_end and "&lt;script&gt;" in a_end and "<script>alert" not in html
    schools = re.search(r'<ul id="fc-schools">(.*?)</ul>', html, re.S)
    assert schools and "SD Negeri 1 Magelang" in schools.group(1)
    assert "@media print" in client.get("/static/citymap.css").get_data(as_text=True)
    assert client.get("/map/fiber/nope:1--nope:2").status_code == 404


def test_fiber_card_of_an_unrouted_fiber(client_as: Callable[[str | None], FlaskClient]) -> None:
    html = client_as("engineer").get("/map/fiber/core-balaikota:xe1--dist-utara:xe1").get_data(as_text=True)
    assert 'id="fc-unplaced"' in html and 'id="fc-no-route"' in html and 'id="fc-no-schools"' in html


def test_an_outage_of_a_cut_fiber_links_to_its_card(
    client_as: Callable[[str | None], FlaskClient], session: Session
) -> None:
    from inventory.models import Outage

    client = client_as("engineer")
    outage = session.scalars(select(Outage).where(Outage.root_cause == CUT_ID)).one()  # the real monitor's
    html = client.get(f"/outages/{outage.id}").get_data(as_text=True)
    assert f'class="fiber-card-link" href="/map/fiber/{CUT_ID}"' in html
    helpdesk = client_as("helpdesk").get(f"/outages/{outage.id}").get_data(as_text=True)
    assert "fiber-card-link" not in helpdesk  # the card is for engineers


def test_an_engineer_places_an_unplaced_site(
    client_as: Callable[[str | None], FlaskClient], session: Session
) -> None:
    from tests.web.conftest import csrf_from

    place(session)
    client = client_as("engineer")
    page = client.get("/map").get_data(as_text=True)
    assert 'data-name="Dinas Kesehatan">Place</button>' in page
    token = csrf_from(client.get("/sites/Dinas%20Kesehatan").get_data(as_text=True))
    url = "/map/sites/Dinas%20Kesehatan/location"
    assert client.post(url, data={"lat": "-7.4770", "lon": "110.2150"}).status_code == 400  # no CSRF token
    headers = {"X-CSRFToken": token}
    for bad in ({"lat": "-97", "lon": "110.2"}, {"lat": "nan", "lon": "110.2"}, {"lat": "x", "lon": "1"}, {}):
        assert client.post(url, data=bad, headers=headers).status_code == 400, bad
    assert client.post("/map/sites/Nowhere/location", data={"lat": "1", "lon": "1"},
                       headers=headers).status_code == 404
    saved = client.post(url, data={"lat": "-7.4770", "lon": "110.2150"}, headers=headers)
    assert saved.status_code == 200 and saved.get_json() == {"site": "Dinas Kesehatan", "lat": -7.477,
                                                              "lon": 110.215}
    session.expire_all()
    site = session.scalars(select(Site).where(Site.name == "Dinas Kesehatan")).one()
    assert (site.latitude, site.longitude) == (-7.477, 110.215)
    doc = client.get("/api/v1/topology.geojson").get_json()
    assert "site:Dinas Kesehatan" in {f["id"] for f in doc["features"]}
    assert 'id="all-placed"' in client.get("/map").get_data(as_text=True)
    helpdesk = client_as("helpdesk")
    own = {"X-CSRFToken": csrf_from(helpdesk.get("/sites/Dinas%20Kesehatan").get_data(as_text=True))}
    assert helpdesk.post(url, data={"lat": "1", "lon": "1"}, headers=own).status_code == 403
