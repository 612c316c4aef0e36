"""End to end: ``netops demo --quiet`` as a user starts it, on free ports with a temporary data
directory: every simulated switch is polled up, every fiber is discovered, a fiber cut through
the control hook opens an outage that closes after the repair, headless Chromium shows the
dashboard and the topology map (screenshots in ``test-artifacts/``; with NETOPS_UPDATE_SCREENSHOTS=1
also in ``docs/screenshots/``),
a second demo on the same port fails cleanly, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.network import generate
from tests.demo.running import NETOPS, Demo, wait_for
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.timeout(420)
ROOT = Path(__file__).resolve().parents[2]
CUT = ("dist-utara", "acc-kel-wates")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = Demo(tmp_path_factory.mktemp("demo-e2e") / "var")
    try:
        running.start()
        yield running
    finally:
        if running.process is not None:
            agents = None
            with contextlib.suppress(OSError, ValueError, KeyError):
                agents = running.agents_pid()
            running.stop()
            if agents is not None:
                with pytest.raises(ProcessLookupError):
                    os.kill(agents, 0)


def test_every_simulated_device_is_polled_up(demo):
    expected = {d.name for d in generate(1).devices}

    def all_up() -> bool:
        states = {d["name"]: d["state"] for d in demo.api("devices")}
        return set(states) == expected and all(s == "up" for s in states.values())

    wait_for(all_up, 150, lambda: f"not every device is up: {demo.api('devices')}\n{demo.lines[-20:]}")


def test_every_fiber_is_discovered(demo):
    network = generate(1)
    expected = {frozenset(((lk.a, lk.a_port), (lk.b, lk.b_port))) for lk in network.links}

    def discovered() -> set[frozenset[tuple[str, str]]]:  # the demo declares its fibers: seen = confirmed
        return {frozenset(((lk["a_device"], lk["a_port"]), (lk["b_device"], lk["b_port"])))
                for lk in demo.api("links") if lk["source"] in ("lldp", "cdp") or lk["last_seen"]}

    wait_for(
        lambda: expected <= discovered(),
        180,
        lambda: f"links missing: {sorted(map(sorted, expected - discovered()))[:5]}",
    )


def open_outage(demo: Demo) -> dict[str, Any] | None:
    for outage in demo.api("outages?active=true"):
        if CUT[1] in outage["affected_devices"]:
            return dict(outage)
    return None


def cut_fiber(demo: Demo) -> dict[str, Any]:
    wait_for(lambda: all(d["state"] == "up" for d in demo.api("devices")), 150, lambda: "devices not up")
    cut = demo.cli("demo", "fault", "cut-link", *CUT)
    assert f"cut: {CUT[0]}:" in cut.stdout
    return dict(wait_for(lambda: open_outage(demo), 120, lambda: f"no outage opened: {demo.api('outages')}"))


def test_cut_fiber_opens_an_outage_that_closes_after_repair(demo):
    try:
        outage = cut_fiber(demo)
        assert "acc-smpn2" in outage["affected_devices"], "the school chained behind the office is out too"
        devices = {d["name"]: d["state"] for d in demo.api("devices")}
        assert devices["dist-utara"] == "up"
    finally:
        demo.cli("demo", "fault", "restore-all")

    def closed() -> bool:
        # the monitor may refine the root cause (link -> device) while it lasts; what matters is
        # that nothing stays open for the repaired site and the outage history shows it
        still_open = [o for o in demo.api("outages?active=true") if CUT[1] in o["affected_devices"]]
        history = [o for o in demo.api("outages?active=false") if CUT[1] in o["affected_devices"]]
        return not still_open and bool(history) and all(o["ended_at"] for o in history)

    wait_for(closed, 120, lambda: f"outage did not close: {demo.api('outages')}")
    wait_for(lambda: all(d["state"] == "up" for d in demo.api("devices")), 120, lambda: "devices not back up")


FIVE_FAULTS = (  # in five places at once: a chain, a dead office, a leaf, the ring, an agency
    ("cut-link", "dist-utara", "acc-kel-wates"),
    ("fail-device", "acc-kel-kedungsari", ""),
    ("fail-device", "acc-sman3", ""),
    ("cut-link", "dist-selatan", "dist-tengah"),
    ("cut-link", "core-balaikota", "acc-setda"),
)


def test_five_faults_give_five_outages_and_their_repairs_none(demo):
    """One fault, one outage, from its start: no per-device outages that merge later, none at recovery."""
    wait_for(lambda: all(d["state"] == "up" for d in demo.api("devices")), 150, lambda: "devices not up")
    wait_for(lambda: not demo.api("outages?active=true"), 120, lambda: f"still open: {demo.api('outages')}")
    before = {o["id"] for o in demo.api("outages")}
    try:
        for action, a, b in FIVE_FAULTS:
            demo.cli("demo", "fault", action, *[x for x in (a, b) if x])
        wait_for(
            lambda: len(demo.api("outages?active=true")) == 5,
            120,
            lambda: f"expected 5 open outages: {demo.api('outages?active=true')}",
        )
        opened = demo.api("outages?active=true")
        sites = {site for o in opened for site in o["affected_sites"]}
        assert {"acc-smpn2", "acc-sdn-kedungsari1"} <= {d for o in opened for d in o["affected_devices"]}
        ring = next(
            o
            for o in opened
            if {"dist-selatan", "dist-tengah"} <= set(o["root_cause"]["name"].replace("--", ":").split(":"))
        )
        assert ring["affected_sites"] == [], ring  # dual-homed agencies close the ring again: nobody is cut
        assert sites
    finally:
        demo.cli("demo", "fault", "restore-all")
    wait_for(lambda: not demo.api("outages?active=true"), 150, lambda: f"not closed: {demo.api('outages')}")
    time.sleep(25)  # one more status cycle: recoveries open nothing
    new = [o for o in demo.api("outages") if o["id"] not in before]
    assert len(new) == 5, [(o["root_cause"], o["started_at"], o["ended_at"]) for o in new]


@pytest.mark.browser
def test_browser_shows_dashboard_and_topology_map(demo):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    artifacts, docs = ROOT / "test-artifacts", ROOT / "docs" / "screenshots"
    artifacts.mkdir(exist_ok=True)
    password = next(line.split()[-1] for line in demo.lines if line.strip().startswith("login engineer"))
    base = f"http://127.0.0.1:{demo.web_port}"
    try:
        cut_fiber(demo)
        dark = {CUT[1], "acc-smpn2"}  # the office and the school chained behind it
        wait_for(
            lambda: all((d["state"] == "up") != (d["name"] in dark) for d in demo.api("devices")),
            90,
            lambda: f"states never settled: {demo.api('devices')}",
        )
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{base}/auth/login")
            page.fill("input[name=name]", "engineer")
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            assert "acc-kel-wates" in page.content() or "Kelurahan Wates" in page.content()
            page.screenshot(path=str(artifacts / "demo-dashboard.png"), full_page=True)
            page.goto(f"{base}/topology")
            page.wait_for_selector("svg#topo g.node")
            nodes = page.locator("svg#topo g.node").count()
            assert nodes == len(generate(1).devices)
            assert page.locator("svg#topo line.l-down").count() >= 1, "the cut fiber is drawn down"
            page.screenshot(path=str(artifacts / "demo-topology.png"), full_page=True)
            browser.close()
    finally:
        demo.cli("demo", "fault", "restore-all")
    for name in ("demo-dashboard.png", "demo-topology.png"):
        assert (artifacts / name).stat().st_size > 10_000
        if os.environ.get("NETOPS_UPDATE_SCREENSHOTS"):  # refresh the README's pictures on request only
            docs.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(artifacts / name, docs / name)


def test_second_demo_on_the_same_port_says_busy(demo):
    result = subprocess.run(
        [*NETOPS, "demo", "--quiet", "--port", str(demo.web_port)],
        env=demo.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "busy" in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_start_runs_the_demo_on_a_fresh_install_and_ctrl_c_stops_everything(tmp_path):
    other = Demo(tmp_path / "var")
    other.start("start")
    assert any("no inventory imported yet" in line for line in other.lines)
    agents = other.agents_pid()
    assert other.stop() == 0
    assert any("demo stopped" in line for line in other.lines)
    with pytest.raises(ProcessLookupError):
        os.kill(agents, 0)
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""


def test_start_runs_the_real_service_once_an_inventory_exists(tmp_path):
    inventory = tmp_path / "city.yaml"
    inventory.write_text(
        "credentials:\n  lab: {type: snmp, version: 2c, community: {env: LAB_COMMUNITY}}\n"
        "sites:\n  - {name: Balai Kota, kind: core}\n"
        "devices:\n  - {name: core-lab, address: 127.0.0.9, snmp_port: 9, site: Balai Kota, "
        "role: core, snmp: lab}\n"
    )
    service = Demo(tmp_path / "var")
    service.cli("init")
    service.cli("inventory", "import", str(inventory))
    env = {**service.env, "NETOPS_WEB__PORT": str(service.web_port)}
    process = subprocess.Popen(
        [*NETOPS, "start"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert "starting the service" in first, first
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    assert not (tmp_path / "var" / "demo" / "demo.json").exists(), "no demo agents for a real inventory"
