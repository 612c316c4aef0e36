"""The monitor and the job store on PostgreSQL: one outage cycle and a stored, paused job."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from inventory.db import make_engine, session_scope, upgrade_schema
from inventory.models import Outage
from netops.monitor.queries import job_statuses
from netops.polling.executor import InProcessExecutor
from netops.polling.scheduler import JobControl, Scheduler
from netops.settings import Settings
from tests.monitor import test_evaluate as scenario
from tests.monitor.fakes import FakeNetwork
from tests.monitor.seed import seed

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        seed(session, scenario.DEVICES, scenario.LINKS)
    yield engine
    engine.dispose()


def test_outage_cycle_and_job_store_on_postgres(pg_engine: Engine, pg_url: str, settings: Settings) -> None:
    settings = dataclasses.replace(settings, database_url=pg_url,
                                   monitor=dataclasses.replace(settings.monitor, icmp=False))
    scenario.all_up(pg_engine, settings)
    scenario.set_ports(pg_engine, "down", ("dist", "sfp1"), ("smpn1", "sfp1"))
    scenario.cycle(pg_engine, settings, scenario.T0 + timedelta(seconds=60))
    with session_scope(pg_engine) as session:
        [outage] = session.scalars(select(Outage))
        assert (outage.root_cause, outage.affected_sites) == (scenario.UPLINK, ["SMP Negeri 1"])
    executor = InProcessExecutor(settings, poll=FakeNetwork({}).poll)
    scheduler = Scheduler(settings, pg_engine, executor=executor, only=("status",))
    scheduler.start()
    scheduler.shutdown(wait=True)
    with JobControl(pg_engine) as control:
        control.pause("status")
    with session_scope(pg_engine) as session:
        status = next(j for j in job_statuses(session) if j.job == "status")
    assert status.paused and status.interval_s == 60
