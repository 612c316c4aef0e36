"""Notifications through apprise (e-mail, Telegram, Slack, webhooks, ... by URL), off the poll path.

Polling only *enqueues* an outage id; one worker thread builds the message from the outage
row, sends it through every route that matches the outage (``netops.monitor.routing``; the
catch-all ``notifications.urls`` is the route ``default``), each in the route's language,
retries a failing target with exponential backoff and logs the outcome, then marks the outage
``notified_open`` / ``notified_close``. A refusing or slow target therefore never delays a poll
or crashes the scheduler. One message per root-cause outage (with the sites it affects, schools
first), one on recovery (with the duration) to every route that was told of it, one when an
outage is found flapping; never one per downstream school. Every ``tick_s`` the worker also
sends what is due: a reminder through a route every ``remind_minutes`` while the outage is
unacknowledged, and an escalation to the route's ``escalate_to`` after ``escalate_after_minutes``
unacknowledged; an acknowledgement stops both. Each message through each route is an
``outage_notices`` row (route, kind, outcome) and a line on the outage's timeline, so which
routes were told, the last reminder and the escalation survive a restart. An outage inside
planned works sends nothing, and an acknowledged one no flapping news, reminders or escalation.
After a restart, outages whose messages were never sent are picked up again (``enqueue_pending``).
The same tick announces planned works before they start (``works_notice``).
Messages are plain text, declared as such to apprise
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
from datetime import datetime, timedelta, tzinfo
from typing import Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo

import apprise
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from inventory.db import session_scope
from inventory.models import Outage, OutageNotice, utcnow
from netops.monitor import timeline
from netops.monitor.route_store import all_routes, outage_facts, schools_first
from netops.monitor.routing import Route, by_name, select_routes
from netops.settings import Settings

log = logging.getLogger(__name__)

KINDS = ("open", "close", "flapping")
DUE = (0, "due")  # the queue item that makes the worker send the reminders and escalations now due
NO_ROUTE = "-"
TEXTS = {
    "en": {"open": "OUTAGE", "close": "RECOVERED", "flapping": "FLAPPING", "device": "device", "link": "link",
           "reminder": "REMINDER, not acknowledged for", "escalation": "ESCALATED, not acknowledged for",
           "test": "TEST", "test_body": "A test message of netops through the route", "schools": "schools",
           "cause": "Root cause", "since": "Since", "sites": "Affected sites", "none": "none",
           "after": "after", "devices": "Affected devices", "why": "Evidence",
           "degraded": "Left on a single path", "page": "Details", "card": "Fiber card for the field crew"},
    "id": {"open": "GANGGUAN", "close": "PULIH", "flapping": "TIDAK STABIL", "device": "perangkat",
           "reminder": "PENGINGAT, belum ditangani selama", "escalation": "ESKALASI, belum ditangani selama",
           "test": "UJI", "test_body": "Pesan uji dari netops melalui rute", "schools": "sekolah",
           "link": "tautan", "cause": "Penyebab", "since": "Sejak", "sites": "Lokasi terdampak",
           "none": "tidak ada", "after": "setelah", "devices": "Perangkat terdampak", "why": "Bukti",
           "degraded": "Tinggal satu jalur", "page": "Rincian", "card": "Kartu serat untuk tim lapangan"},
}

Sender = Callable[[Route, str, str, str], bool]  # (route, title, body, apprise notify type) -> accepted


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
                  public_url: str | None = None, *, sites: Sequence[str] | None = None, schools: int = 0,
                  zone: tzinfo | None = None) -> Message:
    """The title and body for one outage notification in ``language`` ("en" or "id"); with
    ``public_url`` (``web.public_url``) it links to the outage page and, for a fiber, its card.
    ``sites``: the affected sites in the order to show (schools first), ``schools`` of them
    schools; ``zone``: the zone "since" is written in (else UTC, ISO-8601). ``kind`` may also be
    ``reminder`` or ``escalation`` (the opening again, saying how long it went unacknowledged)."""
    t = TEXTS.get(language, TEXTS["en"])
    words = outage.cause_words or {}
    # the cause as the help desk says it (one wording for everyone), else the element's id
    element = words.get(language) or words.get("en") or \
        f"{t.get(outage.root_cause_type, outage.root_cause_type)} {outage.root_cause}"
    sites = list(outage.affected_sites or []) if sites is None else list(sites)
    over = (outage.maintenance_words or {}).get(language) or (outage.maintenance_words or {}).get("en")
    head = t[kind]
    if kind in ("reminder", "escalation"):
        head = f"{head} {format_duration((now - outage.started_at).total_seconds(), language)}"
    title = f"{head}: {over}" if over and kind in ("open", "reminder", "escalation") else f"{head}: {element}"
    if kind == "close":
        end = outage.ended_at or now
        title += f" ({t['after']} {format_duration((end - outage.started_at).total_seconds(), language)})"
    since = outage.started_at.isoformat(timespec="seconds") if zone is None else \
        outage.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    count = f"{len(sites)}, {schools} {t['schools']}" if schools else f"{len(sites)}"
    lines = [f"{t['cause']}: {element}", f"{t['since']}: {since}",
             f"{t['sites']} ({count}): {', '.join(sites) if sites else t['none']}"]
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


def apprise_sender(route: Route, title: str, body: str, notify_type: str) -> bool:
    """Post to every apprise URL of ``route``; True when all accepted the message."""
    app = apprise.Apprise()
    for url in route.urls:
        app.add(url)
    # TEXT: apprise escapes it for HTML targets (Telegram, e-mail); device strings are never markup
    return bool(app.notify(body=body, title=title, notify_type=notify_type,
                           body_format=apprise.NotifyFormat.TEXT))


def probe_message(route: Route, now: datetime) -> Message:
    """What ``netops notify test ROUTE`` sends, in the route's language."""
    t = TEXTS.get(route.language, TEXTS["en"])
    return Message(0, "test", f"{t['test']}: netops → {route.name}",
                   f"{t['test_body']} {route.name} ({now.isoformat(timespec='seconds')}).")


