"""The city map and the cut-fiber card in a real browser, with no tile server reachable.

Headless Debian chromium (Playwright) against a real HTTP server on the demo's city network
(``tests.web.city_seed``: dist-utara dead, a school's only fiber cut; states by the real
monitor), with the demo's fiber routes (``simulator.routes``, as ``netops demo`` declares them)
and the tile URL pointing at a closed port on 127.0.0.1: every tile fails, the sites and routes
still draw on the plain background. A fiber cut afterwards turns red on the next refresh; its
card shows the last good optical levels and the affected school. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from inventory.db import make_engine, session_factory, upgrade_schema
from inventory.models import Device, Interface, Link, OpticalRecord
from netops.monitor.monitor import Monitor, Probe
from netops.settings import Settings, load_settings
from simulator.network import DemoNetwork
from simulator.routes import fiber_route
from tests.support.browser import CHROMIUM
from tests.web.city_seed import CUT, DEAD, behind, seed_city
from tests.web.seed import PASSWORDS
from web import create_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
RED = "rgb(207, 34, 46)"
NO_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # the discard port: nothing listens, every tile fails

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


class City:
    def __init__(self, settings: Settings, engine: Engine, base: str, network: DemoNetwork) -> None:
        self.settings, self.engine, self.base, self.network = settings, engine, base, network


def _ports(session: Session) -> dict[tuple[str, str], Interface]:
    return {(d, i.name): i for i, d in session.execute(select(Interface, Device.name).join(Device))}


def add_routes(session: Session, network: DemoNetwork) -> None:
    """The demo's routes on the stored links, each from its row's a end."""
    ports = _ports(session)
    for lk in network.links:
        a = ports[(lk.a, network.device(lk.a).port(lk.a_port).name)]
        b = ports[(lk.b, network.device(lk.b).port(lk.b_port).name)]
        stops = [s.as_dict() for s in fiber_route(network.site(network.device(lk.a).site),
                                                  network.site(network.device(lk.b).site))]
        row = session.scalars(select(Link).where(Link.a_interface_id.in_((a.id, b.id)),
                                                 Link.b_interface_id.in_((a.id, b.id)))).one()
        row.route = stops if row.a_interface_id == a.id else stops[::-1]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    from werkzeug.serving import make_server

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} missing (apt-get install chromium)")
    settings = load_settings(environ={"NETOPS_DATA_DIR": str(tmp_path_factory.mktemp("geo") / "var"),
                                      "NETOPS_MAP__TILE_URL": NO_TILES})
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    with session_factory(engine)() as session:
        network = seed_city(session)
        add_routes(session, network)
        session.commit()
    server = make_server("127.0.0.1", 0, create_app(settings, engine=engine), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield City(settings, engine, f"http://127.0.0.1:{server.server_port}", network)
    finally:
        server.shutdown()
        engine.dispose()


def _page(browser: Any, city: City, path: str, lang: str = "en", width: int = 1280) -> Any:
    page = browser.new_context(viewport={"width": width, "height": 900}, locale=lang).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(f"{city.base}/auth/login")
    page.fill("input[name=name]", "engineer")
    page.fill("input[name=password]", PASSWORDS["engineer"])
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{city.base}/")
    page.goto(f"{city.base}{path}")
    return page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _link_id(page: Any, a: str, b: str) -> str:
    doc = page.request.get(page.url.split("/map")[0] + "/api/v1/topology.geojson").json()
    return next(f["properties"]["id"] for f in doc["features"] if f["properties"]["feature"] == "link"
                and {f["properties"]["a"].split(":")[0], f["properties"]["b"].split(":")[0]} == {a, b})


def test_city_map_draws_the_demo_without_tiles(city: City, browser: Any) -> None:
    page = _page(browser, city, "/map")
    page.wait_for_selector("#citymap[data-sites]", timeout=15_000)
    page.wait_for_selector("#citymap.no-tiles", state="attached", timeout=15_000)
    drawn = {key: page.get_attribute("#citymap", f"data-{key}") for key in ("sites", "links")}
    assert drawn == {"sites": str(len(city.network.sites)), "links": str(len(city.network.links))}
    assert page.evaluate("window.netopsCityMap.tilesLoaded") == 0
    assert page.locator("path.fiber").count() == len(city.network.links)
    assert "no-tiles" in (page.get_attribute("#citymap", "class") or "")
    assert page.is_visible("#tile-note")
    # the fiber cut in the seed is red and dashed, along its route (more than two points)
    cut = _link_id(page, *CUT)
    path = f'path.fiber[data-id="{cut}"]'
    assert page.get_attribute(path, "data-state") == "down"
    assert page.get_attribute(path, "stroke") == "#cf222e"
    doc = page.request.get(f"{city.base}/api/v1/topology.geojson").json()
    line = next(f for f in doc["features"] if f["id"] == f"link:{cut}")["geometry"]["coordinates"]
    assert len(line) > 2  # drawn along its route, not straight
    # markers: at this zoom clusters and single sites; schools are square, the dead office red
    assert page.locator(".marker-cluster, .site-marker").count() > 0
    assert page.locator("#all-placed").count() == 1  # every demo site has coordinates
    _shot(page, "citymap-no-tiles.png")
    # zoomed in: single markers, schools square, named route points appear
    start = int(page.get_attribute("#citymap", "data-zoom") or 0)
    assert start < 16  # the whole city: no route points yet
    assert page.locator(".route-point").count() == 0
    for step in range(1, 17 - start):
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_selector(f'#citymap[data-zoom="{start + step}"]', state="attached", timeout=5_000)
    page.wait_for_selector(".route-point", state="attached", timeout=10_000)
    assert page.locator(".site-marker.school").count() > 0
    radius = page.eval_on_selector(".site-marker.school", "el => getComputedStyle(el).borderRadius")
    assert radius == "2px"
    assert page.errors == []


def test_city_map_in_indonesian_links_to_the_logical_map(city: City, browser: Any) -> None:
    page = _page(browser, city, "/map", lang="id")
    page.wait_for_selector("#citymap[data-sites]", timeout=15_000)
    assert page.inner_text("h1") == "Peta kota"
    page.click("#to-logical")
    page.wait_for_url(f"{city.base}/topology")
    page.click("#to-city")
    page.wait_for_url(f"{city.base}/map")
    assert page.errors == []


def test_on_a_phone_nothing_is_wider_than_the_screen(city: City, browser: Any) -> None:
    page = _page(browser, city, "/map", width=390)
    page.wait_for_selector("#citymap[data-sites]", timeout=15_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card = _page(browser, city, f"/map/fiber/{quote(_link_id(page, *CUT))}", width=390)
    card.wait_for_selector("#fiber-map path.fiber", state="attached", timeout=10_000)
    _shot(card, "fiber-card-phone.png")
    assert card.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == [] and card.errors == []


def test_a_new_cut_turns_its_route_red_and_its_card_shows_light_and_schools(city: City, browser: Any) -> None:
    network = city.network
    dead = behind(network, DEAD) | {DEAD, CUT[1]}
    lk = next(lk for lk in network.links if lk.b.startswith("acc-sman") and lk.a not in dead
              and lk.b not in dead and len(network.links_of(lk.b)) == 1)
    page = _page(browser, city, "/map")
    page.wait_for_selector("#citymap[data-sites]", timeout=15_000)
    link_id = _link_id(page, lk.a, lk.b)
    path = f'path.fiber[data-id="{link_id}"]'
    assert page.get_attribute(path, "data-state") == "up"
    now = datetime.now(UTC).replace(microsecond=0)
    with session_factory(city.engine)() as session:
        ports = _ports(session)
        ends = [ports[(lk.a, network.device(lk.a).port(lk.a_port).name)],
                ports[(lk.b, network.device(lk.b).port(lk.b_port).name)]]
        for minutes, rx in ((20, -9.1), (10, -9.3)):  # light before the cut, on the uplink's port
            session.add(OpticalRecord(interface_id=ends[0].id, read_at=now - timedelta(minutes=minutes),
                                      rx_dbm=rx, tx_dbm=-2.2))
        for end in ends:
            end.oper_status = "down"
        names = session.scalars(select(Device.name)).all()
        silent = dead | {lk.b}
        Monitor(replace(city.settings)).evaluate(
            session, {n: Probe(n, n not in silent, source="status poll") for n in names}, now)
        session.commit()
    page.evaluate("window.netopsRefreshCityMap()")
    page.wait_for_selector(f'{path}[data-state="down"]', state="attached", timeout=10_000)
    assert page.get_attribute(path, "stroke") == "#cf222e"
    card = _page(browser, city, f"/map/fiber/{quote(link_id)}")
    card.wait_for_selector("#fiber-map path.fiber", state="attached", timeout=10_000)
    assert card.inner_text("h1").startswith("Cut fiber")
    ends_text = card.inner_text("#fc-ends")
    assert "-9.3 / -2.2 dBm" in ends_text
    school = network.site(network.device(lk.b).site).name
    assert school in card.inner_text("#fc-schools")
    assert card.eval_on_selector("path.fiber", "el => getComputedStyle(el).stroke") == RED
    assert card.locator(".route-point").count() > 0
    card.emulate_media(media="print")
    assert not card.is_visible("header.top") and card.is_visible("#fiber-map")
    _shot(card, "fiber-card-print.png")
    assert page.errors == [] and card.errors == []


def test_an_engineer_places_a_site_by_dragging(city: City, browser: Any) -> None:
    """Last in the module: it takes a site's coordinates away, then places it again by hand."""
    from inventory.models import Site

    name = "Dinas Sosial"
    with session_factory(city.engine)() as session:
        site = session.scalars(select(Site).where(Site.name == name)).one()
        site.latitude = site.longitude = None
        session.commit()
    page = _page(browser, city, "/map")
    page.wait_for_selector("#citymap[data-sites]", timeout=15_000)
    assert page.get_attribute("#citymap", "data-sites") == str(len(city.network.sites) - 1)
    assert name in page.inner_text("#unplaced")
    page.click(f'button.place[data-name="{name}"]')
    pin = page.wait_for_selector(".site-marker.placing")
    box = pin.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 8 * step, y + 5 * step)
    page.mouse.up()
    page.wait_for_selector(f'#unplaced li[data-name="{name}"].done', state="attached", timeout=10_000)
    assert "saved (" in page.inner_text(f'#unplaced li[data-name="{name}"]')
    with session_factory(city.engine)() as session:
        site = session.scalars(select(Site).where(Site.name == name)).one()
        assert site.latitude is not None and -7.6 < site.latitude < -7.4
        assert site.longitude is not None and 110.1 < site.longitude < 110.3
    page.wait_for_selector(f'#citymap[data-sites="{len(city.network.sites)}"]', state="attached",
                           timeout=10_000)
    assert page.errors == []
