"""Planned works and acknowledgement in a real browser (headless chromium, Playwright).

An engineer names a fiber, asks for its blast radius, sees the school it cuts off, and only then
saves; the help desk acknowledges the open outage from the dashboard with one click, and the
outage page shows who took it and its timeline. On a phone the forms fit the screen.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.seed import PASSWORDS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def _login(browser: Any, base: str, role: str, width: int = 1280, height: int = 900) -> Any:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{base}/auth/login")
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    return page


def test_the_blast_radius_is_shown_before_the_works_are_saved(browser: Any, base_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = _login(browser, base_url, "engineer")
    page.click("nav >> text=Planned works")
    page.wait_for_url(f"{base_url}/maintenance")
    assert page.locator("button[value=save]").count() == 0  # no saving without the preview
    page.select_option("select[name=scope]", "link")
    page.fill("input[name=target]", "dist-utara:sfp1,acc-smpn1:sfp1")
    page.fill("input[name=minutes]", "90")
    page.fill("input[name=reason]", "splice at pole 12")
    page.click("button[value=preview]")
    preview = page.locator("[data-preview]")
    preview.wait_for()
    assert "SMP Negeri 1 Magelang" in preview.inner_text()
    assert page.input_value("input[name=reason]") == "splice at pole 12"  # the form keeps what was typed
    page.screenshot(path=str(ARTIFACTS / "maintenance-preview.png"), full_page=True)
    page.click("button[value=save]")
    page.wait_for_url(f"{base_url}/maintenance")
    row = page.locator("tr[data-window]").first
    assert "splice at pole 12" in row.inner_text() and "SMP Negeri 1 Magelang" in row.inner_text()
    assert "in progress" in row.inner_text()


def test_the_help_desk_acknowledges_from_the_dashboard_and_sees_the_timeline(browser: Any,
                                                                             base_url: str) -> None:
    page = _login(browser, base_url, "helpdesk", 390, 844)
    button = page.locator("[data-ack-button]").first
    button.wait_for()
    outage = page.locator("tr[data-outage]").filter(has=page.locator("[data-ack-button]")).first
    outage_id = outage.get_attribute("data-outage")
    button.click()
    page.wait_for_url(f"{base_url}/")
    taken = page.locator(f"tr[data-outage='{outage_id}'] [data-ack]")
    assert "helpdesk" in taken.inner_text()
    page.goto(f"{base_url}/outages/{outage_id}")
    timeline = page.locator("[data-timeline]")
    assert "acknowledged" in timeline.inner_text() and "opened" in timeline.inner_text()
    page.fill(".note-form input[name=text]", "crew left the office")
    page.click(".note-form button")
    page.wait_for_url(f"{base_url}/outages/{outage_id}")
    assert "crew left the office" in page.locator("[data-timeline]").inner_text()
    assert "Being handled by helpdesk since" in page.locator("[data-handling]").inner_text()
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{width} px wide on a {inner} px screen"
    page.screenshot(path=str(ARTIFACTS / "outage-timeline-phone.png"), full_page=True)
