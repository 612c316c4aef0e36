"""Notifications through apprise (e-mail, Telegram, Slack, webhooks, ... by URL), off the poll path.

Polling only *enqueues* an outage id; one worker thread builds the message from the outage
row, sends it to every configured URL, retries a failing target with exponential backoff and
logs the outcome, then marks the outage ``notified_open`` / ``notified_close``. A refusing or
slow target therefore never delays a poll or crashes the scheduler. One message per root-cause
outage (with the sites it affects), one on recovery (with the duration), one when an outage is
found flapping; never one per downstream school. Messages are in English or Bahasa Indonesia
(``notifications.language``). An outage inside planned works sends nothing, and an acknowledged one
no flapping news; each message sent, failed or suppressed is on the outage's timeline
(``netops.monitor.timeline``). After a restart, outages whose messages were never sent are
picked up again (``enqueue_pending``). Messages are plain text, declared as such to apprise
(``body_format=TEXT``): a device-supplied name with ``&`` or ``<`` is escaped by apprise for
targets that speak HTML (Telegram ``parse_mode=HTML``, HTML e-mail) and never becomes markup.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

import apprise
from sqlalchemy import Engine, or_, select

from inventory.db import session_scope
from inventory.models import Outage, utcnow
from netops.monitor import timeline
from netops.settings import Settings

log = logging.getLogger(__name__)

KINDS = ("open", "close", "flapping")
TEXTS = {
    "en": {"open": "OUTAGE", "close": "RECOVERED", "flapping": "FLAPPING", "device": "device", "link": "link",
           "cause": "Root cause", "since": "Since", "sites": "Affected sites", "none": "none",
           "after": "after", "devices": "Affected devices", "why": "Evidence",
           "degraded": "Left on a single path", "page": "Details", "card": "Fiber card for the field crew"},
    "id": {"open": "GANGGUAN", "close": "PULIH", "flapping": "TIDAK STABIL", "device": "perangkat",
           "link": "tautan", "cause": "Penyebab", "since": "Sejak", "sites": "Lokasi terdampak",
           "none": "tidak ada", "after": "setelah", "devices": "Perangkat terdampak", "why": "Bukti",
           "degraded": "Tinggal satu jalur", "page": "Rincian", "card": "Kartu serat untuk tim lapangan"},
}

Sender = Callable[[str, str, str], bool]


@dataclass(frozen=True, slots=True)
class Message:
    outage_id: int
    kind: str
    title: str
    body: str


def format_duration(seconds: float, language: str = "en") -> str:
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    units = ("j", "m", "d") if language == "id" else ("h", "m", "s")
    parts = [f"{hours}{units[0]}"] if hours else []
    if hours or minutes:
        parts.append(f"{minutes}{units[1]}")
    parts.append(f"{secs}{units[2]}")
    return " ".join(parts)


def build_message(outage: Outage, kind: str, language: str, now: datetime,
                  public_url: str | None = None) -> Message:
    """The title and body for one outage notification in ``language`` ("en" or "id"); with
    ``public_url`` (``web.public_url``) it links to the outage page and, for a fiber, its card."""
    t = TEXTS.get(language, TEXTS["en"])
    words = outage.cause_words or {}
    # the cause as the help desk says it (one wording for everyone), else the element's id
    element = words.get(language) or words.get("en") or \
        f"{t.get(outage.root_cause_type, outage.root_cause_type)} {outage.root_cause}"
    sites = list(outage.affected_sites or [])
    over = (outage.maintenance_words or {}).get(language) or (outage.maintenance_words or {}).get("en")
    title = f"{t[kind]}: {over}" if over and kind == "open" else f"{t[kind]}: {element}"
    if kind == "close":
        end = outage.ended_at or now
        title += f" ({t['after']} {format_duration((end - outage.started_at).total_seconds(), language)})"
    lines = [f"{t['cause']}: {element}", f"{t['since']}: {outage.started_at.isoformat(timespec='seconds')}",
             f"{t['sites']} ({len(sites)}): {', '.join(sites) if sites else t['none']}"]
    degraded = list(outage.degraded_sites or [])
    if degraded:
        lines.append(f"{t['degraded']} ({len(degraded)}): {', '.join(degraded)}")
    devices = list(outage.affected_devices or [])
    if devices:
        lines.append(f"{t['devices']} ({len(devices)}): {', '.join(devices)}")
    if outage.cause_text:
        lines.append(f"{t['why']}: {outage.cause_text}")
    if public_url:
        base = public_url.rstrip("/")
        lines.append(f"{t['page']}: {base}/outages/{outage.id}")
        if outage.root_cause_type == "link":
            lines.append(f"{t['card']}: {base}/map/fiber/{quote(outage.root_cause, safe=':/')}")
    return Message(outage.id, kind, title, "\n".join(lines))


def suppressed_because(outage: Outage, kind: str) -> str | None:
    """Why no message goes out: planned works (nothing at all), or acknowledged (no more flapping news)."""
    if outage.planned:
        return f"planned works #{outage.maintenance_id}"
    if kind == "flapping" and outage.acknowledged_by:
        return f"acknowledged by {outage.acknowledged_by}"
    return None


def apprise_sender(urls: Sequence[str]) -> Sender:
    """A sender that posts to every apprise URL; True when all accepted the message."""
    def send(title: str, body: str, notify_type: str) -> bool:
        app = apprise.Apprise()
        for url in urls:
            app.add(url)
        # TEXT: apprise escapes it for HTML targets (Telegram, e-mail); device strings are never markup
        return bool(app.notify(body=body, title=title, notify_type=notify_type,
                               body_format=apprise.NotifyFormat.TEXT))
    return send


class Notifier:
    """A queue and one daemon worker thread that send outage notifications with retries."""

    def __init__(self, engine: Engine, settings: Settings, *, sender: Sender | None = None,
                 backoff_s: float = 1.0) -> None:
        self._engine = engine
        self._settings = settings
        self._urls = tuple(settings.notifications.urls)
        self._enabled = bool(self._urls) or sender is not None
        self._sender = sender or apprise_sender(self._urls)
        self._backoff_s = backoff_s
        self._queue: queue.Queue[tuple[int, str] | None] = queue.Queue()
        self._pending: set[tuple[int, str]] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.sent = 0
        self.failed = 0

    @property
    def enabled(self) -> bool:
        return self._enabled

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="netops-notify", daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        if self._thread is not None:
            self._stopping.set()  # cuts a retry back-off short; unsent messages stay pending in the DB
            self._queue.put(None)
            self._thread.join(timeout_s)
            self._thread = None

    def enqueue(self, outage_id: int, kind: str) -> None:
        """Queue a message; never blocks, never raises (the caller is the poll path)."""
        if kind not in KINDS or not self._enabled:
            return
        with self._lock:
            if (outage_id, kind) in self._pending:
                return
            self._pending.add((outage_id, kind))
        self._queue.put((outage_id, kind))

    def enqueue_pending(self, now: datetime | None = None) -> None:
        """Queue messages that were never sent (e.g. the service stopped before it could)."""
        if not self._enabled:
            return
        recent = (now or utcnow()) - timedelta(hours=1)
        with session_scope(self._engine) as session:
            rows = session.scalars(select(Outage).where(or_(
                Outage.ended_at.is_(None) & Outage.notified_open.is_(False),
                Outage.ended_at.is_not(None) & Outage.notified_close.is_(False) & (Outage.ended_at >= recent),
            )).order_by(Outage.id)).all()
            todo = [(o.id, "open") for o in rows if not o.notified_open]
            todo += [(o.id, "close") for o in rows if o.ended_at is not None and not o.notified_close]
        for outage_id, kind in todo:
            self.enqueue(outage_id, kind)

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return True
            time.sleep(0.05)
        return False

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._deliver(*item)
            except Exception:  # a notification problem must never kill the worker
                log.exception("notification for outage %s (%s) failed", *item)
            finally:
                with self._lock:
                    self._pending.discard(item)

    def _deliver(self, outage_id: int, kind: str) -> None:
        with session_scope(self._engine) as session:
            outage = session.get(Outage, outage_id)
            if outage is None or (kind == "open" and outage.notified_open) or \
                    (kind == "close" and (outage.notified_close or outage.ended_at is None)):
                return
            why = suppressed_because(outage, kind)
            if why is not None:
                timeline.add(session, outage.id, utcnow(), "notification_suppressed", text=f"{kind}: {why}",
                             maintenance_id=outage.maintenance_id)
                return
            message = build_message(outage, kind, self._settings.notifications.language, utcnow(),
                                    self._settings.web.public_url)
        ok = self._send_with_retries(message)
        if not ok and self._stopping.is_set():
            return  # not given up: enqueue_pending() sends it after the next start
        with session_scope(self._engine) as session:
            outage = session.get(Outage, outage_id)
            if outage is not None:
                outcome = "notification_sent" if ok else "notification_failed"
                timeline.add(session, outage.id, utcnow(), outcome, text=f"{kind}: {message.title}")
            if outage is not None and kind == "open":
                outage.notified_open = True
            elif outage is not None and kind == "close":
                outage.notified_close = True
        if ok:
            self.sent += 1
        else:
            self.failed += 1

    def _send_with_retries(self, message: Message) -> bool:
        notify_type = {"open": "failure", "close": "success", "flapping": "warning"}[message.kind]
        attempts = max(1, self._settings.notifications.retries + 1)
        for attempt in range(1, attempts + 1):
            try:
                if self._sender(message.title, message.body, notify_type):
                    log.info("notified outage %s (%s) on attempt %d",
                             message.outage_id, message.kind, attempt)
                    return True
                reason = "a target refused the message"
            except Exception as exc:  # apprise plugins may raise on odd URLs
                reason = str(exc)
            log.warning("notification for outage %s (%s) failed on attempt %d/%d: %s",
                        message.outage_id, message.kind, attempt, attempts, reason)
            if attempt < attempts and self._stopping.wait(self._backoff_s * 2 ** (attempt - 1)):
                log.info("notification for outage %s (%s) left for the next start",
                         message.outage_id, message.kind)
                return False
        log.error("giving up notifying outage %s (%s) after %d attempts",
                  message.outage_id, message.kind, attempts)
        return False
