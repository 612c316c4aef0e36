"""Times on the command line carry their zone and follow ``web.timezone``, as the web pages do;
``--json`` keeps ISO-8601 UTC. The states come from the real cycle path (fake network, fake clock)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from cli import main
from cli.timefmt import Clock
from collectors.observations import ConfigSnapshot
from inventory.db import session_scope
from inventory.models import Device
from netops.polling.executor import InProcessExecutor
from netops.polling.scheduler import Scheduler
from netops.settings import Settings
from netops.store.config_versions import store_config
from tests.monitor.test_flapping import T0, Rig, _rig


@pytest.fixture
def rig(engine: Engine, settings: Settings) -> Iterator[Rig]:
    yield from _rig(engine, settings, flap_changes=4, flap_window_s=600)


def _run(settings: Settings, *args: str, zone: str | None = None) -> str:
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_CONFIG": ""}
    if zone:
        env["NETOPS_WEB__TIMEZONE"] = zone
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_outages_events_and_status_in_the_web_zone_with_its_name(
    rig: Rig, engine: Engine, settings: Settings
) -> None:
    rig.cycle(0)
    rig.cycle(60, link="down", far_silent=True)  # T0 + 1 min = 08:01 UTC = 15:01 WIB
    outages = _run(settings, "outages", "--active")
    assert "since 2026-05-01 15:01:00 WIB, OPEN" in outages, outages
    assert "since 2026-05-01 08:01:00 UTC, OPEN" in _run(settings, "outages", "--active", zone="UTC")
    dubai = _run(settings, "outages", "--active", zone="Asia/Dubai")
    assert "since 2026-05-01 12:01:00 UTC+04, OPEN" in dubai
    events = _run(settings, "events")
    assert re.search(r"^2026-05-01 15:01:00 WIB ", events, re.M), events
    status = _run(settings, "status", "SD 1")
    assert "since 2026-05-01 15:01 WIB" in status, status
    assert "sejak 2026-05-01 15:01 WITA".replace("15:01", "16:01") in _run(
        settings, "status", "SD 1", "--lang", "id", zone="Asia/Makassar")
    as_json = json.loads(_run(settings, "outages", "--active", "--json"))
    assert as_json[0]["started_at"] == "2026-05-01T08:01:00Z"
    assert json.loads(_run(settings, "status", "SD 1", "--json"))[0]["since"] == "2026-05-01T08:01:00Z"


def test_since_without_an_offset_is_read_in_the_web_zone(rig: Rig, settings: Settings) -> None:
    rig.cycle(0)
    rig.cycle(60, link="down", far_silent=True)  # outage from 15:01 WIB
    started = ("outages", "--active", "--since")  # --active: outages that started since then
    assert _run(settings, *started, "2026-05-01T15:00").startswith("#")  # 15:00 UTC would exclude it
    assert _run(settings, *started, "2026-05-01T15:02") == "no outages\n"
    assert _run(settings, *started, "2026-05-01T08:00Z").startswith("#")
    assert "15:01:00 WIB" in _run(settings, "events", "--since", "2026-05-01T15:00")


def test_jobs_and_config_history_in_the_web_zone(engine: Engine, settings: Settings) -> None:
    scheduler = Scheduler(settings, engine, executor=InProcessExecutor(settings))
    scheduler.start()
    scheduler.shutdown(wait=True)
    header, *rows = [line for line in _run(settings, "jobs", "list").splitlines()
                     if not line.startswith("leader:")]  # the first line says which scheduler leads
    assert "NEXT RUN" in header and "(UTC)" not in header
    assert all(re.search(r"\d\d:\d\d:\d\d WIB", row) for row in rows if "paused" not in row), rows
    with session_scope(engine) as session:
        device = Device(name="sw1", address="127.0.0.9")
        session.add(device)
        session.flush()
        store_config(session, device, ConfigSnapshot("hostname sw1\n"), T0)
    assert _run(settings, "config", "history", "sw1").startswith("v1    2026-05-01 15:00:00 WIB  ")


def test_the_clock() -> None:
    at = datetime(2026, 5, 1, 8, 0, 5, tzinfo=UTC)
    assert Clock("Asia/Jakarta").format(at) == "2026-05-01 15:00:05 WIB"
    assert Clock("Asia/Jayapura").format(at, seconds=False) == "2026-05-01 17:00 WIT"
    assert Clock("UTC").format(at.replace(tzinfo=None)) == "2026-05-01 08:00:05 UTC"  # naive = UTC
    assert Clock("Asia/Jakarta").format(None) == "-"
    assert Clock("Asia/Dubai").format(at + timedelta(hours=1)) == "2026-05-01 13:00:05 UTC+04"
