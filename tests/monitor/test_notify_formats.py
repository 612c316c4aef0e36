"""Device strings in notifications stay text on every kind of target (webhook, form, Telegram, e-mail).

A site named "Dinas PU & Penataan Ruang <PUPR>" made Telegram refuse the whole message (its
``parse_mode=HTML`` saw a bare ``&`` and an unknown tag), and a hostile sysName put live HTML into
the HTML e-mail. The notifier now declares its body as plain text; apprise's own plugins then
escape it for HTML targets. Every target here is a real local server (HTTP on loopback for the
webhooks and for Telegram's Bot API, a minimal SMTP server for e-mail) receiving what apprise
builds; the outage goes through the real ``Notifier`` worker and database.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import re
import socketserver
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from apprise.plugins.telegram import NotifyTelegram
from sqlalchemy import Engine

from inventory.db import session_scope
from inventory.models import Outage
from netops.monitor.notifications import Notifier
from netops.settings import Settings

SITE = "Dinas PU & Penataan Ruang <PUPR>"
SYSNAME = '<img src=x onerror="alert(1)">sw-pupr'
EVIDENCE = "no answer from sw-pupr & its ping </b><script>x()</script>"
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
TELEGRAM_TAGS = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|blockquote|tg-spoiler)>")


class HttpCapture:
    """An HTTP server on loopback keeping (path, content type, body) of every POST; answers like Telegram."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str, bytes]] = []
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                posts.append((self.path, self.headers.get("Content-Type", ""), body))
                answer = json.dumps({"ok": True, "result": {"message_id": len(posts)}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpCapture:
    """Just enough SMTP (EHLO, MAIL, RCPT, DATA, QUIT) on loopback to receive apprise's e-mail."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        messages = self.messages

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.say("220 localhost ESMTP test")
                data: list[bytes] | None = None
                for line in iter(self.rfile.readline, b""):
                    if data is not None:
                        if line.rstrip(b"\r\n") == b".":
                            messages.append(b"".join(data))
                            data = None
                            self.say("250 OK")
                        else:
                            data.append(line[1:] if line.startswith(b"..") else line)
                        continue
                    verb = line.decode("ascii", "replace").strip().upper()
                    if verb.startswith(("EHLO", "HELO", "MAIL", "RCPT", "RSET", "NOOP")):
                        self.say("250 OK")
                    elif verb == "DATA":
                        data = []
                        self.say("354 end with .")
                    elif verb == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("502 not implemented")

            def say(self, text: str) -> None:
                self.wfile.write(text.encode() + b"\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http() -> Iterator[HttpCapture]:
    capture = HttpCapture()
    try:
        yield capture
    finally:
        capture.close()


@pytest.fixture
def smtp() -> Iterator[SmtpCapture]:
    capture = SmtpCapture()
    try:
        yield capture
    finally:
        capture.close()


def _notify(engine: Engine, settings: Settings, urls: tuple[str, ...]) -> None:
    """A real outage row with hostile strings, sent by the real notifier worker to ``urls``."""
    with session_scope(engine) as session:
        row = Outage(root_cause_type="device", root_cause=SYSNAME, started_at=T0,
                     affected_sites=[SITE, "SD Negeri 1"], affected_devices=[SYSNAME], cause_text=EVIDENCE)
        session.add(row)
        session.flush()
        outage_id = row.id
    configured = dataclasses.replace(settings, notifications=dataclasses.replace(
        settings.notifications, urls=urls, retries=0))
    notifier = Notifier(engine, configured, backoff_s=0.01)
    notifier.start()
    try:
        notifier.enqueue(outage_id, "open")
        assert notifier.wait_idle(20)
    finally:
        notifier.stop()
    assert notifier.sent == 1 and notifier.failed == 0


def test_webhook_and_form_targets_get_the_text_unchanged(
    engine: Engine, settings: Settings, http: HttpCapture
) -> None:
    base = f"127.0.0.1:{http.port}"
    _notify(engine, settings, (f"json://{base}/json", f"form://{base}/form"))
    by_path = {path: body for path, _, body in http.posts}
    as_json = json.loads(by_path["/json"])
    as_form = {k: v[0] for k, v in urllib.parse.parse_qs(by_path["/form"].decode()).items()}
    for message in (as_json, as_form):
        assert SITE in message["message"] and EVIDENCE in message["message"]
        assert message["title"] == f"OUTAGE: device {SYSNAME}"
        assert "&amp;" not in message["message"] and "&lt;" not in message["message"]  # text stays text


def _telegram_accepts(text: str) -> bool:
    """Telegram's rule for parse_mode=HTML: only its own tags, every & an entity, no stray < or >."""
    rest = TELEGRAM_TAGS.sub("", text)
    rest = re.sub(r"&(amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);", "", rest)
    return not any(ch in rest for ch in "<>&")


def test_telegram_gets_escaped_html_it_accepts(
    engine: Engine, settings: Settings, http: HttpCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """apprise's own Telegram plugin builds the request; only its API base URL points at loopback."""
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"http://127.0.0.1:{http.port}/bot")
    _notify(engine, settings, ("tgram://123456789:abcdefghijklmnopqrstuvwxyz012345/-100123",))
    ((path, content_type, body),) = http.posts
    assert path.endswith("/sendMessage") and content_type == "application/json"
    payload = json.loads(body)
    assert payload["parse_mode"] == "HTML"
    text = payload["text"]
    assert _telegram_accepts(text), text
    assert "Dinas PU &amp; Penataan Ruang &lt;PUPR&gt;" in text
    assert "<img" not in text and "<script>" not in text and "&lt;script&gt;" in text


def test_email_is_plain_text_without_live_html(engine: Engine, settings: Settings, smtp: SmtpCapture) -> None:
    url = f"mailto://127.0.0.1:{smtp.port}?from=netops@example.org&to=noc@example.org&mode=insecure"
    _notify(engine, settings, (url,))
    (raw,) = smtp.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [p for p in message.walk() if not p.is_multipart()]
    assert [p.get_content_type() for p in parts] == ["text/plain"]
    body = parts[0].get_content()
    assert SITE in body and SYSNAME in body and EVIDENCE in body  # shown literally by a mail client
    assert message["Subject"] == f"OUTAGE: device {SYSNAME}"
