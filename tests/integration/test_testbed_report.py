"""The availability report on the real testbed: a fiber cut of known length, then
``netops report availability --from ... --to ... --format csv`` shows the sites behind it down
for the cut's length (within one status interval) and every other site at 100 %."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from cli import main
from inventory.db import session_scope
from inventory.models import Outage
from netops.monitor.availability import merged_downtime
from netops.monitor.queries import active_outages
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
CUT_S = 20


def _active(engine: Engine) -> list[Any]:
    with session_scope(engine) as session:
        return active_outages(session)


def test_a_cut_of_known_length_is_the_downtime_of_the_sites_behind_it(
        testbed: Testbed, settings: Settings, engine: Engine) -> None:
    seed_testbed(engine, testbed.inventory)
    behind = sites_behind(testbed.inventory, failed_links=[("dist-utara", "acc-smpn1")])
    with running_service(settings, engine):
        time.sleep(CYCLE_S)  # every device polled once
        start = datetime.now(UTC) - timedelta(seconds=5)
        cut_at = time.monotonic()
        testbed.fail_link("dist-utara", "acc-smpn1")
        try:
            assert wait_for(lambda: _active(engine), CYCLE_S), "no outage after one status interval"
            time.sleep(CUT_S)
        finally:
            testbed.restore_link("dist-utara", "acc-smpn1")
        cut_s = time.monotonic() - cut_at
        assert wait_for(lambda: not _active(engine), CYCLE_S + 5)
    end = datetime.now(UTC) + timedelta(seconds=1)
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_CONFIG": ""}
    argv = ["report", "availability", "--from", start.isoformat(timespec="seconds"),
            "--to", end.isoformat(timespec="seconds"), "--format", "csv"]
    result = CliRunner().invoke(main, argv, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = {r["site"]: r for r in csv.DictReader(io.StringIO(result.output))}
    with session_scope(engine) as session:
        # usually one outage; a port that comes back in two steps may split it in two
        spans = [(o.started_at, o.ended_at) for o in session.scalars(select(Outage))
                 if set(o.affected_sites) & set(behind)]
    assert spans and all(e is not None for _, e in spans), spans
    length = merged_downtime((s, e) for s, e in spans if e is not None)
    assert abs(length - cut_s) <= CYCLE_S, (length, cut_s)
    for site, row in rows.items():
        if site in behind:
            assert float(row["downtime_s"]) == pytest.approx(length, abs=0.001), row
            assert float(row["fiber_s"]) == float(row["downtime_s"]) and int(row["outages"]) == len(spans)
        else:
            assert row["availability_pct"] == "100.0000" and row["downtime_s"] == "0", row
    assert behind and set(behind) <= set(rows)
