"""A real browser against a real network: helpdesk sees a school go Offline when its fiber is cut.

Headless Debian chromium driven by Playwright; the network is the namespace testbed (real
snmpd + lldpd). Log in as helpdesk, search the school, see it Online; cut its only fiber with
``testbed fail-link``, poll again, see it Offline with that fiber as the cause; as an
engineer, the topology page draws that link as the root cause, and after the repair the map
turns it green in place (no reload). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from inventory.db import session_scope
from netops.accounts import add_user
from netops.runtime import open_database
from netops.settings import Settings, load_settings
from tests.integration import testbed as beds
from tests.support.browser import CHROMIUM
from tests.web.testbed_flow import import_testbed, poll_status
from web import create_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCHOOL, SWITCH, UPLINK = "SMP Negeri 1 Magelang", "acc-smpn1", "dist-utara"
LINK_KEY = "acc-smpn1:sfp1--dist-utara:sfp1"
CAUSE_RGB, UP_RGB = "rgb(164, 14, 38)", "rgb(26, 127, 55)"  # the root cause's red; up
USERS = {"desk": ("helpdesk", "desk-password"), "eng": ("engineer", "eng-password")}

pytestmark = [pytest.mark.browser, pytest.mark.testbed, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def testbed() -> Iterator[beds.Testbed]:
    """A bed of our own (prefix w<pid>), so the integration suite's bed is never disturbed."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} missing (apt-get install chromium)")
    reason = beds.unavailable_reason()
    if reason:
        pytest.skip(reason)
    prefix = f"w{os.getpid() % 10**6}"
    try:
        bed = beds.bring_up(prefix)
    except Exception as exc:
        beds.tear_down(prefix)
        pytest.fail(f"testbed did not come up: {exc}")
    try:
        yield bed
    finally:
        beds.tear_down(prefix)


@pytest.fixture(scope="module")
def service(
    testbed: beds.Testbed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, Engine, str]]:
    from werkzeug.serving import make_server

    data_dir = str(tmp_path_factory.mktemp("web") / "var")
    # patient SNMP: a loaded CI machine must not turn a slow answer into a dead switch
    settings = load_settings(
        environ={"NETOPS_DATA_DIR": data_dir, "NETOPS_SNMP__TIMEOUT_S": "3", "NETOPS_SNMP__RETRIES": "2"}
    )
    engine = open_database(settings)
    import_testbed(engine, testbed.inventory)
    with session_scope(engine) as session:
        for name, (role, password) in USERS.items():
            add_user(session, name, password, role)
    server = make_server("127.0.0.1", 0, create_app(settings, engine=engine), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield settings, engine, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        engine.dispose()


def _login(browser: Any, base: str, user: str) -> Any:
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    page.goto(f"{base}/auth/login")
    page.fill("input[name=name]", user)
    page.fill("input[name=password]", USERS[user][1])
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    return page


def _check_school(page: Any, base: str, query: str, shot: str) -> tuple[str, str]:
    page.goto(f"{base}/schools")
    page.fill("input[name=q]", query)
    page.click("form.search button")
    answer = page.locator("section.answer")
    answer.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    return answer.get_attribute("data-state") or "", answer.inner_text()


def _poll_until(
    settings: Settings, engine: Engine, bed: beds.Testbed, state: str, timeout_s: float = 45
) -> None:
    """Status cycles until the school's uplink has ``state`` and the school's switch answered.

    net-snmp refreshes ifTable every ~3 s; on a loaded machine a poll can time out, and a
    silent switch is (rightly) reported as the cause, so wait for a cycle in which it answered.
    """
    from web.readers import get_device, list_links

    deadline = time.monotonic() + timeout_s
    while True:
        poll_status(settings, engine)
        with session_scope(engine) as session:
            links = list_links(session, device=SWITCH)
            link = next(lk for lk in links if UPLINK in (lk.a_device, lk.b_device))
            device = get_device(session, SWITCH)
        if link.state == state and device is not None and device.state != "down":
            print(f"polled: {link.name} {state}, {SWITCH} {device.state}")
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"{link.name} {link.state}, {SWITCH} {device and device.state} after {timeout_s} s"
            )
        time.sleep(1.5)


def test_helpdesk_sees_school_go_offline_and_map_shows_the_cut(
    testbed: beds.Testbed, service: tuple[Settings, Engine, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    settings, engine, base = service
    _poll_until(settings, engine, testbed, "up")
    desk = _login(browser, base, "desk")
    state, text = _check_school(desk, base, "smpn 1 magelang", "web-school-online.png")
    assert state == "online" and SCHOOL in text and "Online" in text

    testbed.fail_link(f"{UPLINK}:sfp1", SWITCH)
    try:
        _poll_until(settings, engine, testbed, "down")
        state, text = _check_school(desk, base, "smp negri 1 magelng", "web-school-offline.png")
        assert state == "offline", text
        assert "Offline since" in text
        assert "to this school is cut" in text and "sfp1" not in text  # places first, ports folded
        desk.click("section.answer details.technical summary")
        detail = desk.locator("section.answer").inner_text()
        assert "dist-utara:sfp1" in detail and "acc-smpn1:sfp1" in detail and "is cut" in detail
        desk.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing wider than the screen
        assert desk.evaluate("document.documentElement.scrollWidth") <= 390
        desk.screenshot(path=str(ARTIFACTS / "web-school-offline-phone.png"), full_page=True)

        eng = _login(browser, base, "eng")
        eng.goto(f"{base}/topology")
        line = eng.locator(f'line[data-key="{LINK_KEY}"]')
        assert "l-down" in (line.get_attribute("class") or "")
        assert line.get_attribute("data-cause") == ""  # drawn as the root cause of the outage
        assert line.evaluate("el => getComputedStyle(el).stroke") == CAUSE_RGB
        eng.screenshot(path=str(ARTIFACTS / "web-topology-down.png"), full_page=True)
        assert desk.goto(f"{base}/topology").status == 403  # helpdesk has no map
        eng.goto(f"{base}/devices/{SWITCH}")
        badge = eng.locator("tr", has_text="sfp1").first.locator(".badge")
        assert badge.inner_text() == "down"
        assert badge.evaluate("el => getComputedStyle(el).color") == "rgb(255, 255, 255)"  # readable on red
        eng.screenshot(path=str(ARTIFACTS / "web-device-down.png"), full_page=True)
        eng.goto(f"{base}/")
        assert SCHOOL in eng.locator("main").inner_text()  # the open outage lists the school
        eng.screenshot(path=str(ARTIFACTS / "web-dashboard-outage.png"), full_page=True)
        eng.goto(f"{base}/topology")
    finally:
        testbed.restore_link(UPLINK, SWITCH)

    _poll_until(settings, engine, testbed, "up")
    eng.evaluate("window.sameDocument = true")
    eng.evaluate("window.netopsRefreshTopology()")  # the map's own 30 s refresh, run now
    expect(line).to_have_class(re.compile(r"\bl-up\b"), timeout=10_000)
    expect(line).not_to_have_attribute("data-cause", "", timeout=10_000)
    assert eng.evaluate("window.sameDocument") is True  # updated in place, no reload
    assert line.evaluate("el => getComputedStyle(el).stroke") == UP_RGB
    eng.screenshot(path=str(ARTIFACTS / "web-topology-restored.png"), full_page=True)
