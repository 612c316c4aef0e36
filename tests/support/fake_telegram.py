"""A fake Telegram Bot API on 127.0.0.1 for the bot's tests: real HTTP, our own server.

``POST /bot<TOKEN>/getUpdates`` serves the updates queued with ``send`` (long polling: it waits
up to the request's ``timeout`` for one, and an ``offset`` confirms and drops the earlier ones,
as Telegram does); ``sendMessage`` is recorded in ``sent``. A wrong token gets Telegram's 401.
``fail_next`` makes the next calls of a method answer an HTTP error (its description echoes
the request path, token included, so a client that repeats it unredacted is caught);
``stall_next`` makes the next call wait longer than the client's timeout.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_HOLD_S = 5.0


@dataclass
class Sent:
    chat_id: int
    text: str
    params: dict[str, Any]


@dataclass
class FakeBotApi:
    token: str
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (method, params)
    paths: list[str] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)
    stalls: dict[str, list[float]] = field(default_factory=dict)
    next_update_id: int = 1000
    closing: bool = False
    cond: threading.Condition = field(default_factory=threading.Condition)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    # -- what a test does ------------------------------------------------------------------------
    def send(self, chat_id: int, text: str, sender: str = "tester") -> int:
        """A user writes ``text`` in chat ``chat_id``; returns its update id."""
        with self.cond:
            self.next_update_id += 1
            self.updates.append({"update_id": self.next_update_id, "message": {
                "message_id": self.next_update_id, "date": int(time.time()), "text": text,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": sender, "username": sender}}})
            self.cond.notify_all()
            return self.next_update_id

    def add_raw_update(self, update: dict[str, Any]) -> None:
        with self.cond:
            self.next_update_id += 1
            self.updates.append({"update_id": self.next_update_id, **update})
            self.cond.notify_all()

    def fail_next(self, method: str, status: int, times: int = 1) -> None:
        with self.cond:
            self.failures.setdefault(method, []).extend([status] * times)

    def stall_next(self, method: str, seconds: float) -> None:
        with self.cond:
            self.stalls.setdefault(method, []).append(seconds)

    def replies(self, chat_id: int) -> list[str]:
        with self.cond:
            return [s.text for s in self.sent if s.chat_id == chat_id]

    def wait_replies(self, chat_id: int, count: int, timeout_s: float = 20.0) -> list[str]:
        """The first ``count`` replies to ``chat_id`` (AssertionError when they do not come)."""
        deadline = time.monotonic() + timeout_s
        with self.cond:
            while len([s for s in self.sent if s.chat_id == chat_id]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{count} replies to chat {chat_id} expected, got "
                                         f"{[s.text for s in self.sent if s.chat_id == chat_id]}")
                self.cond.wait(left)
            return [s.text for s in self.sent if s.chat_id == chat_id][:count]

    def count(self, method: str) -> int:
        with self.cond:
            return sum(1 for m, _ in self.calls if m == method)

    # -- the server side ---------------------------------------------------------------------
    def answer(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix):]
        with self.cond:
            self.calls.append((method, params))
            self.paths.append(path)
            status = self.failures.get(method, []).pop(0) if self.failures.get(method) else None
            stall = self.stalls.get(method, []).pop(0) if self.stalls.get(method) else None
        if stall:
            time.sleep(stall)
        if status is not None:
            return status, {"ok": False, "error_code": status,
                            "description": f"Internal Server Error at {path}"}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._updates(params)}
        if method == "sendMessage":
            with self.cond:
                self.sent.append(Sent(int(params["chat_id"]), str(params["text"]), params))
                self.cond.notify_all()
            return 200, {"ok": True, "result": {"message_id": len(self.sent), "text": params["text"]}}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        hold = min(float(params.get("timeout", 0)), MAX_HOLD_S)
        deadline = time.monotonic() + hold
        with self.cond:
            if offset is not None:  # confirms every update before it
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and not self.closing:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return list(self.updates)


def _handler(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            try:
                params = json.loads(raw or b"{}")
            except ValueError:
                params = {}
            status, body = api.answer(self.path, params if isinstance(params, dict) else {})
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (a stalled call): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:  # quiet; the token is in the path
            return

    return Handler


@contextmanager
def fake_bot_api(token: str) -> Iterator[FakeBotApi]:
    api = FakeBotApi(token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.server = server
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        with api.cond:
            api.closing = True
            api.cond.notify_all()
        server.shutdown()
        server.server_close()
        thread.join(5)
