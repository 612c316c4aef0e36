"""The production server (waitress) on a real socket: slow and silent clients block nobody,
idle connections are dropped, shutdown is prompt, and no header names a software version;
plus the cookie flags and ``Cache-Control: no-store`` that every logged-in answer carries."""

from __future__ import annotations

import dataclasses
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine

from cli.web_server import WebServer
from netops.settings import Settings
from tests.web.conftest import login
from web import create_app


def _with_web(settings: Settings, **web: object) -> Settings:
    return dataclasses.replace(settings, web=dataclasses.replace(settings.web, **web))


@pytest.fixture
def server(settings: Settings, engine: Engine, app: Flask) -> Iterator[WebServer]:
    web = _with_web(settings, threads=2, connection_timeout_s=1)
    running = WebServer(app, web, "127.0.0.1", 0).start()
    try:
        yield running
    finally:
        running.shutdown()


def _get(port: int, path: str = "/healthz", timeout: float = 5.0) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_silent_and_slow_clients_do_not_block_other_requests(server: WebServer) -> None:
    silent = [socket.create_connection(("127.0.0.1", server.server_port)) for _ in range(6)]
    slow = [socket.create_connection(("127.0.0.1", server.server_port)) for _ in range(4)]
    for sock in slow:  # slowloris: a request line and half a header, then nothing
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    try:
        started = time.monotonic()
        for _ in range(5):  # more requests than the server has threads (2)
            assert _get(server.server_port).status == 200
        assert time.monotonic() - started < 2.0
    finally:
        for sock in silent + slow:
            sock.close()


def test_idle_connections_are_dropped_after_the_timeout(server: WebServer) -> None:
    silent = socket.create_connection(("127.0.0.1", server.server_port))
    silent.settimeout(8)
    started = time.monotonic()
    assert silent.recv(100) == b""  # the server closed it (connection_timeout_s = 1)
    assert time.monotonic() - started < 5
    silent.close()


def test_shutdown_is_prompt_with_connections_open(settings: Settings, app: Flask) -> None:
    running = WebServer(app, settings, "127.0.0.1", 0).start()
    assert _get(running.server_port).status == 200
    idle = [socket.create_connection(("127.0.0.1", running.server_port)) for _ in range(3)]
    started = time.monotonic()
    running.shutdown()
    assert time.monotonic() - started < 2.0
    with pytest.raises(OSError):
        _get(running.server_port, timeout=1)
    for sock in idle:
        sock.close()


def test_server_header_names_no_version(server: WebServer) -> None:
    for path in ("/healthz", "/auth/login", "/static/app.css", "/nowhere"):
        server_header = _get(server.server_port, path).getheader("Server")
        assert server_header == "netops", (path, server_header)
        assert not re.search(r"\d", server_header)


def test_request_bodies_over_the_limit_are_refused_before_the_app(server: WebServer) -> None:
    from web.uploads import MAX_REQUEST_BYTES

    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    conn.putrequest("POST", "/auth/login")
    conn.putheader("Content-Length", str(MAX_REQUEST_BYTES + 1))
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()


def test_netops_serve_runs_waitress_and_stops_on_ctrl_c(settings: Settings, engine: Engine) -> None:
    env = {**os.environ, "NETOPS_DATA_DIR": str(settings.data_dir), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "serve", "--port", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        port = int(match.group(1))
        response = _get(port)
        assert response.status == 200 and response.getheader("Server") == "netops"
        silent = socket.create_connection(("127.0.0.1", port))  # must not hold up the shutdown
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
        silent.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_session_cookie_flags(settings: Settings, engine: Engine, app: Flask) -> None:
    client = app.test_client()
    login(client, "helpdesk")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    secure_app = create_app(
        _with_web(settings, session_cookie_secure=True), engine=engine, config={"TESTING": True}
    )
    page = secure_app.test_client().get("/auth/login", base_url="https://localhost")
    set_cookie = page.headers["Set-Cookie"]
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie


def test_no_store_on_every_logged_in_page_and_api_answer(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/v1/sites").headers["Cache-Control"] == "no-store"  # even a 401
    login(client, "admin")
    for path in ("/", "/schools", "/devices/acc-smpn1", "/users", "/api/v1/sites", "/api/v1/users",
                 "/outages.csv", "/metrics", "/nowhere"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")


def test_netops_run_serves_beside_the_scheduler_and_stops_on_ctrl_c(
    settings: Settings, engine: Engine
) -> None:
    env = {**os.environ, "NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_WEB__PORT": "0",
           "NETOPS_MONITOR__ICMP": "false", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "-v", "run", "--no-traps"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stderr is not None
        port = None
        deadline = time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line, "netops run ended before serving"
            match = re.search(r"web UI on http://127\.0\.0\.1:(\d+)/", line)
            port = int(match.group(1)) if match else None
        assert port is not None
        assert _get(port).getheader("Server") == "netops"
        silent = socket.create_connection(("127.0.0.1", port))
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
        assert proc.returncode == 0
        assert time.monotonic() - started < 6
        silent.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
