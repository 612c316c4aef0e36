"""The help desk first, in a real browser on a desk and on a phone (390x844).

Headless Debian chromium (Playwright) against the app on the seeded network (states from the
real monitor). An ambiguous search offers choices and the operator picks one; an outage leads
to its sites and its cause; a silent device shows its ports greyed as last seen; the job
buttons follow the state. On the phone every one of those pages keeps what matters on the
screen without sideways scrolling. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, Interface, JobRun, Outage, PollRun, Site
from netops.monitor.monitor import Monitor, Probe
from netops.settings import load_settings
from tests.web.conftest import FakeScheduler
from tests.web.seed import DEVICES, PASSWORDS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
STALE_GREY = "rgb(208, 215, 222)"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def _login(browser: Any, base: str, role: str, viewport: str) -> Any:
    page = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()
    page.goto(f"{base}/auth/login")
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    return page


def _no_sideways_scroll(page: Any) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url}: {width} px wide on a {inner} px screen"


def _on_screen(locator: Any) -> None:
    """Visible, and inside the screen's width once scrolled to: no sideways scrolling to read it."""
    locator.scroll_into_view_if_needed()
    assert locator.is_visible()
    box = locator.bounding_box()
    inner = locator.page.evaluate("window.innerWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner + 0.5, (box, inner)


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.mark.parametrize("viewport", ["desk", "phone"])
def test_ambiguous_search_offers_choices_and_the_operator_picks(
    base_url: str, browser: Any, session: Session, viewport: str
) -> None:
    session.add_all(
        [
            Site(name="SD Negeri Magelang 2", kind="school", district="Magelang Utara"),
            Site(name="SD Negeri Jurangombo 2", kind="school", district="Magelang Selatan"),
        ]
    )
    session.commit()
    page = _login(browser, base_url, "helpdesk", viewport)
    page.goto(f"{base_url}/schools")
    page.fill("input[name=q]", "SD Negeri 2")
    page.click("form.search button")
    choices = page.locator("section.choices li")
    choices.first.wait_for()
    assert page.locator("section.answer").count() == 0  # no confident answer about one of them
    assert choices.all_inner_texts() == [
        "SD Negeri Jurangombo 2 Magelang Selatan Not monitored right now",
        "SD Negeri Magelang 2 Magelang Utara Not monitored right now",
    ]
    for i in range(2):
        _on_screen(choices.nth(i))
    _no_sideways_scroll(page)
    _shot(page, f"web-helpdesk-choices-{viewport}.png")
    page.click("text=SD Negeri Magelang 2")
    answer = page.locator("section.answer")
    answer.wait_for()
    assert answer.get_attribute("data-site") == "SD Negeri Magelang 2"
    assert answer.get_attribute("data-state") == "unknown" and "Online" not in answer.inner_text()
    _no_sideways_scroll(page)


@pytest.mark.parametrize("viewport", ["desk", "phone"])
def test_an_outage_leads_to_its_sites_and_its_cause(
    base_url: str, browser: Any, session: Session, viewport: str
) -> None:
    cut = session.scalars(
        select(Outage).where(Outage.root_cause == "acc-sdn1:sfp1--dist-utara:sfp2", Outage.ended_at.is_(None))
    ).one()
    page = _login(browser, base_url, "helpdesk", viewport)
    page.goto(f"{base_url}/outages")
    row = page.locator(f'tr[data-outage="{cut.id}"]')
    sites = row.locator("td.sites")
    _on_screen(sites)
    _no_sideways_scroll(page)
    _shot(page, f"web-outages-{viewport}.png")
    sites.locator("a", has_text="SD Negeri 1 Magelang").click()
    page.wait_for_url("**/sites/SD%20Negeri%201%20Magelang")
    answer = page.locator("section.answer")
    assert answer.get_attribute("data-state") == "offline"
    assert "The fiber from Kantor Kecamatan Magelang Utara to this school is cut." in answer.inner_text()
    _no_sideways_scroll(page)
    page.click(f"section.answer a[href='/outages/{cut.id}']")  # the site's open outage
    page.wait_for_url(f"**/outages/{cut.id}")
    assert "SD Negeri 1 Magelang" in page.locator("ul.sites.affected").inner_text()
    _no_sideways_scroll(page)
    page.goto(f"{base_url}/outages")
    row.locator("a.cause-words").click()  # the cause in plain words leads to the outage too
    page.wait_for_url(f"**/outages/{cut.id}")
    cause = page.locator("p.cause").inner_text()
    assert "The fiber between SD Negeri 1 Magelang and Kantor Kecamatan Magelang Utara is cut" in cause
    _shot(page, f"web-outage-{viewport}.png")
    page.goto(f"{base_url}/")
    evidence = page.locator('tr[data-element="SD Negeri 1 Magelang"] td.evidence').first
    _on_screen(evidence)  # the dashboard's evidence, on a phone too
    _no_sideways_scroll(page)


def _silence(session: Session, device: str) -> None:
    seen = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=9)
    for iface in session.scalars(select(Interface).join(Device).where(Device.name == device)):
        iface.status_polled_at = seen
    monitor = Monitor(load_settings(environ={}))
    probes = {name: Probe(name, True, source="test") for name, *_ in DEVICES}
    monitor.evaluate(session, probes, seen)
    probes[device] = Probe(device, False, icmp_ok=False, error="timeout", source="test")
    monitor.evaluate(session, probes, seen + timedelta(minutes=8))
    session.commit()


