"""Scheduled discovery with the Celery executor: the new neighbor is polled by a worker of the
advertising device's poll group and added to that group.

Real parts: the simulator's SNMP agents on 127.0.120.x (in this process, as in
``test_scheduled_discovery``), a redis-server of this test's own, PostgreSQL (a database of this
test) and two ``netops worker`` subprocesses, one per poll group. ``netops discover`` learns
core, dist and kominfo while the school's fiber is dark; core and kominfo are put in group
"centre", dist in "edge". Once the fiber is repaired, the discovery cycle (a ``JobRunner`` with
the ``CeleryExecutor``) adds the school's switch: polled by the edge worker (its result row is
keyed by the address, written by that worker), in group edge, with its found event.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from collectors.observations import PollKind
from inventory.db import make_engine, session_scope
from inventory.models import Device, Event, PollOutcome, PollWorker, utcnow
from netops.polling.celery_executor import CeleryExecutor
from netops.polling.cycle import CycleSummary, JobRunner, load_device_intervals
from netops.polling.executor import NotPolled
from netops.polling.jobs import build_specs
from netops.settings import Settings, load_settings
from tests.integration.scale_helpers import (
    Installation,
    PrivateRedis,
    stop_group,
    until,
    write_config,
)
from tests.integration.test_scheduled_discovery import City, city  # noqa: F401 - the agents' fixture

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]


def _installation(tmp_path: Path, pg_url: str, broker: PrivateRedis) -> Installation:
    data = tmp_path / "data"
    data.mkdir()
    config = write_config(tmp_path / "netops.toml", data, pg_url.replace("+psycopg", ""),
                          "[discovery]\nfollow_new = true\n", broker.url)
    env = {**os.environ, "NETOPS_CONFIG": str(config), "NETOPS_DATA_DIR": str(data)}
    env.pop("NETOPS_DATABASE_URL", None)
    token = uuid.uuid4().hex[:8]
    return Installation(config, pg_url, token, f"centre{token}", f"edge{token}", env)


def _discovery_cycle(settings: Settings, runner: JobRunner) -> CycleSummary:
    with session_scope(runner.engine) as session:
        intervals = load_device_intervals(session)
    spec = next(s for s in build_specs(intervals, settings) if s.name == "discovery" and s.default)
    return runner.run_cycle(spec, trigger="test", spread=False)


def test_a_worker_of_the_advertising_devices_group_polls_and_adds_the_new_neighbor(
        city: City, tmp_path: Path, pg_url: str, broker: PrivateRedis) -> None:  # noqa: F811
    inst = _installation(tmp_path, pg_url, broker)
    inst.invoke("init")
    inst.invoke("discover", "--seed", city.address("core"), "--port", str(city.port), "--community", "demo",
                "--network", "127.0.120.0/24")
    centre, edge = inst.north, inst.south
    engine = make_engine(pg_url)
    workers = []
    try:
        with session_scope(engine) as session:
            devices = {d.name: d for d in session.scalars(select(Device))}
            assert set(devices) == {"core", "dist", "kominfo"}  # the school's fiber is dark
            for name, device in devices.items():
                device.poll_group = edge if name == "dist" else centre
        workers = [inst.start("worker", "--queue", group, "--concurrency", "2", log=tmp_path / f"{group}.log")
                   for group in (centre, edge)]

        def serving() -> bool:
            with session_scope(engine) as session:
                queues = {q for w in session.scalars(select(PollWorker)) for q in w.queues.split(",")}
            return {f"netops.{centre}", f"netops.{edge}"} <= queues
        until(serving, 30, "both workers registered")
        settings = load_settings(inst.config, environ={})
        runner = JobRunner(settings, engine, CeleryExecutor(settings, engine))
        try:
            city.restore_fiber()
            summary = _discovery_cycle(settings, runner)
        finally:
            runner.executor.close()
        assert summary.errors == [] and not summary.not_polled, (summary.errors, summary.not_polled)
        school = city.address("sd-tujuh")
        with session_scope(engine) as session:
            new = session.scalar(select(Device).where(Device.name == "sd-tujuh"))
            assert new is not None and new.address == school and new.snmp_port == city.port
            assert new.poll_group == edge  # the group of dist, which advertised it
            by = session.scalars(select(PollOutcome.worker).where(PollOutcome.device == school)).all()
            edge_workers = {w.name for w in session.scalars(select(PollWorker))
                            if f"netops.{edge}" in w.queues.split(",")}
            found = session.scalars(select(Event).where(Event.element == "sd-tujuh",
                                                        Event.new_state == "found")).all()
        assert len(by) == 1 and set(by) <= edge_workers  # polled by the edge worker, by address
        assert len(found) == 1 and "a new neighbor of dist" in (found[0].evidence or "")
    finally:
        for proc in workers:
            stop_group(proc)
        engine.dispose()


def test_the_discovery_task_carries_addresses_and_a_device_name_never_a_secret(
        tmp_path: Path, pg_url: str, broker: PrivateRedis) -> None:
    """A queue with a registered worker that never takes the task: the message stays in Redis to
    be read, and the addresses are named at the deadline."""
    inst = _installation(tmp_path, pg_url, broker)
    inst.invoke("init")
    engine = make_engine(pg_url)
    with session_scope(engine) as session:
        session.add(PollWorker(name=f"ghost-{inst.token}", queues=f"netops.{inst.south}", concurrency=1,
                               started_at=utcnow(), seen_at=utcnow()))
    settings = load_settings(inst.config, environ={})
    settings = replace(settings, executor=replace(settings.executor, task_deadline_s=2))
    executor = CeleryExecutor(settings, engine)
    try:
        future = executor.submit_addresses(["127.0.120.9", "127.0.120.8"], "dist", inst.south,
                                           frozenset({PollKind.FACTS, PollKind.NEIGHBORS}))
        client = broker.client()
        messages = until(lambda: client.lrange(f"netops.{inst.south}", 0, -1), 5, "the task in its queue")
        with pytest.raises(NotPolled) as lost:
            future.result(timeout=10)
    finally:
        executor.close()
        engine.dispose()
    envelope = json.loads(messages[0])
    assert envelope["headers"]["task"] == "netops.discover"
    body = json.loads(base64.b64decode(envelope["body"]))
    assert body[0] == [["127.0.120.9", "127.0.120.8"], "dist", ["facts", "neighbors"], None]
    assert set(lost.value.devices) == {"127.0.120.9", "127.0.120.8"}
