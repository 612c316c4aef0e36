"""The topology map and the single-points page in a real browser, on a desk and on a phone.

Headless Debian chromium (Playwright) against a real HTTP server on the demo's city network
(``tests.web.city_seed``: 50 switches, dist-utara dead, a school's only fiber cut; states and
outages by the real monitor). What an engineer sees: the dead switch and the cut fiber drawn as
root causes and what is only cut off behind them greyed; a click opens the panel (state, since,
cause, outage) that closes with x or Escape; a click on a device or a fiber shows the sites its
failure would cut off, the same as the API says; single points of failure highlighted on
demand and listed on their page; at 390x844 readable labels for the district chosen and nothing
wider than the screen; states refreshed in place. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, update

from inventory.db import make_engine, session_factory, upgrade_schema
from inventory.models import Device, Interface
from netops.monitor.monitor import Monitor, Probe
from netops.settings import Settings, load_settings
from tests.support.browser import CHROMIUM
from tests.web.city_seed import CUT, DEAD, seed_city
from tests.web.seed import PASSWORDS
from web import create_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
RED, DARK_RED, CUT_RED = "rgb(207, 34, 46)", "rgb(110, 11, 23)", "rgb(164, 14, 38)"
GREY_FILL, GREY_LINK, PURPLE = "rgb(208, 215, 222)", "rgb(182, 190, 199)", "rgb(130, 80, 223)"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


class City:
    def __init__(self, settings: Settings, engine: Engine, base: str) -> None:
        self.settings, self.engine, self.base = settings, engine, base


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    from werkzeug.serving import make_server

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} missing (apt-get install chromium)")
    settings = load_settings(environ={"NETOPS_DATA_DIR": str(tmp_path_factory.mktemp("city") / "var")})
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    with session_factory(engine)() as session:
        seed_city(session)
    server = make_server("127.0.0.1", 0, create_app(settings, engine=engine), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield City(settings, engine, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        engine.dispose()


def _page(browser: Any, city: City, viewport: str, path: str = "/topology") -> Any:
    page = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(f"{city.base}/auth/login")
    page.fill("input[name=name]", "engineer")
    page.fill("input[name=password]", PASSWORDS["engineer"])
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{city.base}/")
    page.goto(f"{city.base}{path}")
    if path.startswith("/topology") and "spof" not in path.split("?")[0]:
        page.wait_for_selector("#topo[data-overlay=ready]")
    return page


def _api(page: Any, path: str) -> Any:
    response = page.request.get(page.url.split("/topology")[0] + path)
    assert response.ok, (path, response.status)
    return response.json()


def _style(page: Any, selector: str, *props: str) -> list[str]:
    return page.eval_on_selector(selector, "(el, ps) => ps.map(p => getComputedStyle(el)[p])", list(props))


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _no_overflow(page: Any, viewport: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]


def _cut_key(page: Any) -> str:
    links = _api(page, "/api/v1/topology")["links"]
    return next(lk["key"] for lk in links if {lk["a_device"], lk["b_device"]} == set(CUT))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_root_cause_is_drawn_apart_from_what_is_cut_off_behind_it(
    city: City, browser: Any, viewport: str
) -> None:
    page = _page(browser, city, viewport)
    dead = f'.node[data-name="{DEAD}"]'
    assert page.get_attribute(dead, "data-cause") == ""
    assert _style(page, f"{dead} circle", "fill", "stroke", "strokeWidth") == [RED, DARK_RED, "3.5px"]
    assert _style(page, f"{dead} text", "fill") == [CUT_RED]
    behind = '.node[data-name="acc-smpn2"]'  # behind the dead switch: unreachable, greyed
    assert page.get_attribute(behind, "data-state") == "unreachable"
    assert page.get_attribute(behind, "data-cause") is None
    assert _style(page, f"{behind} circle", "fill") == [GREY_FILL]
    cut = f'.link[data-key="{_cut_key(page)}"]'
    assert page.get_attribute(cut, "data-cause") == ""
    assert _style(page, cut, "stroke", "strokeWidth") == [CUT_RED, "4px"]
    cut_off = page.eval_on_selector_all(  # the dead switch's fibers: down or stale, none red
        f'.link[data-a="{DEAD}"], .link[data-b="{DEAD}"]', "els => els.map(e => getComputedStyle(e).stroke)"
    )
    assert len(cut_off) >= 10 and set(cut_off) == {GREY_LINK}
    page.set_viewport_size(VIEWPORTS[viewport])
    _no_overflow(page, viewport)
    _shot(page, f"map-root-cause-{viewport}.png")
    assert page.errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_node_panel_shows_state_since_cause_outage_and_closes(
    city: City, browser: Any, viewport: str
) -> None:
    page = _page(browser, city, viewport)
    panel = page.locator("#details")
    assert panel.is_hidden()
    overlay = _api(page, "/api/v1/topology/overlay")
    outage = next(o for o in overlay["outages"] if o["name"] == DEAD)
    page.click(f'.node[data-name="{DEAD}"] circle')
    panel.wait_for(state="visible")
    assert page.inner_text("#d-name") == DEAD
    assert page.inner_text("#d-state") == "down"
    since = datetime.fromisoformat(overlay["devices"][DEAD]["since"].replace("Z", "+00:00"))
    local = since.astimezone(ZoneInfo(city.settings.web.timezone))
    assert page.inner_text("#d-since") == f"{local:%Y-%m-%d %H:%M}"
    assert (
        page.inner_text("#d-cause")
        == outage["cause"]
        == ("the switch at Kantor Kecamatan Magelang Utara is down (dist-utara)")
    )
    assert page.get_attribute("#d-outage", "href") == f"/outages/{outage['id']}"
    box, width = panel.bounding_box(), VIEWPORTS[viewport]["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # on the screen, phone included
    _no_overflow(page, viewport)
    _shot(page, f"map-panel-{viewport}.png")
    page.click("#d-close")
    assert panel.is_hidden() and page.locator(".node.selected").count() == 0
    page.click('.node[data-name="acc-smpn2"] circle')  # cut off behind it: the same outage
    panel.wait_for(state="visible")
    assert page.inner_text("#d-state") == "unreachable"
    assert page.inner_text("#d-cause") == outage["cause"]
    page.wait_for_selector("#details[data-whatif=ready]")
    assert page.locator("#w-gone").is_visible()  # nothing more to lose
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.errors == []


def _listed(page: Any, selector: str) -> set[str]:
    texts = page.eval_on_selector_all(f"{selector} li", "els => els.map(e => e.lastChild.textContent)")
    return {name for text in texts for name in text.split(", ") if name}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_what_if_click_on_a_device_and_a_fiber_shows_the_right_sites(
    city: City, browser: Any, viewport: str
) -> None:
    page = _page(browser, city, viewport)
    expected = _api(page, "/api/v1/topology/impact?device=dist-tengah")
    assert expected["lost_sites"] and expected["degraded_sites"]
    page.click('.node[data-name="dist-tengah"] circle')
    page.wait_for_selector("#details[data-whatif=ready]")
    assert page.inner_text("#w-lost-n") == str(len(expected["lost_sites"]))
    assert _listed(page, "#w-lost") == set(expected["lost_sites"])
    assert _listed(page, "#w-deg") == set(expected["degraded_sites"])
    marked = page.eval_on_selector_all(".node.wi-lost", "els => els.map(e => e.dataset.name)")
    assert set(marked) == set(expected["lost_devices"])
    _shot(page, f"map-whatif-device-{viewport}.png")

    page.keyboard.press("Escape")
    assert page.locator(".node.wi-lost").count() == 0
    page.select_option("#f-district", "Magelang Selatan")  # the area of the fiber, fitted to the screen
    links = _api(page, "/api/v1/topology")["links"]
    key = next(
        lk["key"] for lk in links if {lk["a_device"], lk["b_device"]} == {"acc-pkm-selatan", "acc-sdn3"}
    )
    expected = _api(page, f"/api/v1/topology/impact?link={key}")
    assert expected["lost_sites"] == ["SD Negeri Magelang 3"]
    box = page.locator(f'.link[data-key="{key}"]').bounding_box()
    page.mouse.click(
        box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    )  # a thin line: near it is enough
    page.wait_for_selector("#details[data-whatif=ready]")
    assert page.get_attribute("#details", "data-kind") == "link"
    assert page.inner_text("#d-name") == key.replace("--", " – ")
    assert _listed(page, "#w-lost") == {"SD Negeri Magelang 3"}
    assert page.get_attribute(f'.link[data-key="{key}"]', "class").split() == ["link", "l-up", "selected"]
    _no_overflow(page, viewport)
    _shot(page, f"map-whatif-link-{viewport}.png")
    assert page.errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_single_points_of_failure_highlight_on_the_map(city: City, browser: Any, viewport: str) -> None:
    page = _page(browser, city, viewport)
    spofs = _api(page, "/api/v1/topology/spof")
    assert page.inner_text("#spof-count") == str(len(spofs))
    marked = page.eval_on_selector_all(
        "[data-spof]",
        "els => els.map(e => e.dataset.name ? 'device|' + e.dataset.name : 'link|' + e.dataset.key)",
    )
    assert set(marked) == {f"{p['type']}|{p['name']}" for p in spofs}
    link = f'.link[data-key="{next(p["name"] for p in spofs if p["type"] == "link")}"]'
    node = f'.node[data-name="{next(p["name"] for p in spofs if p["type"] == "device")}"] circle'
    assert _style(page, link, "stroke") != [PURPLE] and _style(page, node, "stroke") != [PURPLE]
    page.check("#f-spof")
    assert _style(page, link, "stroke", "strokeWidth") == [PURPLE, "4px"]
    assert _style(page, node, "stroke") == [PURPLE]
    assert _style(page, ".link:not([data-spof]):not([data-cause])", "opacity") == ["0.3"]
    _shot(page, f"map-spof-{viewport}.png")
    page.uncheck("#f-spof")
    assert _style(page, link, "stroke") != [PURPLE]
    page.goto(f"{city.base}/topology?spof=1")  # the page's "show them on the map"
    page.wait_for_selector("#topo.show-spof")
    assert _style(page, link, "stroke") == [PURPLE]
    assert page.errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_spof_page_lists_them_ranked_and_answers_what_if(city: City, browser: Any, viewport: str) -> None:
    page = _page(browser, city, viewport, "/")
    page.click("header nav >> text=Single points of failure")
    page.wait_for_url(f"{city.base}/topology/spof")
    spofs = _api(page, "/api/v1/topology/spof")
    rows = page.eval_on_selector_all(
        "table.spof-table tbody tr",
        "rs => rs.map(r => [r.dataset.name, +r.querySelector('.sites-n').textContent])",
    )
    assert rows == [[p["name"], len(p["sites"])] for p in spofs]
    assert rows[0][0] == "core-balaikota"
    _no_overflow(page, viewport)
    _shot(page, f"spof-page-{viewport}.png")
    page.fill("input[name=element]", "dist-selatan")
    page.click("#whatif-form button")
    page.wait_for_selector("#impact")
    expected = _api(page, "/api/v1/topology/impact?device=dist-selatan")
    shown = page.inner_text("#impact .lost")
    assert all(site in shown for site in expected["lost_sites"])
    assert page.get_attribute("#impact", "data-lost") == str(len(expected["lost_sites"]))
    _no_overflow(page, viewport)
    page.fill("input[name=element]", "dist-selatn")
    page.click("#whatif-form button")
    page.click("#impact >> text=dist-selatan")  # the nearest valid name, one click away
    assert page.get_attribute("#impact", "data-lost") == str(len(expected["lost_sites"]))
    assert page.errors == []


LABELS_JS = """() => Array.from(document.querySelectorAll('#topo .node:not(.hidden) text'))
  .filter(t => getComputedStyle(t).display !== 'none')
  .map(t => { const r = t.getBoundingClientRect();
              return {name: t.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom, h: r.height}; })"""


def _overlaps(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (a["name"], b["name"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]
    ]


def test_phone_shows_readable_labels_for_the_selected_area(city: City, browser: Any) -> None:
    page = _page(browser, city, "phone")
    whole = page.evaluate(LABELS_JS)
    assert {"core-balaikota", "dist-utara", "dist-tengah", "dist-selatan"} <= {lb["name"] for lb in whole}
    assert min(lb["h"] for lb in whole) >= 10 and _overlaps(whole) == []
    page.select_option("#f-district", "Magelang Selatan")
    page.wait_for_timeout(100)  # labels give way on the next animation frame
    area = page.evaluate(LABELS_JS)
    district = page.eval_on_selector_all('.node[data-district="Magelang Selatan"]', "els => els.length")
    assert len(area) >= 0.75 * district, (len(area), district)  # most of the area named
    assert min(lb["h"] for lb in area) >= 10 and _overlaps(area) == []
    svg = page.locator("#topo").bounding_box()
    inside = [lb for lb in area if svg["y"] <= lb["t"] and lb["b"] <= svg["y"] + svg["height"]]
    assert len(inside) == len(area)
    page.click("#zoom-in")
    page.wait_for_timeout(100)
    zoomed = page.evaluate(LABELS_JS)
    assert abs(zoomed[0]["h"] - area[0]["h"]) < 1.5 and _overlaps(zoomed) == []
    _no_overflow(page, "phone")
    _shot(page, "map-district-phone.png")
    assert page.errors == []


def test_states_and_causes_refresh_in_place(city: City, browser: Any) -> None:
    """Last in the module: it repairs the city (the dead switch answers, every port is up)."""
    page = _page(browser, city, "desk")
    dead = f'.node[data-name="{DEAD}"]'
    assert page.get_attribute(dead, "data-cause") == ""
    with session_factory(city.engine)() as session:
        session.execute(update(Interface).values(oper_status="up"))
        names = session.scalars(select(Device.name)).all()
        Monitor(city.settings).evaluate(
            session, {n: Probe(n, True) for n in names}, datetime.now().astimezone()
        )
        session.commit()
    page.evaluate("window.sameDocument = true")
    page.evaluate("window.netopsRefreshTopology()")
    page.wait_for_function(f"!document.querySelector('{dead}').hasAttribute('data-cause')", timeout=10_000)
    assert page.get_attribute(dead, "data-state") == "up"
    assert page.locator("[data-cause]").count() == 0 and page.locator("[data-behind]").count() == 0
    assert page.evaluate("window.sameDocument") is True  # no reload
    assert page.inner_text("#spof-count") == str(len(_api(page, "/api/v1/topology/spof")))
    assert page.errors == []


def test_a_link_from_another_page_opens_the_map_on_that_device(city: City, browser: Any) -> None:
    page = _page(browser, city, "desk", path=f"/topology?focus={DEAD}")
    page.locator("#details").wait_for(state="visible")
    assert page.inner_text("#d-name") == DEAD
    assert page.locator(f'.node.selected[data-name="{DEAD}"]').count() == 1
    assert page.errors == []
