"""Traps from the testbed's real snmpd/lldpd: a trap triggers a confirming poll, never an outage alone.

A bed of its own (``--trap-sink``) sends notifications to our receiver; the status job is paused
for the whole test, so only trap-triggered polls can notice the cut. Unknown senders and wrong
communities (sent with net-snmp's ``snmptrap``) are counted and dropped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import JobRun, TrapStat
from netops.monitor.queries import active_outages
from netops.polling.service import MonitorService
from netops.settings import Settings
from tests.integration.monitor_helpers import fast_settings, seed_testbed, wait_for
from tests.integration.testbed import Testbed, bring_up, tear_down, unavailable_reason
from tests.monitor.webhook import WebhookReceiver

pytestmark = pytest.mark.testbed


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def trap_bed() -> Iterator[tuple[Testbed, int]]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    port = _free_udp_port()
    prefix = f"et{os.getpid() % 100000}"
    try:
        bed = bring_up(prefix, *_magelang(), "--trap-sink", str(port))
    except Exception as exc:
        tear_down(prefix)
        pytest.fail(f"testbed with trap sink did not come up: {exc}")
    try:
        yield bed, port
    finally:
        tear_down(prefix)


def _magelang() -> tuple:
    from tests.integration.testbed import MAGELANG

    return (MAGELANG,)


def _counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {row.reason: row.count for row in session.scalars(select(TrapStat))}


def test_trap_triggers_the_confirming_poll_that_opens_the_outage(trap_bed: tuple[Testbed, int],
                                                                 settings: Settings, engine: Engine) -> None:
    bed, port = trap_bed
    seed_testbed(engine, bed.inventory)
    with WebhookReceiver() as hook:
        service = MonitorService(fast_settings(settings, hook.url), engine, only=("status",), traps=True,
                                 trap_port=port)
        service.start()
        try:
            assert service.trap_receiver is not None
            # two scheduled cycles: a fresh bed's agents may serve a stale ifTable at first
            assert wait_for(lambda: len(_status_runs(engine, "schedule")) >= 3 and not _active(engine), 30)
            service.scheduler.pause("status")
            time.sleep(3)  # let a running scheduled cycle finish
            cut = time.monotonic()
            bed.fail_link("dist-utara", "acc-smpn1")
            try:
                opened = wait_for(lambda: _active(engine), 12, step_s=0.05)
                latency = time.monotonic() - cut
                assert opened and opened[0].root_cause == "acc-smpn1:sfp1--dist-utara:sfp1"
                assert _counts(engine).get("accepted", 0) >= 1
                assert _status_runs(engine, "trap")
                print(f"fiber cut -> open outage with traps only: {latency:.2f} s")
            finally:
                bed.restore_link("dist-utara", "acc-smpn1")
            assert wait_for(lambda: not _active(engine), 15, step_s=0.05)
            _bad_traps(port, bed)
            assert wait_for(lambda: _counts(engine).get("bad_community", 0) >= 1
                            and _counts(engine).get("unknown_sender", 0) >= 1, 5), _counts(engine)
            assert len(_active(engine)) == 0
        finally:
            service.stop()


def _bad_traps(port: int, bed: Testbed) -> None:
    sink = bed.inventory["management"]["poller_address"]
    link_down = ["1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.11", "i", "11"]
    # wrong community from a known device's namespace, right community from an unknown sender
    subprocess.run(["ip", "netns", "exec", f"{bed.prefix}-dist-utara", "snmptrap", "-v2c", "-c", "wrong",
                    f"{sink}:{port}", "", *link_down], check=True, capture_output=True)
    subprocess.run(["snmptrap", "-v2c", "-c", "netops-ro", f"127.0.0.1:{port}", "", *link_down],
                   check=True, capture_output=True)


def _active(engine: Engine) -> list:
    with session_scope(engine) as session:
        return active_outages(session)


def _status_runs(engine: Engine, trigger: str) -> list[JobRun]:
    with session_scope(engine) as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == "status", JobRun.trigger == trigger)))
