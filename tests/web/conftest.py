"""Web test fixtures: an app on the migrated test database, seeded, and logged-in clients per role."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from netops.settings import Settings
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.web.seed import PASSWORDS, seed
from web import create_app

ROLES = ("helpdesk", "engineer", "admin")


class FakeScheduler:
    """Records job actions; stands in for ``netops.polling.scheduler.Scheduler`` in unit tests."""

    def __init__(self) -> None:
        from netops.polling.scheduler import JobInfo

        self.calls: list[tuple[str, str]] = []
        self._jobs = [
            JobInfo(job_id=j, interval_s=60, next_run=None, paused=False)
            for j in ("status", "counters", "discovery", "ssh")
        ]

    def jobs(self):  # type: ignore[no-untyped-def]
        return self._jobs

    def run_now(self, job: str) -> None:
        self.calls.append(("run", job))

    def pause(self, job: str) -> None:
        self.calls.append(("pause", job))

    def resume(self, job: str) -> None:
        self.calls.append(("resume", job))


@pytest.fixture
def scheduler() -> FakeScheduler:
    return FakeScheduler()


@pytest.fixture
def app(settings: Settings, engine: Engine, session: Session, scheduler: FakeScheduler) -> Flask:
    seed(session)
    return create_app(settings, engine=engine, scheduler_control=scheduler, config={"TESTING": True})


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: FlaskClient, role: str) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    response = client.post(
        "/auth/login", data={"name": role, "password": PASSWORDS[role], "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def client_as(app: Flask) -> Callable[[str | None], FlaskClient]:
    def make(role: str | None) -> FlaskClient:
        client = app.test_client()
        if role is not None:
            login(client, role)
        return client

    return make


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per browser test module (the pages differ, the browser does not)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    """The test's app served on a free loopback port for the browser (skips without Chromium)."""
    from werkzeug.serving import make_server

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} missing (apt-get install chromium)")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