def send_test(route: Route, now: datetime, sender: Sender = apprise_sender) -> bool:
    """Send the test message through ``route`` once (the caller sees the failure at once)."""
    message = probe_message(route, now)
    try:
        return sender(route, message.title, message.body, "info")
    except Exception as exc:  # apprise plugins may raise on odd URLs
        log.warning("test message through route %s failed: %s", route.name, exc)
        return False


TOLD_KINDS = ("open", "reminder", "escalation", "flapping")  # a route sent one of these was told
ROUTED_KINDS = ("open", "escalation")  # a route given the opening (or an escalation) gets reminders


class NoticeLike(Protocol):
    """An ``OutageNotice`` row, or the same columns as a plain row (the tick reads many)."""

    @property
    def route(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder or escalation due now for one outage through one route."""

    outage_id: int
    route: str
    kind: str


def due_messages(outage: Outage, notices: Sequence[NoticeLike], routes: dict[str, Route],
                 now: datetime) -> list[Due]:
    """Reminders and escalations due for an open outage, from the messages already recorded."""
    out: list[Due] = []
    seen = [n for n in notices if n.outcome != "suppressed"]
    routed = sorted({n.route for n in seen if n.kind in ROUTED_KINDS})
    escalated = {n.route for n in notices if n.kind == "escalation"}
    for name in routed:
        route = routes.get(name)
        if route is None:
            continue
        times = [n.at for n in seen if n.route == name and n.kind in ("open", "reminder", "escalation")]
        first = min(n.at for n in seen if n.route == name and n.kind in ROUTED_KINDS)
        if route.remind_minutes and now - max(times) >= timedelta(minutes=route.remind_minutes):
            out.append(Due(outage.id, name, "reminder"))
        target = route.escalate_to
        late = now - first >= timedelta(minutes=route.escalate_after_minutes)
        if target and target not in escalated and late:
            escalated.add(target)
            out.append(Due(outage.id, target, "escalation"))
    return out


class Notifier:
    """A queue and one daemon worker thread that send outage notifications through their routes.

    ``clock`` gives the current time (tests pass a fake one); ``poke()`` makes the worker send
    the reminders and escalations due now, as it does by itself every ``tick_s`` seconds."""

    def __init__(self, engine: Engine, settings: Settings, *, sender: Sender | None = None,
                 backoff_s: float = 1.0, clock: Callable[[], datetime] = utcnow,
                 tick_s: float = 30.0) -> None:
        self._engine = engine
        self._settings = settings
        self._sender = sender or apprise_sender
        self._backoff_s = backoff_s
        self._clock = clock
        self._tick_s = tick_s
        self._zone = ZoneInfo(settings.web.timezone)
        self._queue: queue.Queue[tuple[int, str] | None] = queue.Queue()
        self._pending: set[tuple[int, str]] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.sent = 0
        self.failed = 0

    @property
    def enabled(self) -> bool:
        """Whether any route is configured (the admin page's routes are looked up per message)."""
        return bool(self._settings.notifications.urls or self._settings.notifications.routes)

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

    def _put(self, item: tuple[int, str]) -> None:
        with self._lock:
            if item in self._pending:
                return
            self._pending.add(item)
        self._queue.put(item)

    def enqueue(self, outage_id: int, kind: str) -> None:
        """Queue a message; never blocks, never raises (the caller is the poll path)."""
        if kind in KINDS:
            self._put((outage_id, kind))

    def poke(self) -> None:
        """Send the reminders and escalations due now (the worker also does so every ``tick_s``)."""
        self._put(DUE)

    def enqueue_pending(self, now: datetime | None = None) -> None:
        """Queue messages that were never sent (e.g. the service stopped before it could)."""
        recent = (now or self._clock()) - timedelta(hours=1)
        with session_scope(self._engine) as session:
            rows = session.scalars(select(Outage).where(or_(
                Outage.ended_at.is_(None) & Outage.notified_open.is_(False),
                Outage.ended_at.is_not(None) & Outage.notified_close.is_(False) & (Outage.ended_at >= recent),
            )).order_by(Outage.id)).all()
            todo = [(o.id, "open") for o in rows if not o.notified_open]
            todo += [(o.id, "close") for o in rows if o.ended_at is not None and not o.notified_close]
        for outage_id, kind in todo:
            self.enqueue(outage_id, kind)
        self.poke()

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return True
            time.sleep(0.02)
        return False

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=self._tick_s)
            except queue.Empty:
                item = DUE
            if item is None:
                return
            try:
                if item == DUE:
                    self._send_due()
                else:
                    self._deliver(*item)
            except Exception:  # a notification problem must never kill the worker
                log.exception("notification for outage %s (%s) failed", *item)
            finally:
                with self._lock:
                    self._pending.discard(item)

    # -- what is recorded -------------------------------------------------------------------------

    def _record(self, session: Session, outage_id: int, route: str, kind: str, outcome: str,
                text: str, maintenance_id: int | None = None) -> None:
        """One message through one route: an ``outage_notices`` row and a line on the timeline."""
        now = self._clock()
        session.add(OutageNotice(outage_id=outage_id, route=route, kind=kind, outcome=outcome, at=now,
                                 detail=text[:2000]))
        timeline.add(session, outage_id, now, f"notification_{outcome}", text=f"{kind} via {route}: {text}",
                     maintenance_id=maintenance_id)

    def _message(self, session: Session, outage: Outage, kind: str, language: str) -> Message:
        sites = schools_first(session, list(outage.affected_sites or []))
        schools = outage_facts_schools(session, sites)
        return build_message(outage, kind, language, self._clock(), self._settings.web.public_url,
                             sites=sites, schools=schools, zone=self._zone)

    # -- opening, flapping, closing ---------------------------------------------------------------

    def _deliver(self, outage_id: int, kind: str) -> None:
        with session_scope(self._engine) as session:
            outage = session.get(Outage, outage_id)
            if outage is None or (kind == "open" and outage.notified_open) or \
                    (kind == "close" and (outage.notified_close or outage.ended_at is None)):
                return
            routes = all_routes(session, self._settings)
            if not routes:
                return  # nothing configured: nothing to say (a route added later sends from then on)
            why = suppressed_because(outage, kind)
            notices = list(session.scalars(select(OutageNotice).where(OutageNotice.outage_id == outage_id)
                                           .order_by(OutageNotice.id)))
            targets = self._targets(session, outage, kind, routes, notices)
            if why is not None:
                works = outage.maintenance_id if outage.planned else None
                for name in targets or [NO_ROUTE]:
                    self._record(session, outage.id, name, kind, "suppressed", why, works)
                return
            if not targets:
                nobody = "no route matches" if kind == "open" else "no route was told of it"
                self._record(session, outage.id, NO_ROUTE, kind, "suppressed", nobody)
                self._mark(outage, kind)
                return
            known = by_name(routes)
            plan = [(known[name], self._message(session, outage, kind, known[name].language))
                    for name in targets]
        results = [(route, message, self._send_with_retries(route, message)) for route, message in plan]
        if self._stopping.is_set() and not all(ok for _, _, ok in results):
            results = [r for r in results if r[2]]  # the failed ones: sent after the next start
            unfinished = True
        else:
            unfinished = False
        with session_scope(self._engine) as session:
            outage = session.get(Outage, outage_id)
            if outage is None:
                return
            for route, message, ok in results:
                self._record(session, outage.id, route.name, kind, "sent" if ok else "failed", message.title)
                if ok:
                    self.sent += 1
                else:
                    self.failed += 1
            if not unfinished:
                self._mark(outage, kind)

    @staticmethod
    def _mark(outage: Outage, kind: str) -> None:
        if kind == "open":
            outage.notified_open = True
        elif kind == "close":
            outage.notified_close = True

    def _targets(self, session: Session, outage: Outage, kind: str, routes: Sequence[Route],
                 notices: Sequence[OutageNotice]) -> list[str]:
        """The routes a message goes to: the matching ones for the opening (less those already
        sent it before a restart); everyone told for flapping news and the closing message."""
        known = by_name(routes)
        if kind == "open":
            done = {n.route for n in notices if n.kind == "open" and n.outcome == "sent"}
            local = self._clock().astimezone(self._zone)
            chosen = select_routes(routes, outage_facts(session, outage), local)
            return [r.name for r in chosen if r.name not in done]
        told = [n.route for n in notices if n.kind in TOLD_KINDS and n.outcome == "sent"]
        if kind == "close":  # not twice to a route, unless it was told of the outage again since
            last_told = {n.route: n.id for n in notices if n.kind in TOLD_KINDS and n.outcome == "sent"}
            closed = {n.route: n.id for n in notices if n.kind == "close" and n.outcome == "sent"}
            told = [name for name in told if closed.get(name, -1) < last_told[name]]
        names = [name for name in dict.fromkeys(told) if name in known]
        if not names and all(n.outcome == "suppressed" for n in notices) and "default" in known:
            names = ["default"]  # an outage from before routes existed: the catch-all, as it was told
        if not names and kind == "flapping":
            local = self._clock().astimezone(self._zone)
            names = [r.name for r in select_routes(routes, outage_facts(session, outage), local)]
        return names

    # -- reminders and escalation -----------------------------------------------------------------

    def _send_works_notices(self, now: datetime) -> None:
        """Planned works starting within ``notice_before_minutes``: once to each matching route."""
        from inventory.models import WorksNotice
        from netops.monitor import works_notice

        before = timedelta(minutes=self._settings.notifications.notice_before_minutes)
        plan: list[tuple[works_notice.Upcoming, Route, str, str]] = []
        with session_scope(self._engine) as session:
            routes = all_routes(session, self._settings)
            local = now.astimezone(self._zone)
            for works in works_notice.upcoming(session, now, before):
                for route in select_routes(routes, works.facts, local):
                    if route.name not in works.announced:
                        title, body = works_notice.message(works, route.language, self._zone,
                                                           self._settings.web.public_url)
                        plan.append((works, route, title, body))
        for works, route, title, body in plan:
            if self._stopping.is_set():
                return
            ok = self._send_with_retries(route, Message(0, "works", title, body))
            with session_scope(self._engine) as session:
                session.add(WorksNotice(window_id=works.window_id, starts_at=works.starts_at,
                                        route=route.name, outcome="sent" if ok else "failed",
                                        at=self._clock()))

    def _send_due(self) -> None:
        now = self._clock()
        if self._settings.notifications.notice_before_minutes:
            self._send_works_notices(now)
        plan: list[tuple[Due, Route, Message]] = []
        with session_scope(self._engine) as session:
            routes = by_name(all_routes(session, self._settings))
            outages = session.scalars(select(Outage).where(
                Outage.ended_at.is_(None), Outage.notified_open.is_(True), Outage.planned.is_(False))).all()
            by_outage: dict[int, list[NoticeLike]] = {}
            if outages:  # one query for all of them, plain rows: the worker scans every tick_s
                query = (select(OutageNotice.outage_id, OutageNotice.route, OutageNotice.kind,
                                OutageNotice.outcome, OutageNotice.at)
                         .where(OutageNotice.outage_id.in_([o.id for o in outages]))
                         .order_by(OutageNotice.at, OutageNotice.id))
                for notice in session.execute(query):
                    by_outage.setdefault(notice.outage_id, []).append(notice)
            for outage in outages:
                notices = by_outage.get(outage.id, [])
                quiet = {(n.route, n.kind) for n in notices if n.outcome == "suppressed"}
                for due in due_messages(outage, notices, routes, now):
                    route = routes.get(due.route)
                    if outage.acknowledged_by:
                        if (due.route, due.kind) not in quiet:  # said once, not every tick
                            self._record(session, outage.id, due.route, due.kind, "suppressed",
                                         f"acknowledged by {outage.acknowledged_by}")
                    elif route is None:
                        self._record(session, outage.id, due.route, due.kind, "failed", "no such route")
                    else:
                        plan.append((due, route, self._message(session, outage, due.kind, route.language)))
        for due, route, message in plan:
            if self._stopping.is_set():
                return
            ok = self._send_with_retries(route, message)
            with session_scope(self._engine) as session:
                if session.get(Outage, due.outage_id) is None:
                    continue
                self._record(session, due.outage_id, route.name, due.kind, "sent" if ok else "failed",
                             message.title)
            if ok:
                self.sent += 1
            else:
                self.failed += 1

    def _send_with_retries(self, route: Route, message: Message) -> bool:
        notify_type = {"open": "failure", "close": "success", "flapping": "warning", "reminder": "failure",
                       "escalation": "failure"}.get(message.kind, "info")
        attempts = max(1, self._settings.notifications.retries + 1)
        for attempt in range(1, attempts + 1):
            try:
                if self._sender(route, message.title, message.body, notify_type):
                    log.info("notified outage %s (%s) through route %s on attempt %d",
                             message.outage_id, message.kind, route.name, attempt)
                    return True
                reason = "a target refused the message"
            except Exception as exc:  # apprise plugins may raise on odd URLs
                reason = str(exc)
            log.warning("notification for outage %s (%s) through route %s failed on attempt %d/%d: %s",
                        message.outage_id, message.kind, route.name, attempt, attempts, reason)
            if attempt < attempts and self._stopping.wait(self._backoff_s * 2 ** (attempt - 1)):
                log.info("notification for outage %s (%s) left for the next start",
                         message.outage_id, message.kind)
                return False
        log.error("giving up notifying outage %s (%s) through route %s after %d attempts",
                  message.outage_id, message.kind, route.name, attempts)
        return False


def outage_facts_schools(session: Session, sites: Sequence[str]) -> int:
    """How many of ``sites`` are schools."""
    from inventory.models import Site

    if not sites:
        return 0
    query = select(Site.id).where(Site.name.in_(list(sites)), Site.kind == "school")
    return len(session.scalars(query).all())


def shown_url(url: str) -> str:
    """An apprise URL with its secrets masked (apprise's privacy form, without the options)."""
    try:
        target = apprise.Apprise.instantiate(url)
    except Exception:  # a malformed URL: say so, never echo it
        target = None
    if not target:
        return url.partition("://")[0] + "://(not understood by apprise)"
    return str(target.url(privacy=True)).split("?")[0]  # type: ignore[no-untyped-call]
