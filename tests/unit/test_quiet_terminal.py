"""A running service's terminal: its own lines and warnings, not APScheduler's line per job run
nor a line per web request, unless asked (``-v``, or ``[log] access = true``).

Real parts: an APScheduler scheduler running a job every 50 ms (as netops's 10 s heartbeat
does, faster), and the waitress server of ``netops serve`` answering real HTTP requests.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from cli.common import setup_logging
from cli.web_server import WebServer
from netops.settings import LogSettings, Settings


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_netops", False)]:
        root.removeHandler(handler)
    for name in ("apscheduler", "waitress.queue", "netops.access"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    root.setLevel(logging.WARNING)


def _scheduler_lines(capsys: pytest.CaptureFixture[str], verbose: int) -> list[str]:
    setup_logging(verbose, service=True)
    scheduler = BackgroundScheduler()
    scheduler.add_job(lambda: None, "interval", seconds=0.05, id="heartbeat")
    scheduler.start()
    time.sleep(0.4)
    scheduler.shutdown(wait=True)
    logging.getLogger("netops.polling.service").info("scheduler running")
    return capsys.readouterr().err.splitlines()


def test_no_scheduler_heartbeat_by_default_only_with_v(capsys: pytest.CaptureFixture[str]) -> None:
    quiet = _scheduler_lines(capsys, 0)
    assert [line for line in quiet if "apscheduler" in line] == [], quiet
    assert any("scheduler running" in line for line in quiet), "the service's own INFO lines stay"
    verbose = _scheduler_lines(capsys, 1)
    assert any("apscheduler" in line and "Running job" in line for line in verbose), verbose


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def _requests(settings: Settings, capsys: pytest.CaptureFixture[str], verbose: int) -> list[str]:
    setup_logging(verbose, service=True)
    server = WebServer(_app, settings, host="127.0.0.1", port=0).start()
    try:
        for path in ("/", "/healthz?x=1"):
            with urllib.request.urlopen(f"{server.url.rstrip('/')}{path}", timeout=5) as response:
                assert response.read() == b"ok"
    finally:
        server.shutdown()
    return [line for line in capsys.readouterr().err.splitlines() if "netops.access" in line]


def test_no_line_per_web_request_unless_asked(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert _requests(settings, capsys, 0) == []
    verbose = _requests(settings, capsys, 1)
    assert len(verbose) == 2 and " GET /healthz?x=1 200 " in verbose[1], verbose
    asked = dataclasses.replace(settings, log=LogSettings(access=True))
    configured = _requests(asked, capsys, 0)
    assert len(configured) == 2 and "127.0.0.1 GET / 200 " in configured[0], configured
