"""Celery executor on the real Redis (db 9) and PostgreSQL of this machine, with real
``netops worker`` subprocesses polling the demo's SNMP agents on loopback.

Poll groups are queues: a worker serves only its group; results match the in-process
executor's; the broker message carries names and kinds, never a secret; a worker SIGKILLed
mid-task leaves its task to be delivered again and every device is applied once; a group with
no worker is "not polled", never down, and opens no outage; a task that never comes back ends
the cycle as partial with its devices named.
"""

from __future__ import annotations

import base64
import json
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from collectors.observations import PollKind, PollResult
from inventory.db import make_engine, session_scope
from inventory.models import Device, JobRun, Outage, PollOutcome, PollRun, PollWorker, utcnow
from netops.polling.celery_executor import CeleryExecutor
from netops.polling.cycle import JobRunner
from netops.polling.executor import CURRENT_JOB_RUN, InProcessExecutor, NotPolled
from netops.polling.jobs import JobSpec, job_kinds
from netops.polling.targets import build_targets
from netops.settings import Settings, load_settings
from simulator.inventory import V3_AUTH_KEY, V3_PRIV_KEY
from simulator.network import generate
from tests.integration.scale_helpers import (
    Installation,
    forget_keys,
    install,
    redis_or_skip,
    stop_group,
    until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.timing, pytest.mark.timeout(120)]
STATUS = JobSpec("status", 60, job_kinds("status"))
COUNTERS = JobSpec("counters", 300, job_kinds("counters"))  # no confirmation round: one task per device
FULL = frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS})


@pytest.fixture
def inst(tmp_path: Path, pg_url: str, demo_agents: Path) -> Iterator[Installation]:
    client = redis_or_skip()
    installation = install(tmp_path, pg_url, demo_agents)
    engine = make_engine(pg_url)
    net = generate(1)
    behind = sorted(link.b if link.a == "dist-utara" else link.a for link in net.links_of("dist-utara"))
    north = {"dist-utara", *[n for n in behind if net.device(n).role == "access"][:3]}  # small: busy machine
    with session_scope(engine) as session:
        for device in session.scalars(select(Device)):
            device.poll_group = installation.north if device.name in north else installation.south
    engine.dispose()
    try:
        yield installation
    finally:
        forget_keys(client, installation.token)


def settings_of(inst: Installation) -> Settings:
    return load_settings(inst.config, environ={})


def worker(inst: Installation, group: str, log: Path) -> object:
    return inst.start("worker", "--queue", group, "--concurrency", "2", log=log)


def wait_worker(engine: Engine, group: str, timeout: float = 20) -> None:
    def seen() -> bool:
        with session_scope(engine) as session:
            return any(f"netops.{group}" in w.queues.split(",") for w in session.scalars(select(PollWorker)))
    until(seen, timeout, f"a worker for {group} registered")


def targets_of(engine: Engine, settings: Settings, group: str) -> list:
    with session_scope(engine) as session:
        query = select(Device.name).where(Device.poll_group == group).order_by(Device.name)
        names = list(session.scalars(query))
        return build_targets(session, settings, names)


def comparable(result: PollResult) -> tuple:
    return (result.device_key, sorted(result.completed), result.facts and result.facts.sys_name,
            [(i.name, i.if_index, i.oper_status, i.admin_status, i.speed_bps) for i in result.interfaces],
            sorted((n.local_port, n.system_name, n.port_id) for n in result.neighbors), result.errors)


