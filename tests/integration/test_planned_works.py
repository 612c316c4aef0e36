"""Planned works on the real testbed, as an operator does it from the command line.

A window on the fiber dist-utara -- acc-smpn1 (``netops maintenance add``, its blast radius
printed), then that fiber cut inside it: the outage is planned and the only notification route,
a real local webhook (apprise ``json://127.0.0.1:PORT/``), receives nothing. The window ends with
the fiber still cut: the outage becomes a normal one and exactly one message arrives, saying the
works are over but the school is still offline. ``netops outages ack ID --note ...`` then shows
who and the note in ``netops outages --json``. The fiber is restored in ``finally``.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from cli import main
from inventory.db import session_scope
from netops.monitor import timeline
from netops.monitor.queries import OutageView, active_outages
from netops.settings import Settings
from tests.integration.monitor_helpers import (
    STATUS_INTERVAL_S,
    running_service,
    seed_testbed,
    sites_behind,
    wait_for,
)
from tests.integration.testbed import Testbed

pytestmark = pytest.mark.testbed
CYCLE_S = STATUS_INTERVAL_S + 2.0 + 3.0 + 1.5  # interval, SNMP timeout, ifTable cache, slack
WINDOW_S = 35


def _cli(settings: Settings, *args: str) -> tuple[int, str]:
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_CONFIG": ""}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    # stdout alone when it worked: the in-process scheduler's warnings go to stderr
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def _active(engine: Engine) -> list[OutageView]:
    with session_scope(engine) as session:
        return active_outages(session)


def _fiber(inventory: dict[str, Any], a: str, b: str) -> str:
    for link in inventory["links"]:
        ends = (link["a"], link["b"]) if isinstance(link["a"], str) else (
            f"{link['a']['node']}:{link['a']['port']}", f"{link['b']['node']}:{link['b']['port']}")
        if {e.split(":")[0] for e in ends} == {a, b}:
            return ",".join(ends)
    raise AssertionError(f"no fiber {a} -- {b} in the testbed")


@pytest.fixture
def monitored(testbed: Testbed, settings: Settings, engine: Engine) -> Any:
    seed_testbed(engine, testbed.inventory)
    with running_service(settings, engine) as (service, hook):
        yield service, hook


def test_a_planned_cut_is_silent_and_a_site_still_down_after_the_works_notifies_once(
        testbed: Testbed, settings: Settings, engine: Engine, monitored: Any) -> None:
    _, hook = monitored
    assert wait_for(lambda: _cli(settings, "status", "--json")[0] == 0, 20)
    time.sleep(CYCLE_S)  # every device polled once: the map knows the fiber is up
    behind = sites_behind(testbed.inventory, failed_links=[("dist-utara", "acc-smpn1")])
    start = datetime.now(UTC)
    end = start + timedelta(seconds=WINDOW_S)
    fiber = _fiber(testbed.inventory, "dist-utara", "acc-smpn1")
    times = ["--start", start.isoformat(timespec="seconds"), "--end", end.isoformat(timespec="seconds")]
    code, out = _cli(settings, "maintenance", "add", "--link", fiber, *times, "--reason", "splice at pole 12",
                     "--by", "budi", "--json")
    assert code == 0, out
    window = json.loads(out)
    assert [b["site"] for b in window["blast_radius"] if b["effect"] == "disconnected"] == behind
    testbed.fail_link("dist-utara", "acc-smpn1")
    try:
        opened = wait_for(lambda: _active(engine), CYCLE_S)
        assert opened, "no outage after one status interval"
        [outage] = opened
        assert outage.planned and outage.maintenance_id == window["id"], outage
        time.sleep(STATUS_INTERVAL_S * 2)
        assert hook.messages == [], "a planned cut notified"
        code, out = _cli(settings, "outages", "--active", "--json")
        [shown] = json.loads(out)
        assert shown["planned"] is True and shown["maintenance_id"] == window["id"]
        # the works end with the fiber still cut: one normal outage message
        remaining = (end - datetime.now(UTC)).total_seconds()
        assert wait_for(lambda: hook.messages, remaining + CYCLE_S + 5), "no message after the works ended"
        time.sleep(STATUS_INTERVAL_S * 2)  # and no second one
        assert len(hook.messages) == 1, hook.messages
        at = end.astimezone(ZoneInfo(settings.web.timezone)).strftime("%H:%M")
        said = f"planned works ended at {at} but {', '.join(behind)} is still offline"
        assert said in hook.messages[0]["title"]
        [after] = _active(engine)
        assert after.id == outage.id and not after.planned
        code, out = _cli(settings, "outages", "ack", str(outage.id), "--note", "crew at the pole",
                         "--by", "budi")
        assert code == 0, out
        code, out = _cli(settings, "outages", "--active", "--json")
        [acked] = json.loads(out)
        assert acked["acknowledged_by"] == "budi" and acked["acknowledged_at"]
        assert [(n["by"], n["text"]) for n in acked["notes"]] == [("budi", "crew at the pole")]
        with session_scope(engine) as session:
            kinds = [e.kind for e in timeline.entries(session, outage.id)]
        for kind in ("opened", "planned", "notification_suppressed", "maintenance_ended", "notification_sent",
                     "acknowledged", "note"):
            assert kind in kinds, kinds
    finally:
        testbed.restore_link("dist-utara", "acc-smpn1")
    assert wait_for(lambda: not _active(engine), CYCLE_S + 5)
