"""The logical map's district level in a real browser (Debian chromium, Playwright).

The demo's city (``tests.web.city_seed``: 50 switches in three districts, dist-utara dead, a
school's only fiber cut; states and outages by the real monitor) served on loopback. What an
engineer does: press "Districts" by keyboard and see one circle per district, the one with the
dead switch marked as holding a root cause; click a district and see its devices only, fitted;
zoom out with the button and get the districts back; the URL keeps the level all along. Then
the same city as a province would be (``DEVICE_LEVEL_MAX`` lowered): the page opens on districts
without any device drawn, and a district leads to its device page. Screenshots (PNG) go to the
test's temporary directory.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inventory.db import make_engine, session_factory, upgrade_schema
from netops.settings import load_settings
from tests.support.browser import CHROMIUM
from tests.web.city_seed import DEAD, seed_city
from tests.web.seed import PASSWORDS
from web import create_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # as the other browser tests
DISTRICTS = {"Magelang Selatan", "Magelang Tengah", "Magelang Utara"}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from werkzeug.serving import make_server

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} missing (apt-get install chromium)")
    settings = load_settings(environ={"NETOPS_DATA_DIR": str(tmp_path_factory.mktemp("levels") / "var")})
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    with session_factory(engine)() as session:
        seed_city(session)
    server = make_server("127.0.0.1", 0, create_app(settings, engine=engine), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        engine.dispose()


def _page(browser: Any, base: str, path: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(f"{base}/auth/login")
    page.fill("input[name=name]", "engineer")
    page.fill("input[name=password]", PASSWORDS["engineer"])
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}{path}")
    page.wait_for_selector("#topo[data-overlay=ready]")
    return page


def _shown(page: Any, selector: str) -> int:
    return int(page.eval_on_selector_all(
        selector, "els => els.filter(e => e.getBoundingClientRect().width > 0).length"))


def _shown_districts(page: Any) -> set[str]:
    return set(page.eval_on_selector_all(
        ".node", "els => els.filter(e => e.getBoundingClientRect().width > 0).map(e => e.dataset.district)"))


def test_districts_by_keyboard_then_a_district_then_zoom_out(
    browser: Any, base: str, tmp_path: Path
) -> None:
    page = _page(browser, base, "/topology")
    assert page.get_attribute("#topo", "data-level") == "device"
    assert _shown(page, ".node") == 50 and _shown(page, ".district") == 0
    page.focus("#level-district")
    page.keyboard.press("Enter")
    page.wait_for_selector("#topo[data-level=district]")
    assert "level=district" in page.url
    assert _shown(page, ".node") == 0 and _shown(page, ".district") == 3
    assert page.get_attribute("#level-district", "aria-current") == "page"
    names = page.eval_on_selector_all(".district", "els => els.map(e => e.dataset.district)")
    assert set(names) == DISTRICTS
    utara = '.district[data-district="Magelang Utara"]'
    assert page.get_attribute(utara, "data-cause") == ""  # the dead switch is in it
    assert "root cause: " + DEAD in page.text_content(utara)
    assert int(page.get_attribute(utara, "data-offline")) > 0
    # the line between two districts says how many links and how many are down
    assert _shown(page, ".dlink") >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "web-topology-districts.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")

    page.click(utara + " circle")
    page.wait_for_selector("#topo[data-level=device]")
    assert "level=device" in page.url and "district=Magelang+Utara" in page.url
    assert _shown_districts(page) == {"Magelang Utara"}
    assert page.input_value("#f-district") == "Magelang Utara"
    assert page.is_visible(f'.node[data-name="{DEAD}"]')
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "web-topology-district-devices.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")

    for _ in range(6):  # zoomed out far enough, the districts come back
        page.click("#zoom-out")
        if page.get_attribute("#topo", "data-level") == "district":
            break
    assert page.get_attribute("#topo", "data-level") == "district"
    assert "level=district" in page.url and _shown(page, ".district") == 3
    page.click("#zoom-reset")
    for _ in range(4):  # and zoomed in again, the devices
        page.click("#zoom-in")
        if page.get_attribute("#topo", "data-level") == "device":
            break
    assert page.get_attribute("#topo", "data-level") == "device" and _shown(page, ".node") > 0
    assert page.errors == []


def test_a_province_opens_on_districts_and_a_district_opens_its_devices(
    browser: Any, base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.districtmap.DEVICE_LEVEL_MAX", 20)  # the server runs in this process
    page = _page(browser, base, "/topology")
    assert page.get_attribute("#topo", "data-level") == "district"
    assert page.query_selector("#devices") is None  # the page carries no device
    assert _shown(page, ".district") == 3 and page.is_hidden("#f-role")
    page.focus('.district[data-district="Magelang Selatan"]')  # keyboard: Tab reaches each district
    page.keyboard.press("Enter")
    page.wait_for_url("**level=device&district=Magelang+Selatan")
    page.wait_for_selector("#topo[data-overlay=ready]")
    assert _shown_districts(page) == {"Magelang Selatan"}
    view = [float(v) for v in page.get_attribute("#topo", "viewBox").split()]
    assert view[2] < 1000  # fitted to the district
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "web-topology-province-district.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert page.errors == []

    zoomed = _page(browser, base, "/topology")  # zooming in on districts opens the nearest one's devices
    for _ in range(6):
        if "level=device" in zoomed.url:
            break
        zoomed.click("#zoom-in")
    zoomed.wait_for_url("**level=device&district=*")
    zoomed.wait_for_selector("#topo[data-overlay=ready]")
    assert len(_shown_districts(zoomed)) == 1 and zoomed.errors == []