def test_a_worker_polls_only_its_group_with_the_same_records_as_in_process(inst: Installation, tmp_path: Path,
                                                                           cleanup: list) -> None:
    settings = settings_of(inst)
    engine = make_engine(inst.database_url)
    cleanup.append(engine.dispose)
    proc = worker(inst, inst.north, tmp_path / "worker.log")
    cleanup.append(lambda: stop_group(proc))
    wait_worker(engine, inst.north)
    north = targets_of(engine, settings, inst.north)
    south = targets_of(engine, settings, inst.south)
    assert north and south
    executor = CeleryExecutor(settings, engine)
    local = InProcessExecutor(settings)
    try:
        local.submit(north, FULL).result(timeout=30)  # both measured warm
        started = time.monotonic()
        here = local.submit(north, FULL).result(timeout=30)
        local_s = time.monotonic() - started
        started = time.monotonic()
        remote = executor.submit(north, FULL).result(timeout=30)
        remote_s = time.monotonic() - started
        with pytest.raises(NotPolled) as lost:
            executor.submit(south[:3], FULL).result(timeout=10)
    finally:
        executor.close()
        local.close()
    assert [r.device_key for r in remote] == [r.device_key for r in here] == [t.device_key for t in north]
    # the simulated agents are Python on a busy machine: a walk may time out on either side now
    # and then; every device read completely by both must read the same
    both = [(a, b) for a, b in zip(remote, here, strict=True) if a.completed == b.completed == FULL]
    assert len(both) >= len(north) // 2, [(r.device_key, r.errors) for r in (*remote, *here) if r.errors]
    assert [comparable(a) for a, _ in both] == [comparable(b) for _, b in both]
    assert set(lost.value.devices) == {t.device_key for t in south[:3]}
    assert set(lost.value.devices.values()) == {f"no worker for group {inst.south}"}
    with session_scope(engine) as session:
        workers = set(session.scalars(select(PollOutcome.worker)))
        polled = set(session.scalars(select(PollOutcome.device)))
    assert len(workers) == 1 and polled == {t.device_key for t in north}  # only its group
    print(f"\n{len(north)} devices: celery {remote_s:.2f} s, in-process {local_s:.2f} s, "
          f"overhead {(remote_s - local_s) / len(north) * 1000:.1f} ms per device")


def test_the_task_message_carries_names_never_secrets(inst: Installation, cleanup: list) -> None:
    """A queue with a (registered) worker that never takes the task: the message stays in Redis to be
    read, and the cycle ends at the task deadline naming the devices, without hanging."""
    client = redis_or_skip()
    settings = replace(settings_of(inst), executor=replace(settings_of(inst).executor, task_deadline_s=3))
    engine = make_engine(inst.database_url)
    cleanup.append(engine.dispose)
    with session_scope(engine) as session:  # a worker row without a worker: nobody consumes the queue
        session.add(PollWorker(name=f"ghost-{inst.token}", queues=f"netops.{inst.north}", concurrency=1,
                               started_at=utcnow(), seen_at=utcnow()))
    north = targets_of(engine, settings, inst.north)
    executor = CeleryExecutor(settings, engine)
    token = CURRENT_JOB_RUN.set(4242)
    try:
        future = executor.submit(north, FULL)
        messages = until(lambda: client.lrange(f"netops.{inst.north}", 0, -1), 5, "the task in its queue")
        started = time.monotonic()
        with pytest.raises(NotPolled) as lost:
            future.result(timeout=15)
        waited = time.monotonic() - started
    finally:
        CURRENT_JOB_RUN.reset(token)
        executor.close()
    envelope = json.loads(messages[0])
    decoded = base64.b64decode(envelope["body"])
    raw = b"".join(messages) + decoded
    body = json.loads(decoded)
    assert body[0][0] == sorted(t.device_key for t in north) or body[0][0] == [t.device_key for t in north]
    assert sorted(body[0][1]) == sorted(k.value for k in FULL) and body[0][2] == 4242
    for secret in (b"demo", V3_AUTH_KEY.encode(), V3_PRIV_KEY.encode()):
        assert secret not in raw
    assert waited < 6
    assert set(lost.value.devices) == {t.device_key for t in north}
    assert all(why.startswith("no result within 3 s") for why in lost.value.devices.values())


