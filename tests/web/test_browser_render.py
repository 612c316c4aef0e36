"""Readable in a real browser, on a desk and on a phone: badge text visible, map labels legible.

Headless Debian chromium (Playwright) against the app on the seeded test database; no
testbed, so it runs in a few seconds. Regression for badges whose text was painted in the
pill's own colour, and for map labels 3-6 px tall once the 1000-unit map was fitted to a screen.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.seed import PASSWORDS

VIEWPORTS = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

# every .badge: its text, text colour and background colour as the browser paints them
BADGES_JS = """() => Array.from(document.querySelectorAll('.badge')).map(b => {
  const s = getComputedStyle(b);
  return {text: b.innerText.trim(), color: s.color, background: s.backgroundColor};
})"""
# every visible map label: its on-screen height in CSS pixels
LABELS_JS = """() => Array.from(document.querySelectorAll('#topo .node text'))
  .filter(t => getComputedStyle(t).display !== 'none')
  .map(t => ({name: t.textContent, height: t.getBoundingClientRect().height}))"""


def _page(browser: Any, base: str, viewport: str, lang: str) -> Any:
    context = browser.new_context(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(f"{base}/auth/login")
    page.fill("input[name=name]", "engineer")
    page.fill("input[name=password]", PASSWORDS["engineer"])
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    return page


@pytest.mark.parametrize(("viewport", "lang"), [("desk", "en"), ("phone", "id")])
def test_badges_readable_and_map_labels_legible(
    base_url: str, browser: Any, viewport: str, lang: str
) -> None:
    page = _page(browser, base_url, viewport, lang)
    for path in ("/", "/devices/acc-sdn1", "/inventory", "/schools"):
        page.goto(f"{base_url}{path}")
        badges = page.evaluate(BADGES_JS)
        assert badges, path
        unreadable = [b for b in badges if not b["text"] or b["color"] == b["background"]]
        assert unreadable == [], (path, unreadable)
    page.goto(f"{base_url}/")
    # the newest event of the cut fiber (link ids are DEV:PORT--DEV:PORT, ends sorted)
    change = page.locator('tr[data-element="acc-sdn1:sfp1--dist-utara:sfp2"]').first.locator(".badge")
    assert change.all_inner_texts() == (["up", "down"] if lang == "en" else ["aktif", "putus"])

    page.goto(f"{base_url}/topology")
    labels = page.evaluate(LABELS_JS)
    assert {"core-balaikota", "dist-utara"} <= {label["name"] for label in labels}
    assert min(label["height"] for label in labels) >= 10, labels  # about 11 px text on any screen
    page.click("#zoom-in")  # zooming keeps labels the same size on screen
    after = page.evaluate(LABELS_JS)
    assert abs(after[0]["height"] - labels[0]["height"]) < 1.5, (labels[0], after[0])
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
