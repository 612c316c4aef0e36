"""Two web server processes on one database, as a production installation runs them: one
``netops serve`` (waitress) and one ``netops serve --workers 2`` (gunicorn, two more processes).
Failed logins counted by one are counted by the other (the throttle lives in the database) and a
session made on one is honoured by the other (the signed cookie's key is in the data directory,
the session generation in the database): no process keeps either in its memory."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from cli import main
from inventory.db import make_engine, session_scope
from netops.accounts import add_user
from netops.settings import load_settings

PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(port: int, proc: subprocess.Popen[str], limit_s: float = 60.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"server on {port} ended: {proc.communicate()[0]}"
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server on {port} not answering after {limit_s} s")


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    data_dir = tmp_path / "var"
    env = {**os.environ, "NETOPS_DATA_DIR": str(data_dir), "NETOPS_CONFIG": ""}
    assert CliRunner().invoke(main, ["init"], env={"NETOPS_DATA_DIR": str(data_dir), "NETOPS_CONFIG": ""}
                              ).exit_code == 0
    engine = make_engine(load_settings(environ={"NETOPS_DATA_DIR": str(data_dir)}).effective_database_url)
    with session_scope(engine) as s:
        for name in ("budi", "sri"):
            add_user(s, name, PASSWORD, "helpdesk")
    engine.dispose()
    ports = _free_port(), _free_port()
    command = [sys.executable, "-c", "from cli import main; main()", "serve"]
    procs = [
        subprocess.Popen([*command, "--port", str(ports[0])], env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True),
        subprocess.Popen([*command, "--port", str(ports[1]), "--workers", "2"], env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True),
    ]
    try:
        for port, proc in zip(ports, procs, strict=True):
            _wait_healthy(port, proc)
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # the server and its gunicorn workers
        for proc in procs:
            try:
                proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()


def _login(web: requests.Session, base: str, name: str, password: str) -> int:
    page = web.get(f"{base}/auth/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, page[:500]
    return web.post(f"{base}/auth/login", data={"name": name, "password": password,
                                                "csrf_token": token.group(1)},
                    allow_redirects=False, timeout=10).status_code


def test_failed_logins_on_one_process_count_on_the_other(two_servers: tuple[str, str]) -> None:
    waitress, gunicorn = two_servers
    web = requests.Session()
    for base in (waitress, gunicorn, waitress, gunicorn, waitress):  # 5 failures, split over both
        assert _login(web, base, "budi", "wrong") == 401
    assert _login(web, gunicorn, "budi", PASSWORD) == 429  # blocked although this one saw only 2
    assert _login(requests.Session(), gunicorn, "sri", PASSWORD) == 302  # another user is not


def test_a_session_made_on_one_process_works_on_the_other(two_servers: tuple[str, str]) -> None:
    waitress, gunicorn = two_servers
    web = requests.Session()
    assert _login(web, gunicorn, "sri", PASSWORD) == 302
    for base in (waitress, gunicorn, waitress):
        answer = web.get(f"{base}/schools", allow_redirects=False, timeout=10)
        assert answer.status_code == 200, (base, answer.status_code)
    assert requests.get(f"{waitress}/schools", allow_redirects=False, timeout=10).status_code == 302
    # logging out on one ends the session on the other (its generation moved on, in the database),
    # even for a copy of the cookie kept from before the logout
    stale = requests.Session()
    stale.cookies.update(web.cookies)
    page = web.get(f"{waitress}/schools", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    assert web.post(f"{waitress}/auth/logout", data={"csrf_token": token.group(1)},
                    allow_redirects=False, timeout=10).status_code == 302
    assert stale.get(f"{gunicorn}/schools", allow_redirects=False, timeout=10).status_code == 302