def test_a_worker_killed_mid_task_its_task_is_delivered_again_and_applied_once(
        inst: Installation, tmp_path: Path, cleanup: list) -> None:
    settings = settings_of(inst)  # the second worker starts, the task comes back after 3 s, polled again:
    settings = replace(settings, executor=replace(settings.executor, task_deadline_s=60))  # slow here
    engine = make_engine(inst.database_url)
    cleanup.append(engine.dispose)
    with session_scope(engine) as session:  # a device that never answers keeps the task running
        slow = session.scalar(select(Device).where(Device.poll_group == inst.north).order_by(Device.name))
        slow.address = "127.0.100.250"
        slow_name = slow.name
    first = worker(inst, inst.north, tmp_path / "first.log")
    cleanup.append(lambda: stop_group(first, signal.SIGKILL))
    wait_worker(engine, inst.north)
    runner = JobRunner(settings, engine, CeleryExecutor(settings, engine))
    cleanup.append(runner.executor.close)
    names = [t.device_key for t in targets_of(engine, settings, inst.north)]
    summaries = []
    thread = threading.Thread(target=lambda: summaries.append(
        runner.run_cycle(COUNTERS, trigger="manual", devices=names, spread=False)))
    thread.start()

    def answered_some() -> int:
        with session_scope(engine) as session:
            return int(session.scalar(select(func.count()).select_from(PollOutcome)) or 0)
    until(answered_some, 20, "the first worker wrote some results")
    stop_group(first, signal.SIGKILL)  # mid-task: the silent device is still being tried
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(PollOutcome).where(
            PollOutcome.device == slow_name)) == 0
    second = worker(inst, inst.north, tmp_path / "second.log")
    cleanup.append(lambda: stop_group(second))
    thread.join(60)
    assert summaries, "the cycle did not end"
    summary = summaries[0]
    with session_scope(engine) as session:
        runs = session.execute(select(PollRun.device_id, func.count()).where(
            PollRun.job_run_id == summary.job_run_id).group_by(PollRun.device_id)).all()
        outcomes = session.execute(select(PollOutcome.device, PollOutcome.worker)).all()
        run = session.get(JobRun, summary.job_run_id)
    assert len(runs) == len(names), (summary.not_polled, summary.errors)
    assert all(count == 1 for _, count in runs)  # each device applied once
    assert len(outcomes) == len(names) and len({w for _, w in outcomes}) == 2  # second worker finished it
    assert summary.devices_polled == len(names) and not summary.not_polled
    assert run is not None and run.result == "partial" and run.devices_failed == 1  # the silent one


def test_a_group_without_worker_is_not_polled_and_opens_no_outage(inst: Installation, cleanup: list) -> None:
    settings = settings_of(inst)
    engine = make_engine(inst.database_url)
    cleanup.append(engine.dispose)
    runner = JobRunner(settings, engine, CeleryExecutor(settings, engine))
    cleanup.append(runner.executor.close)
    with session_scope(engine) as session:
        south = set(session.scalars(select(Device.name).where(Device.poll_group == inst.south)))
        north = set(session.scalars(select(Device.name).where(Device.poll_group == inst.north)))
    summary = runner.run_cycle(STATUS, trigger="manual", spread=False)
    with session_scope(engine) as session:
        run = session.get(JobRun, summary.job_run_id)
        outages = session.scalar(select(func.count()).select_from(Outage))
        polled = session.scalar(select(func.count()).select_from(PollRun))
    assert south and set(summary.not_polled) == {*south, *north}  # no worker at all in this test
    assert {summary.not_polled[n] for n in south} == {f"no worker for group {inst.south}"}
    assert {summary.not_polled[n] for n in north} == {f"no worker for group {inst.north}"}
    assert summary.devices_failed == 0 and polled == 0 and outages == 0
    assert run is not None and run.result == "partial"
    assert f"not polled: no worker for group {inst.south}: " in (run.errors or "")