@pytest.mark.parametrize("viewport", ["desk", "phone"])
def test_a_silent_device_page_is_greyed_as_last_seen(
    base_url: str, browser: Any, session: Session, viewport: str
) -> None:
    _silence(session, "acc-smpn1")
    page = _login(browser, base_url, "engineer", viewport)
    page.goto(f"{base_url}/devices/acc-smpn1")
    note = page.locator("p.stale-note")
    _on_screen(note)
    assert "as last seen at" in note.inner_text() and "not current" in note.inner_text()
    port = page.locator('tr[data-port="sfp1"] td.port-state')
    _on_screen(port)
    badge = port.locator(".badge")
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == STALE_GREY  # not green
    assert "last seen" in port.inner_text()
    rate = page.locator('tr[data-port="sfp1"] td.rate').first
    assert rate.evaluate("el => getComputedStyle(el).fontStyle") == "italic"
    _no_sideways_scroll(page)
    _shot(page, f"web-device-stale-{viewport}.png")
    page.goto(f"{base_url}/devices/dist-utara")  # answering: current, in colour
    assert page.locator("p.stale-note").count() == 0
    live = page.locator('tr[data-port="sfp1"] .badge')
    assert live.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(26, 127, 55)"


@pytest.mark.parametrize("viewport", ["desk", "phone"])
def test_job_buttons_follow_the_state(
    base_url: str, browser: Any, session: Session, scheduler: FakeScheduler, viewport: str
) -> None:
    scheduler._jobs = [replace(j, paused=j.job_id == "counters") for j in scheduler._jobs]
    now = datetime.now(UTC)
    run = JobRun(job="status", started_at=now - timedelta(seconds=12), trigger="schedule", result="running",
                 devices_polled=0, devices_failed=0)
    session.add(run)
    session.flush()
    device = session.scalars(select(Device).order_by(Device.name)).first()
    assert device is not None
    session.add(PollRun(job_run_id=run.id, device_id=device.id, job="status", transport="snmp",
                        started_at=now, duration_s=0.1, ok=True, completed="interfaces"))
    session.commit()
    page = _login(browser, base_url, "engineer", viewport)
    page.goto(f"{base_url}/jobs")

    def buttons(job: str) -> list[str]:
        return page.locator(f'tr[data-job="{job}"] td.actions button').all_inner_texts()

    assert buttons("counters") == ["Run now", "Resume"]
    assert buttons("discovery") == ["Run now", "Pause"]
    assert buttons("status") == ["Pause"]
    assert "1 of 5 devices" in page.locator('tr[data-job="status"]').inner_text()
    for job in ("counters", "status"):
        for button in page.locator(f'tr[data-job="{job}"] td.actions button').all():
            _on_screen(button)
    _no_sideways_scroll(page)
    _shot(page, f"web-jobs-{viewport}.png")
    page.locator('tr[data-job="counters"] button[data-action="resume"]').click()
    page.wait_for_url(f"{base_url}/jobs")
    assert "Job counters resumed." in page.locator("p.flash").inner_text()
    assert scheduler.calls == [("resume", "counters")]
